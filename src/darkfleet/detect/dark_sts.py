"""Dark ship-to-ship transfers: a gap that could hide a meeting.

Vessel A's AIS gap overlaps vessel B's loitering (B slow with AIS on, outside port), and A
could have sailed from its last position to B, stayed alongside for ``min_alongside_h``
and sailed to its next position within the gap, at its class's maximum speed. Of the
partners that fit, the one needing the least sailing is reported. Only when no partner was seen, and both went dark (B's gap overlaps
A's), each could reach a common meeting point (the centroid of the four endpoints) with
``min_alongside_h`` to spare; one event per dark vessel.

A meeting needs cargo evidence (``require_cargo_evidence``): a draught change of A across
its gap, outside port, with no port call in between. Of several possible partners
the best explained wins: B's draught changed the other way within the meeting window, then
the most time alongside weighted by how well B's slow or dark period coincides with A's
gap (intersection over union), then the least sailing.
"""

from __future__ import annotations

import polars as pl

from darkfleet.config import DarkStsConfig
from darkfleet.detect.events import details_expr, empty_events, finish_events
from darkfleet.detect.geo import M_PER_NM, haversine_expr
from darkfleet.detect.ports_index import PortIndex

US_PER_H = 3_600_000_000
TANKER_TYPES = (80, 89)  # AIS ship-and-cargo types of tankers (ITU-R M.1371 table 53)


def _gap_frame(gaps: pl.DataFrame, static: pl.DataFrame, config: DarkStsConfig) -> pl.DataFrame:
    path = lambda key: pl.col("details").str.json_path_match(f"$.{key}")  # noqa: E731
    types = static.filter(pl.col("ship_type").is_not_null()).group_by("mmsi").agg(pl.col("ship_type").last())
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
            .otherwise(config.max_speed_kn)
            .alias("v_kn")
        )
    )


def _hours(distance: pl.Expr, speed_kn: pl.Expr) -> pl.Expr:
    return pl.duration(microseconds=(distance / M_PER_NM / speed_kn * US_PER_H).cast(pl.Int64))


def _with_loitering(gaps: pl.DataFrame, loitering: pl.DataFrame, config: DarkStsConfig) -> pl.DataFrame:
    partners = loitering.select(
        pl.col("mmsi").alias("b_mmsi"), pl.col("start_utc").alias("b_start"), pl.col("end_utc").alias("b_end"),
        pl.col("lat").alias("b_lat"), pl.col("lon").alias("b_lon"),
    )
    cand = gaps.join_where(
        partners, pl.col("b_start") < pl.col("end_utc"), pl.col("b_end") > pl.col("start_utc"), pl.col("b_mmsi") != pl.col("mmsi")
    )
    d_in = haversine_expr(pl.col("start_lat"), pl.col("start_lon"), pl.col("b_lat"), pl.col("b_lon"))
    d_out = haversine_expr(pl.col("b_lat"), pl.col("b_lon"), pl.col("end_lat"), pl.col("end_lon"))
    cand = cand.with_columns(d_in.alias("d_in_m"), d_out.alias("d_out_m")).with_columns(
        pl.max_horizontal(pl.col("start_utc") + _hours(pl.col("d_in_m"), pl.col("v_kn")), "b_start").alias("m_start"),
        pl.min_horizontal(pl.col("end_utc") - _hours(pl.col("d_out_m"), pl.col("v_kn")), "b_end").alias("m_end"),
    )
    return cand.with_columns(
        ((pl.col("m_end") - pl.col("m_start")).dt.total_microseconds() / US_PER_H).alias("alongside_h"),
        pl.lit(False).alias("both_dark"),
        pl.col("b_lat").alias("lat"),
        pl.col("b_lon").alias("lon"),
    ).filter(pl.col("alongside_h") >= config.min_alongside_h)


def _both_dark(gaps: pl.DataFrame, config: DarkStsConfig) -> pl.DataFrame:
    dark = gaps
    cols = ["mmsi", "start_utc", "end_utc", "start_lat", "start_lon", "end_lat", "end_lon", "v_kn"]
    b = dark.select(*(pl.col(c).alias(f"b_{c}") for c in cols))
    cand = dark.join_where(
        b, pl.col("b_start_utc") < pl.col("end_utc"), pl.col("b_end_utc") > pl.col("start_utc"), pl.col("b_mmsi") != pl.col("mmsi")
    )
    lat = (pl.col("start_lat") + pl.col("end_lat") + pl.col("b_start_lat") + pl.col("b_end_lat")) / 4
    lon = (pl.col("start_lon") + pl.col("end_lon") + pl.col("b_start_lon") + pl.col("b_end_lon")) / 4
    cand = cand.with_columns(lat.alias("lat"), lon.alias("lon"))
    hav = lambda a, b_: haversine_expr(pl.col(f"{a}lat"), pl.col(f"{a}lon"), pl.col(f"{b_}lat"), pl.col(f"{b_}lon"))  # noqa: E731
    cand = cand.with_columns(
        hav("start_", "").alias("d_in_m"), hav("", "end_").alias("d_out_m"),
        hav("b_start_", "").alias("b_in_m"), hav("", "b_end_").alias("b_out_m"),
    ).with_columns(
        pl.max_horizontal(
            pl.col("start_utc") + _hours(pl.col("d_in_m"), pl.col("v_kn")),
            pl.col("b_start_utc") + _hours(pl.col("b_in_m"), pl.col("b_v_kn")),
        ).alias("m_start"),
        pl.min_horizontal(
            pl.col("end_utc") - _hours(pl.col("d_out_m"), pl.col("v_kn")),
            pl.col("b_end_utc") - _hours(pl.col("b_out_m"), pl.col("b_v_kn")),
        ).alias("m_end"),
    )
    return cand.with_columns(
        ((pl.col("m_end") - pl.col("m_start")).dt.total_microseconds() / US_PER_H).alias("alongside_h"),
        pl.lit(True).alias("both_dark"),
    ).filter(pl.col("alongside_h") >= config.min_alongside_h)


