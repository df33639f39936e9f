"""Port visits with hysteresis, as in Global Fishing Watch's port-visit events.

A vessel enters when it comes within ``entry_radius_m`` (3 km) of a port or anchorage
point and leaves when it gets farther than ``exit_radius_m`` (4 km) from every one; the
band between the two radii keeps the current state, so a vessel swinging at the boundary
does not produce a burst of visits. A silence of ``max_silence_h`` (a gap) ends a visit. As in GFW's port stops, a call needs the vessel to stop
(a report slower than ``stop_max_speed_kn``): sailing past a port is not a visit.

The state follows each segment, not each MMSI: two transmitters sharing one MMSI (one moored,
one at sea) interleave their reports, and one state machine fed both would flip at every report
of the other and emit a burst of minute-long visits.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit

from darkfleet.clean.segment import segment_order
from darkfleet.config import PortVisitConfig
from darkfleet.detect.events import details_expr, finish_events
from darkfleet.detect.ports_index import PortIndex


@njit(cache=True, nogil=True)
def _visit_runs(order, track, t_us, dist_m, entry_m, exit_m, max_silence_us):  # pragma: no cover - numba
    """Per report, visited in ``order`` (segment by segment, in time; empty: as stored): inside
    a port by the hysteresis rule (inside the entry radius: in; beyond the exit radius: out;
    between them the previous state holds, out at a track's first report), and a run id that
    changes with the track, the state or after a silence (a gap ends a visit: nobody knows
    whether the vessel stayed). Also whether the next report is the same track's, and out."""
    n = track.shape[0]
    inside = np.zeros(n, dtype=np.bool_)
    run = np.empty(n, dtype=np.int64)
    next_same = np.zeros(n, dtype=np.bool_)
    run_no = 0
    prev = -1
    for i in range(n):
        j = order[i] if order.shape[0] else i
        new_track = i == 0 or track[j] != track[prev]
        if dist_m[j] <= entry_m:
            inside[i] = True
        elif dist_m[j] > exit_m:
            inside[i] = False
        else:
            inside[i] = False if new_track else inside[i - 1]
        if i > 0:
            next_same[i - 1] = not new_track
            if new_track or inside[i] != inside[i - 1] or t_us[j] - t_us[prev] >= max_silence_us:
                run_no += 1
        run[i] = run_no
        prev = j
    return inside, run, next_same


def detect_port_visits(positions: pl.DataFrame, config: PortVisitConfig, ports: PortIndex, digest: str = "") -> pl.DataFrame:
    """Port-visit events (``schema.EVENTS``) from positions sorted by mmsi then time; with a
    ``segment_id`` column, visits are followed per segment."""
    track_col = "segment_id" if "segment_id" in positions.columns else "mmsi"
    track = positions[track_col].to_numpy()
    t_us = positions["timestamp_utc"].dt.epoch("us").to_numpy()
    if "port_m" in positions.columns and "port_idx" in positions.columns:
        # precomputed nearest port within a radius >= the exit radius: the same nearest port
        # for every report inside (farther ones are never inside, whatever port they name)
        dist, idx = positions["port_m"].to_numpy(), positions["port_idx"].to_numpy()
    else:
        dist, idx = ports.nearest(positions["lat"].to_numpy(), positions["lon"].to_numpy(), config.exit_radius_m)
    order = segment_order(track, t_us)
    inside, run, next_same = _visit_runs(
        np.empty(0, dtype=np.int64) if order is None else order, track, t_us, dist,
        float(config.entry_radius_m), float(config.exit_radius_m), float(config.max_silence_h * 3.6e9),
    )
    # only reports inside a port make visits: gather those rows (and their next report's
    # facts), not the whole frame, which is mostly at sea
    rows = np.flatnonzero(inside)
    nxt = np.minimum(rows + 1, track.shape[0] - 1)
    # stored rows of those reports and of the reports after them
    source, next_source = (rows, nxt) if order is None else (order[rows], order[nxt])
    pts = positions.select("mmsi", "timestamp_utc", "sog_kn")[source].with_columns(
        pl.Series("_dist", dist[source]), pl.Series("_port", idx[source]), pl.Series("_run", run[rows]),
        positions["timestamp_utc"].gather(next_source).alias("_next_t"),
        pl.Series("_next_same", next_same[rows]),
        pl.Series("_next_out", next_same[rows] & ~inside[nxt]),
    )
    visits = (
        pts.group_by("_run")
        .agg(
            pl.col("mmsi").first(),
            pl.col("timestamp_utc").first().alias("start_utc"),
            # the visit ends at the first report beyond the exit radius, or the last report seen
            pl.when(pl.col("_next_same").last() & pl.col("_next_out").last())
            .then(pl.col("_next_t").last())
            .otherwise(pl.col("timestamp_utc").last())
            .alias("end_utc"),
            pl.col("_port").filter(pl.col("_port") >= 0).first().alias("_port"),
            pl.col("_dist").min().alias("min_distance_m"),
            pl.len().alias("n_reports"),
            pl.col("_next_same").last().alias("exited"),
            pl.col("sog_kn").min().alias("min_speed_kn"),
        )
        .filter(pl.col("min_speed_kn") < config.stop_max_speed_kn)
        .sort("_run")
    )
    port_rows = ports.ports.with_row_index("_port").select(
        pl.col("_port").cast(pl.Int64), pl.col("name").alias("port_name"), pl.col("port_id"),
        pl.col("lat"), pl.col("lon"),
    )
    visits = visits.with_columns(pl.col("_port").cast(pl.Int64)).join(port_rows, on="_port", how="left")
    events = visits.select(
        "mmsi",
        "start_utc",
        "end_utc",
        "lat",
        "lon",
        pl.lit(1.0).alias("confidence"),
        pl.lit(True).alias("in_port"),
        details_expr(
            rule=f"enter within {config.entry_radius_m} m, leave beyond {config.exit_radius_m} m",
            port_name=pl.col("port_name"),
            port_id=pl.col("port_id"),
            min_distance_m=pl.col("min_distance_m").round(1),
            n_reports=pl.col("n_reports"),
            min_speed_kn=pl.col("min_speed_kn").round(2),
            exited=pl.col("exited"),
        ),
    )
    return finish_events(events, "port_visit", digest)
