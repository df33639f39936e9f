"""Draught changes at sea: cargo loaded or discharged away from any port.

A change of at least ``min_change_m`` (``vlcc_min_change_m`` for vessels at least
``vlcc_min_length_m`` long, whose draught entries are coarser) between consecutive reports
counts only when the next report confirms the new value (a single mistyped entry is not a
transfer), when the vessel is outside port at the change and began no port call between
the two reports. A change that spans a silence of ``across_gap_h`` or more is flagged
``across_gap``: the cargo moved while the vessel was dark.
"""

from __future__ import annotations

import polars as pl

from darkfleet.config import DraughtConfig
from darkfleet.detect.events import details_expr, empty_events, finish_events
from darkfleet.detect.ports_index import PortIndex
from darkfleet.detect.runs import hours_between

CONFIRM_TOLERANCE_M = 0.05  # AIS draught has 0.1 m resolution


def draught_steps(static: pl.DataFrame, config: DraughtConfig) -> pl.DataFrame:
    """Confirmed draught changes per MMSI (static sorted by mmsi then time)."""
    lengths = static.filter(pl.col("length_m").is_not_null()).group_by("mmsi").agg(pl.col("length_m").last())
    reports = (
        static.select("mmsi", "timestamp_utc", "draught_m")
        .filter(pl.col("draught_m").is_not_null() & (pl.col("draught_m") > 0))
        .join(lengths, on="mmsi", how="left", maintain_order="left")
    )
    same_prev = pl.col("mmsi") == pl.col("mmsi").shift(1)
    same_next = pl.col("mmsi") == pl.col("mmsi").shift(-1)
    threshold = (
        pl.when(pl.col("length_m") >= config.vlcc_min_length_m).then(config.vlcc_min_change_m).otherwise(config.min_change_m)
    )
    return (
        reports.with_columns(
            pl.col("draught_m").shift(1).alias("old_draught_m"),
            pl.col("timestamp_utc").shift(1).alias("start_utc"),
            same_prev.fill_null(False).alias("_same_prev"),
            (same_next & ((pl.col("draught_m").shift(-1) - pl.col("draught_m")).abs() <= CONFIRM_TOLERANCE_M))
            .fill_null(False)
            .alias("_confirmed"),
            threshold.alias("threshold_m"),
        )
        .with_columns((pl.col("draught_m") - pl.col("old_draught_m")).alias("change_m"))
        .filter(pl.col("_same_prev") & pl.col("_confirmed") & (pl.col("change_m").abs() >= pl.col("threshold_m")))
        .select(
            "mmsi", "start_utc", pl.col("timestamp_utc").alias("end_utc"), "old_draught_m", "draught_m", "change_m",
            "threshold_m",
        )
    )


def detect_draught_changes(
    static: pl.DataFrame,
    positions: pl.DataFrame,
    config: DraughtConfig,
    ports: PortIndex,
    port_visits: pl.DataFrame,
    gaps: pl.DataFrame,
    in_port_radius_m: float = 10_000.0,
    digest: str = "",
) -> pl.DataFrame:
    """Draught-change events (``schema.EVENTS``); needs positions (for where), port visits and gaps."""
    steps = draught_steps(static, config)
    if steps.height == 0 or positions.height == 0:
        return empty_events()
    # only the few vessels with a draught step need their positions (sorting them all is costly)
    where = (
        positions.select("mmsi", "timestamp_utc", "lat", "lon")
        .filter(pl.col("mmsi").is_in(steps["mmsi"].unique().implode()))
        .sort("timestamp_utc")
    )
    steps = steps.sort("end_utc").join_asof(
        where, left_on="end_utc", right_on="timestamp_utc", by="mmsi", strategy="nearest", check_sortedness=False
    ).filter(pl.col("lat").is_not_null())
    dist = ports.distance_m(steps["lat"].to_numpy(), steps["lon"].to_numpy(), in_port_radius_m)
    steps = steps.with_columns(pl.Series("_near_port", dist <= in_port_radius_m)).with_row_index("_step")
    # a port call begun between the two reports could explain the change
    visited = (
        steps.join(port_visits.select("mmsi", pl.col("start_utc").alias("o_s")), on="mmsi")
        .filter((pl.col("o_s") > pl.col("start_utc")) & (pl.col("o_s") <= pl.col("end_utc")))["_step"]
    )
    long_gaps = gaps.filter(hours_between("start_utc", "end_utc") >= config.across_gap_h)
    across = steps.join(long_gaps.select("mmsi", pl.col("start_utc").alias("g_s"), pl.col("end_utc").alias("g_e")), on="mmsi").filter(
        (pl.col("g_s") >= pl.col("start_utc")) & (pl.col("g_e") <= pl.col("end_utc"))
    )["_step"]
    steps = steps.filter(~pl.col("_near_port") & ~pl.col("_step").is_in(visited.implode())).with_columns(
        pl.col("_step").is_in(across.implode()).alias("across_gap")
    )
    events = steps.select(
        "mmsi",
        "start_utc",
        "end_utc",
        "lat",
        "lon",
        pl.when(pl.col("across_gap")).then(0.9).otherwise(0.7).alias("confidence"),
        pl.lit(False).alias("in_port"),
        details_expr(
            rule="draught change >= threshold, confirmed by the next report, outside port, no port call begun between",
            old_draught_m=pl.col("old_draught_m").round(2),
            new_draught_m=pl.col("draught_m").round(2),
            change_m=pl.col("change_m").round(2),
            threshold_m=pl.col("threshold_m"),
            across_gap=pl.col("across_gap"),
        ),
    )
    return finish_events(events, "draught_change", digest)