def _with_cargo_evidence(cand: pl.DataFrame, draught_changes: pl.DataFrame) -> pl.DataFrame:
    """Add ``a_change_m`` (A's draught change across its gap) and ``b_change_m`` (B's change
    spanning the meeting window): the cargo that moved, if any."""
    changes = draught_changes.select(
        "mmsi", pl.col("start_utc").alias("c_s"), pl.col("end_utc").alias("c_e"),
        pl.col("details").str.json_path_match("$.change_m").cast(pl.Float64).alias("change_m"),
    )
    cand = cand.with_row_index("_cand")
    out = cand
    # B's cargo must move while A could be alongside (the meeting window), not at any time
    for side, key, start, end in (("a", "mmsi", "start_utc", "end_utc"), ("b", "b_mmsi", "m_start", "m_end")):
        hit = (
            cand.select("_cand", key, start, end)
            .join(changes, left_on=key, right_on="mmsi")
            .filter((pl.col("c_s") <= pl.col(end)) & (pl.col("c_e") >= pl.col(start)))
            .group_by("_cand")
            .agg(pl.col("change_m").first().alias(f"{side}_change_m"))
        )
        out = out.join(hit, on="_cand", how="left")
    return out.drop("_cand")


def detect_dark_sts(
    gaps: pl.DataFrame,
    loitering: pl.DataFrame,
    draught_changes: pl.DataFrame,
    static: pl.DataFrame,
    config: DarkStsConfig,
    ports: PortIndex | None = None,
    in_port_radius_m: float = 10_000.0,
    digest: str = "",
) -> pl.DataFrame:
    """Dark-STS events (``schema.EVENTS``: dark vessel, partner, the dark vessel's gap)."""
    g = _gap_frame(gaps, static, config)
    if g.height == 0:
        return empty_events()
    keep = ["mmsi", "b_mmsi", "start_utc", "end_utc", "b_start", "b_end", "lat", "lon", "d_in_m", "d_out_m", "v_kn",
            "alongside_h", "m_start", "m_end", "both_dark", "likely_disabling", "duration_h"]
    seen = _with_loitering(g, loitering, config)
    dark = _both_dark(g, config).rename({"b_start_utc": "b_start", "b_end_utc": "b_end"})
    cand = pl.concat([seen.select(keep), dark.select(keep)])
    if ports is not None and cand.height:
        # the meeting itself must be at sea: alongside in port is bunkering or berthing
        near = ports.distance_m(cand["lat"].to_numpy(), cand["lon"].to_numpy(), in_port_radius_m) <= in_port_radius_m
        cand = cand.filter(pl.Series(~near))
    if cand.height == 0:
        return empty_events()
    cand = _with_cargo_evidence(cand, draught_changes)
    if config.require_cargo_evidence:
        cand = cand.filter(pl.col("a_change_m").is_not_null())
    # one partner per gap, the best explained: cargo moved on both sides in opposite directions,
    # then the most time alongside within periods that coincide (B slow or dark while A was dark)
    overlap = (pl.min_horizontal("end_utc", "b_end") - pl.max_horizontal("start_utc", "b_start")).dt.total_seconds()
    union = (pl.max_horizontal("end_utc", "b_end") - pl.min_horizontal("start_utc", "b_start")).dt.total_seconds()
    opposite = ((pl.col("a_change_m") * pl.col("b_change_m")) < 0).fill_null(False)
    best = (
        cand.with_columns(
            opposite.alias("opposite"),
            (overlap / union).clip(0.0, 1.0).alias("coincidence"),
            (pl.col("d_in_m") + pl.col("d_out_m")).alias("_detour_m"),
        )
        .with_columns((pl.col("alongside_h") * pl.col("coincidence")).alias("_fit"))
        .sort(["mmsi", "start_utc", "opposite", "_fit", "_detour_m", "b_mmsi"],
              descending=[False, False, True, True, False, False])
        .unique(["mmsi", "start_utc"], keep="first", maintain_order=True)
        .rename({"a_change_m": "draught_change_m"})
    )
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
            f"at <= class max speed",
            both_dark=pl.col("both_dark"),
            gap_h=pl.col("duration_h").round(3),
            alongside_h=pl.col("alongside_h").round(3),
            sail_in_m=pl.col("d_in_m").round(0),
            sail_out_m=pl.col("d_out_m").round(0),
            max_speed_kn=pl.col("v_kn"),
            likely_disabling=pl.col("likely_disabling"),
            draught_change_m=pl.col("draught_change_m"),
            partner_draught_change_m=pl.col("b_change_m"),
            partner_draught_opposite=pl.col("opposite"),
            coincidence=pl.col("coincidence").round(3),
        ),
    )
    return finish_events(events, "dark_sts", digest)
