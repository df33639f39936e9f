"""Static figures (PNG) for the README and for sharing: generated from the report payload, never by hand.

They draw the same things as the web views (coastline from the vendored Natural Earth land,
event colours, dashed silences) so the README shows what the tool really produces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from darkfleet.errors import require

EVENT_COLORS = {
    "encounter": "#e6550d", "loitering": "#d9a400", "gap": "#756bb1", "dark_sts": "#d62728",
    "spoofing": "#e377c2", "identity_change": "#17becf", "draught_change": "#2ca02c", "port_visit": "#7f7f7f",
}
TRACK_COLORS = ("#1f5fbf", "#e8590c")


def _pyplot():
    matplotlib = require("matplotlib", "report")
    matplotlib.use("Agg")  # figures are files; no display is needed or wanted
    import matplotlib.pyplot as plt

    return plt


def _draw_land(ax, lon_min_deg: float, lat_min_deg: float, lon_max_deg: float, lat_max_deg: float) -> None:
    from darkfleet.report.basemap import land_polygons_in

    land = land_polygons_in(lon_min_deg, lat_min_deg, lon_max_deg, lat_max_deg)
    for poly in getattr(land, "geoms", [land]):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        x, y = poly.exterior.xy
        ax.fill(x, y, facecolor="#efe9dc", edgecolor="#8c8474", linewidth=0.6, zorder=1)
    ax.set_facecolor("#c9dff0")
    ax.set_xlim(lon_min_deg, lon_max_deg)
    ax.set_ylim(lat_min_deg, lat_max_deg)
    ax.set_aspect(1 / np.cos(np.radians((lat_min_deg + lat_max_deg) / 2)))
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")


def _extent(lons: np.ndarray, lats: np.ndarray, margin_deg: float = 0.3) -> tuple[float, float, float, float]:
    return (float(np.nanmin(lons)) - margin_deg, float(np.nanmin(lats)) - margin_deg,
            float(np.nanmax(lons)) + margin_deg, float(np.nanmax(lats)) + margin_deg)


def _draw_track(ax, track: dict[str, Any], color: str, label: str) -> None:
    lon, lat = np.asarray(track["lon"]), np.asarray(track["lat"])
    gap = np.asarray(track["gap_before"], dtype=bool)
    # split the polyline at silences; each silence becomes one dashed segment
    starts = np.flatnonzero(gap)
    for k, (a, b) in enumerate(zip(np.r_[0, starts], np.r_[starts, lon.size])):
        ax.plot(lon[a:b], lat[a:b], color=color, linewidth=1.6, zorder=3, label=label if k == 0 else None)
    for i in starts:
        ax.plot(lon[i - 1:i + 1], lat[i - 1:i + 1], color=color, linewidth=1.4, linestyle=(0, (4, 3)), zorder=3)


def plot_overview(payload: dict[str, Any], path: str | Path) -> Path:
    """Map of every event in the payload, coloured by type."""
    plt = _pyplot()
    events = [e for e in payload["events"] if e["lat"] is not None and e["lon"] is not None]
    fig, ax = plt.subplots(figsize=(8, 6), dpi=110)
    if events:
        lons = np.array([e["lon"] for e in events])
        lats = np.array([e["lat"] for e in events])
        _draw_land(ax, *_extent(lons, lats, margin_deg=1.0))
        for event_type in sorted({e["event_type"] for e in events}):
            sel = [e for e in events if e["event_type"] == event_type]
            ax.scatter([e["lon"] for e in sel], [e["lat"] for e in sel], s=[30 + 60 * (e["confidence"] or 0) for e in sel],
                       color=EVENT_COLORS.get(event_type, "#333"), edgecolor="#222", zorder=4, label=event_type)
        ax.legend(loc="upper right", fontsize=8)
    ax.set_title(f"{len(events)} events")
    return _save(fig, path)


def plot_event(payload: dict[str, Any], event_id: str, path: str | Path) -> Path:
    """Both tracks around one event (silences dashed), with speed and draught over time."""
    plt = _pyplot()
    event = next(e for e in payload["events"] if e["event_id"] == event_id)
    tracks = sorted(payload["tracks"].get(event_id, []), key=lambda t: t["mmsi"] != event["mmsi"])
    fig = plt.figure(figsize=(11, 5.5), dpi=110)
    ax_map = fig.add_subplot(1, 2, 1)
    ax_sog, ax_draught = fig.add_subplot(2, 2, 2), fig.add_subplot(2, 2, 4)
    names = payload["names"]
    if tracks:
        _draw_land(ax_map, *_extent(np.concatenate([t["lon"] for t in tracks]),
                                    np.concatenate([t["lat"] for t in tracks]), margin_deg=0.15))
    for k, track in enumerate(tracks):
        color = TRACK_COLORS[k % 2]
        label = f"{names.get(str(track['mmsi']), '?')} ({track['mmsi']})"
        _draw_track(ax_map, track, color, label)
        t_h = (np.asarray(track["t_ms"]) - event["start_ms"]) / 3.6e6
        sog = np.asarray(track["sog_kn"], dtype=float)
        sog[np.asarray(track["gap_before"], dtype=bool)] = np.nan  # break the line across silences
        ax_sog.plot(t_h, sog, color=color, linewidth=1)
        series = payload["draught"].get(str(track["mmsi"]))
        if series:
            # the last reported draught holds until the end of the track
            d_h = (np.asarray(series["t_ms"]) - event["start_ms"]) / 3.6e6
            d_h = np.r_[d_h, max(t_h[-1], d_h[-1])]
            ax_draught.step(d_h, np.r_[series["draught_m"], series["draught_m"][-1]], where="post", color=color)
    ax_map.scatter([event["lon"]], [event["lat"]], s=90, color=EVENT_COLORS.get(event["event_type"], "#333"),
                   edgecolor="#222", zorder=5, label=event["event_type"])
    ax_map.legend(loc="upper left", fontsize=8)
    span_h = ((event["end_ms"] or event["start_ms"]) - event["start_ms"]) / 3.6e6
    for ax, label in ((ax_sog, "speed (kn)"), (ax_draught, "draught (m)")):
        ax.axvspan(0, span_h, color="#ffe08a", alpha=0.5)
        ax.set_ylabel(label)
    ax_draught.set_xlabel("hours from event start")
    ax_draught.set_xlim(ax_sog.get_xlim())
    fig.suptitle(f"{event['event_type']} {event_id}: {event['start_utc']} ({span_h:.1f} h)")
    return _save(fig, path)


def _save(fig, path: str | Path) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out)
    fig.clf()
    import matplotlib.pyplot as plt

    plt.close(fig)
    return out


def write_figures(payload: dict[str, Any], out_dir: str | Path, max_events: int = 3) -> list[Path]:
    """The overview map and one detail figure for each of the top ``max_events`` event types."""
    out = Path(out_dir)
    written = [plot_overview(payload, out / "events-overview.png")]
    done_types: set[str] = set()
    for event in payload["events"]:  # already in priority order: the strongest event of each type
        if len(done_types) == max_events or event["event_type"] in done_types:
            continue
        if payload["tracks"].get(event["event_id"]):
            done_types.add(event["event_type"])
            written.append(plot_event(payload, event["event_id"], out / f"event-{event['event_type']}.png"))
    return written
