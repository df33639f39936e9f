"""Dark ship-to-ship transfers: a gap that could hide a meeting.

Vessel A's AIS gap overlaps vessel B's slow period (B loitering with AIS on, outside port)
and A could have sailed from its last position to B, stayed alongside for
``min_alongside_h`` and sailed on to its next position within the gap, at its class's
maximum speed. When both went dark (B's gap overlaps A's), each must reach a common
meeting point (the centroid of the four gap endpoints) with ``min_alongside_h`` to spare,
and both need cargo evidence (neither was seen); one event per dark vessel. Two vessels
that fell silent together (within ``co_silence_h`` and ``co_silence_m``) were silenced by
one reception outage, not by two decisions. The meeting must be at sea: B's slow period
farther than the in-port radius from ports; for a both-dark pair, whose meeting place is
unknown, not both vessels in port when they fell silent and when they came back.

Cargo evidence (``require_cargo_evidence``): A's draught changed across its gap, confirmed
by the next report, with no port call begun between the two draught reports and A not
back at a berth (``berth_radius_m``) when it reappeared. The new draught may be reported
anywhere at sea, also near a port A was only approaching.

Of several possible partners the best explained wins, and each meeting is used once:
candidates are ranked by B's cargo moving the other way within the meeting window, then
by the hours A could be alongside weighted by how well the two periods coincide (the
intersection over union of the time A could be alongside and the time B was there,
``min_coincidence`` at least), then the least sailing. Best first, a candidate is kept
unless its gap already has a partner or its partner's period was already used for an
overlapping meeting with someone else; a both-dark pair keeps both of its rows.
"""

from __future__ import annotations

import polars as pl

from darkfleet.clean.segment import is_high_speed_type, latest_ship_types
from darkfleet.config import DarkStsConfig, DraughtConfig
from darkfleet.detect.draught import draught_steps
from darkfleet.detect.events import details_expr, empty_events, finish_events
from darkfleet.detect.geo import M_PER_NM, haversine_expr
from darkfleet.detect.ports_index import PortIndex
from darkfleet.detect.runs import US_PER_H

TANKER_TYPES = (80, 89)  # AIS ship-and-cargo types of tankers (ITU-R M.1371 table 53)
MAX_PARTNERS_PER_GAP = 20  # best-ranked candidates per gap kept for the one-meeting-each pass
CANDIDATE_COLUMNS = [
    "gap_id", "mmsi", "b_mmsi", "b_slow_id", "b_gap_id", "start_utc", "end_utc", "lat", "lon", "d_in_m", "d_out_m",
    "v_kn", "a_ws", "a_we", "b_ws", "b_we", "both_dark", "likely_disabling", "duration_h", "cargo_m", "b_cargo_m",
    "silent_in_port",
]


def _hours(distance: pl.Expr, speed_kn: pl.Expr) -> pl.Expr:
    return pl.duration(microseconds=(distance / M_PER_NM / speed_kn * US_PER_H).cast(pl.Int64))


def _span_h(start: str | pl.Expr, end: str | pl.Expr) -> pl.Expr:
    start, end = (pl.col(c) if isinstance(c, str) else c for c in (start, end))
    return (end - start).dt.total_microseconds() / US_PER_H


def _gap_frame(gaps: pl.DataFrame, static: pl.DataFrame, config: DarkStsConfig) -> pl.DataFrame:
    path = lambda key: pl.col("details").str.json_path_match(f"$.{key}")  # noqa: E731
    types = latest_ship_types(static)
    return (
        gaps.select(
            "mmsi", "start_utc", "end_utc",
            *(path(k).cast(pl.Float64).alias(k) for k in ("start_lat", "start_lon", "end_lat", "end_lon", "duration_h")),
            (path("likely_disabling") == "true").alias("likely_disabling"),
        )
        .filter(pl.col("duration_h") >= config.min_gap_h)
        .join(types, on="mmsi", how="left")
        .with_columns(
            pl.when(pl.col("ship_type").is_between(*TANKER_TYPES))
            .then(config.tanker_max_speed_kn)
            .when(is_high_speed_type(pl.col("ship_type")))
            .then(config.hsc_max_speed_kn)
            .otherwise(config.max_speed_kn)
            .alias("v_kn")
        )
        .with_row_index("gap_id")
    )


def _with_ends_in_port(g: pl.DataFrame, ports: PortIndex | None, radius_m: float) -> pl.DataFrame:
    """``ends_in_port``: the vessel was in port both when it fell silent and when it came back."""
    if ports is None:
        return g.with_columns(pl.lit(False).alias("ends_in_port"))
    near = lambda lat, lon: ports.distance_m(g[lat].to_numpy(), g[lon].to_numpy(), radius_m) <= radius_m  # noqa: E731
    return g.with_columns(pl.Series("ends_in_port", near("start_lat", "start_lon") & near("end_lat", "end_lon")))


def _port_call_begun(frame: pl.DataFrame, port_visits: pl.DataFrame, key: str) -> pl.Series:
    """``key`` of the rows of ``frame`` in whose span (start_utc..end_utc) the vessel began a port call."""
    visits = port_visits.select("mmsi", pl.col("start_utc").alias("p_s"))
    return frame.join(visits, on="mmsi").filter(pl.col("p_s").is_between("start_utc", "end_utc"))[key]


def _cargo_steps(static: pl.DataFrame, port_visits: pl.DataFrame, draught_config: DraughtConfig) -> pl.DataFrame:
    """Confirmed draught changes (``c_s`` last old report, ``c_e`` first new one) that no port
    call begun between the two reports explains."""
    steps = draught_steps(static, draught_config).with_row_index("_step")
    explained = _port_call_begun(steps, port_visits, "_step")
    return steps.filter(~pl.col("_step").is_in(explained.implode())).select(
        "mmsi", pl.col("start_utc").alias("c_s"), pl.col("end_utc").alias("c_e"),
        pl.col("change_m").cast(pl.Float64),
    )


def _with_gap_cargo(g: pl.DataFrame, steps: pl.DataFrame, port_visits: pl.DataFrame, ports: PortIndex | None,
                    config: DarkStsConfig) -> pl.DataFrame:
    """``cargo_m``: the vessel's draught change across its gap, unless it came back at a berth or
    a port call began during the gap (the port explains the change)."""
    explained = _port_call_begun(g, port_visits, "gap_id")
    if ports is not None and g.height:
        radius = config.berth_radius_m
        at_berth = ports.distance_m(g["end_lat"].to_numpy(), g["end_lon"].to_numpy(), radius) <= radius
        explained = pl.concat([explained, g.filter(pl.Series(at_berth))["gap_id"]])
    cargo = (
        g.filter(~pl.col("gap_id").is_in(explained.implode()))
        .select("gap_id", "mmsi", "start_utc", "end_utc")
        .join(steps, on="mmsi")
        .filter((pl.col("c_s") <= pl.col("end_utc")) & (pl.col("c_e") >= pl.col("start_utc")))
        .sort("gap_id", pl.col("change_m").abs(), descending=[False, True])
        .group_by("gap_id", maintain_order=True)
        .agg(pl.col("change_m").first().alias("cargo_m"))
    )
    return g.join(cargo, on="gap_id", how="left")


def _slow_periods(loitering: pl.DataFrame, config: DarkStsConfig) -> pl.DataFrame:
    """B's slow periods; two of them split by B's own silence are one when B moved no faster
    than ``partner_slow_kn`` across it (it stayed put while unheard)."""
    lo = loitering.select("mmsi", "start_utc", "end_utc", "lat", "lon").sort("mmsi", "start_utc")
    moved_m = haversine_expr(pl.col("lat").shift(1), pl.col("lon").shift(1), pl.col("lat"), pl.col("lon"))
    silent_h = _span_h(pl.col("end_utc").shift(1), pl.col("start_utc")).clip(lower_bound=1e-6)
    stayed = (pl.col("mmsi") == pl.col("mmsi").shift(1)) & (moved_m / M_PER_NM <= config.partner_slow_kn * silent_h)
    return (
        lo.with_columns((~stayed.fill_null(False)).cum_sum().alias("b_slow_id"))
        .group_by("b_slow_id", maintain_order=True)
        .agg(
            pl.col("mmsi").first().alias("b_mmsi"), pl.col("start_utc").min().alias("b_ws"),
            pl.col("end_utc").max().alias("b_we"), pl.col("lat").mean(), pl.col("lon").mean(),
        )
    )


def _a_window(frame: pl.DataFrame) -> pl.DataFrame:
    """When A could be at the meeting point: after sailing there, before sailing on."""
    return frame.with_columns(
        (pl.col("start_utc") + _hours(pl.col("d_in_m"), pl.col("v_kn"))).alias("a_ws"),
        (pl.col("end_utc") - _hours(pl.col("d_out_m"), pl.col("v_kn"))).alias("a_we"),
    )


def _seen_partners(g: pl.DataFrame, loitering: pl.DataFrame, config: DarkStsConfig) -> pl.DataFrame:
    cand = g.join_where(
        _slow_periods(loitering, config),
        pl.col("b_ws") < pl.col("end_utc"), pl.col("b_we") > pl.col("start_utc"), pl.col("b_mmsi") != pl.col("mmsi"),
    )
    cand = cand.with_columns(
        haversine_expr(pl.col("start_lat"), pl.col("start_lon"), pl.col("lat"), pl.col("lon")).alias("d_in_m"),
        haversine_expr(pl.col("lat"), pl.col("lon"), pl.col("end_lat"), pl.col("end_lon")).alias("d_out_m"),
        pl.lit(False).alias("both_dark"),
        pl.lit(None, pl.UInt32).alias("b_gap_id"),
        pl.lit(None, pl.Float64).alias("b_cargo_m"),
        pl.lit(False).alias("silent_in_port"),
    )
    return _a_window(cand).select(CANDIDATE_COLUMNS)


def _dark_partners(g: pl.DataFrame, config: DarkStsConfig) -> pl.DataFrame:
    """Pairs of overlapping gaps of two vessels, each gap once as A's."""
    cols = ["gap_id", "mmsi", "start_utc", "end_utc", "start_lat", "start_lon", "end_lat", "end_lon", "v_kn", "cargo_m",
            "ends_in_port"]
    b = g.select(*(pl.col(c).alias(f"b_{c}") for c in cols))
    cand = g.join_where(
        b, pl.col("b_start_utc") < pl.col("end_utc"), pl.col("b_end_utc") > pl.col("start_utc"), pl.col("b_mmsi") != pl.col("mmsi")
    )
    # silenced together: one reception outage, not two vessels switching off
    apart_m = haversine_expr(pl.col("start_lat"), pl.col("start_lon"), pl.col("b_start_lat"), pl.col("b_start_lon"))
    apart_h = _span_h("start_utc", "b_start_utc").abs()
    together = (apart_h <= config.co_silence_h) & (apart_m <= config.co_silence_m)
    cand = cand.filter(~together).with_columns(
        ((pl.col("start_lat") + pl.col("end_lat") + pl.col("b_start_lat") + pl.col("b_end_lat")) / 4).alias("lat"),
        ((pl.col("start_lon") + pl.col("end_lon") + pl.col("b_start_lon") + pl.col("b_end_lon")) / 4).alias("lon"),
    )
    hav = lambda a, b_: haversine_expr(pl.col(f"{a}lat"), pl.col(f"{a}lon"), pl.col(f"{b_}lat"), pl.col(f"{b_}lon"))  # noqa: E731
    cand = cand.with_columns(
        hav("start_", "").alias("d_in_m"), hav("", "end_").alias("d_out_m"),
        hav("b_start_", "").alias("b_in_m"), hav("", "b_end_").alias("b_out_m"),
    ).with_columns(
        (pl.col("b_start_utc") + _hours(pl.col("b_in_m"), pl.col("b_v_kn"))).alias("b_ws"),
        (pl.col("b_end_utc") - _hours(pl.col("b_out_m"), pl.col("b_v_kn"))).alias("b_we"),
        pl.lit(True).alias("both_dark"),
        pl.lit(None, pl.UInt32).alias("b_slow_id"),
        (pl.col("ends_in_port") & pl.col("b_ends_in_port")).alias("silent_in_port"),
    )
    return _a_window(cand).select(CANDIDATE_COLUMNS)


def _with_partner_cargo(cand: pl.DataFrame, steps: pl.DataFrame) -> pl.DataFrame:
    """A seen partner's draught change while A could be alongside (a dark partner's change
    across its gap is already in ``b_cargo_m``)."""
    cand = cand.with_row_index("_cand")
    hit = (
        cand.filter(~pl.col("both_dark"))
        .select("_cand", "b_mmsi", "m_start", "m_end")
        .join(steps, left_on="b_mmsi", right_on="mmsi")
        .filter((pl.col("c_s") <= pl.col("m_end")) & (pl.col("c_e") >= pl.col("m_start")))
        .group_by("_cand")
        .agg(pl.col("change_m").first().alias("_seen_change_m"))
    )
    return (
        cand.join(hit, on="_cand", how="left")
        .with_columns(pl.coalesce("b_cargo_m", "_seen_change_m").alias("b_cargo_m"))
        .drop("_cand", "_seen_change_m")
    )


def _one_meeting_each(ranked: pl.DataFrame) -> pl.DataFrame:
    """Best first, keep a candidate unless its gap already has a partner, or the partner's slow
    period or gap was already used (by another vessel, at an overlapping time). One pass over a
    bounded candidate list (``MAX_PARTNERS_PER_GAP`` per gap), not over positions."""
    partnered: set[int] = set()
    used: dict[tuple[str, int], list[tuple[object, object, int]]] = {}
    keep = []
    rows = ranked.select("gap_id", "b_slow_id", "b_gap_id", "m_start", "m_end").iter_rows()
    for i, (gap_id, slow_id, b_gap_id, m_start, m_end) in enumerate(rows):
        if gap_id in partnered:
            continue
        resource = ("slow", slow_id) if slow_id is not None else ("gap", b_gap_id)
        # a both-dark meeting is one event seen from both gaps: the mirror row is no conflict
        mine = used.get(resource, []) + used.get(("gap", gap_id), [])
        allowed = {gap_id, -1 if b_gap_id is None else b_gap_id}
        if any(s < m_end and m_start < e and who not in allowed for s, e, who in mine):
            continue
        partnered.add(gap_id)
        used.setdefault(resource, []).append((m_start, m_end, gap_id))
        used.setdefault(("gap", gap_id), []).append((m_start, m_end, -1 if b_gap_id is None else b_gap_id))
        keep.append(i)
    return ranked[keep]


def detect_dark_sts(
    gaps: pl.DataFrame,
    loitering: pl.DataFrame,
    port_visits: pl.DataFrame,
    static: pl.DataFrame,
    config: DarkStsConfig,
    ports: PortIndex | None = None,
    in_port_radius_m: float = 10_000.0,
    digest: str = "",
    draught_config: DraughtConfig = DraughtConfig(),
) -> pl.DataFrame:
    """Dark-STS events (``schema.EVENTS``: dark vessel, partner, the dark vessel's gap) from gap,
    loitering and port-visit events and the static reports (draughts, ship types)."""
    # only vessels with a gap or a slow period can take part: the rest of the static reports is skipped
    involved = pl.concat([gaps["mmsi"], loitering["mmsi"]]).unique()
    static = static.filter(pl.col("mmsi").is_in(involved.implode()))
    g = _gap_frame(gaps, static, config)
    if g.height == 0:
        return empty_events()
    g = _with_ends_in_port(g, ports, in_port_radius_m)
    steps = _cargo_steps(static, port_visits, draught_config)
    g = _with_gap_cargo(g, steps, port_visits, ports, config)
    dark_a = g.filter(pl.col("cargo_m").is_not_null()) if config.require_cargo_evidence else g
    cand = pl.concat([_seen_partners(dark_a, loitering, config), _dark_partners(dark_a, config)])
    cand = cand.with_columns(
        pl.max_horizontal("a_ws", "b_ws").alias("m_start"), pl.min_horizontal("a_we", "b_we").alias("m_end")
    ).with_columns(_span_h("m_start", "m_end").alias("alongside_h"))
    cand = cand.filter(pl.col("alongside_h") >= config.min_alongside_h)
    if ports is not None and cand.height:
        # the meeting itself must be at sea: alongside in port is bunkering or berthing. A both-dark
        # meeting place is unknown (the centroid only measures reach): it may have been in port
        # only if both vessels were in port when they fell silent and when they came back.
        near = ports.distance_m(cand["lat"].to_numpy(), cand["lon"].to_numpy(), in_port_radius_m) <= in_port_radius_m
        in_port = pl.when(pl.col("both_dark")).then(pl.col("silent_in_port")).otherwise(pl.Series(near))
        cand = cand.filter(~in_port)
    if cand.height == 0:
        return empty_events()
    union_h = _span_h(pl.min_horizontal("a_ws", "b_ws"), pl.max_horizontal("a_we", "b_we"))
    cand = (
        _with_partner_cargo(cand, steps)
        .with_columns(
            ((pl.col("cargo_m") * pl.col("b_cargo_m")) < 0).fill_null(False).alias("opposite"),
            (pl.col("alongside_h") / union_h).alias("coincidence"),
            (pl.col("d_in_m") + pl.col("d_out_m")).alias("_sail_m"),
        )
        .filter(pl.col("coincidence") >= config.min_coincidence)
        .with_columns((pl.col("alongside_h") * pl.col("coincidence")).alias("_fit_h"))
    )
    # cargo moved both ways first, then the most coinciding hours alongside, then the least sailing
    ranked = (
        cand.sort(["opposite", "_fit_h", "_sail_m", "b_mmsi"], descending=[True, True, False, False])
        .filter(pl.int_range(pl.len()).over("gap_id") < MAX_PARTNERS_PER_GAP)
    )
    best = _one_meeting_each(ranked)
    events = best.select(
        "mmsi",
        pl.col("b_mmsi").alias("other_mmsi"),
        "start_utc",
        "end_utc",
        "lat",
        "lon",
        (
            0.4 + 0.3 * pl.col("opposite").cast(pl.Float64) + 0.2 * pl.col("coincidence")
            + 0.1 * pl.col("likely_disabling").cast(pl.Float64)
        ).alias("confidence"),
        pl.lit(False).alias("in_port"),
        details_expr(
            rule=f"gap >= {config.min_gap_h} h hides a reachable meeting with >= {config.min_alongside_h} h alongside "
            f"at <= class max speed, coinciding >= {config.min_coincidence}",
            both_dark=pl.col("both_dark"),
            gap_h=pl.col("duration_h").round(3),
            alongside_h=pl.col("alongside_h").round(3),
            sail_in_m=pl.col("d_in_m").round(0),
            sail_out_m=pl.col("d_out_m").round(0),
            max_speed_kn=pl.col("v_kn"),
            likely_disabling=pl.col("likely_disabling"),
            draught_change_m=pl.col("cargo_m"),
            partner_draught_change_m=pl.col("b_cargo_m"),
            partner_draught_opposite=pl.col("opposite"),
            coincidence=pl.col("coincidence").round(3),
        ),
    )
    return finish_events(events, "dark_sts", digest)
