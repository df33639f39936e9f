"""Draught changes at sea: cargo loaded or discharged away from any port.

A change of at least ``min_change_m`` (``vlcc_min_change_m`` for vessels at least
``vlcc_min_length_m`` long, whose draught entries are coarser) between consecutive reports
counts only when the next report confirms the new value (a single mistyped entry is not a
transfer), when the vessel is outside port at the change and began no port call between
the two reports. A change that spans a silence of ``across_gap_h`` or more is flagged
``across_gap``: the cargo moved while the vessel was dark.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit

from darkfleet import schema
from darkfleet.config import DraughtConfig
from darkfleet.detect.events import details_expr, empty_events, finish_events
from darkfleet.detect.ports_index import PortIndex
from darkfleet.detect.runs import US_PER_H, hours_between

CONFIRM_TOLERANCE_M = 0.05  # AIS draught has 0.1 m resolution


@njit(cache=True, nogil=True)
def _nearest_report(mmsi, t_us, q_mmsi, q_t_us):  # pragma: no cover - numba
    """Per query, the row of the same MMSI nearest in time (-1 if none); rows sorted by mmsi,
    time. Ties go to the later row, as in Polars' nearest as-of join."""
    out = np.full(q_mmsi.shape[0], -1, dtype=np.int64)
    for q in range(q_mmsi.shape[0]):
        lo = np.searchsorted(mmsi, q_mmsi[q], side="left")
        hi = np.searchsorted(mmsi, q_mmsi[q], side="right")
        if lo == hi:
            continue
        after = lo + np.searchsorted(t_us[lo:hi], q_t_us[q], side="right")  # first row later than the query
        before = after - 1  # last row at or before it
        if after < hi and (before < lo or t_us[after] - q_t_us[q] <= q_t_us[q] - t_us[before]):
            last_equal = lo + np.searchsorted(t_us[lo:hi], t_us[after], side="right") - 1
            out[q] = last_equal
        else:
            out[q] = before
    return out


def report_nearest_in_time(positions: pl.DataFrame, steps: pl.DataFrame) -> pl.DataFrame:
    """``steps`` (mmsi, end_utc) with ``lat`` / ``lon`` of the vessel's report nearest to
    ``end_utc``; positions sorted by mmsi then time. Binary searches per step instead of
    sorting millions of positions for an as-of join."""
    idx = _nearest_report(
        positions["mmsi"].to_numpy(), positions["timestamp_utc"].dt.epoch("us").to_numpy(),
        steps["mmsi"].to_numpy(), steps["end_utc"].dt.epoch("us").to_numpy(),
    )
    found = idx >= 0
    lat = np.full(idx.shape[0], np.nan)
    lon = np.full(idx.shape[0], np.nan)
    lat[found] = positions["lat"].to_numpy()[idx[found]]
    lon[found] = positions["lon"].to_numpy()[idx[found]]
    return steps.with_columns(pl.Series("lat", lat), pl.Series("lon", lon)).filter(pl.col("lat").is_not_nan())


def draught_steps(static: pl.DataFrame, config: DraughtConfig) -> pl.DataFrame:
    """Confirmed draught changes per MMSI (static sorted by mmsi then time): ``start_utc`` ..
    ``end_utc`` is when the change happened, from the last report of the old draught to the
    first of the new one.

    Static an export copied onto every position row (no static message type, e.g.
    MarineCadastre CSV; ``carried``) repeats the last values received, for hours at sea where
    static messages are rarely heard: there the change may be up to ``carried_static_lag_h``
    older than its first report, whatever the rows before it say."""
    lengths = static.filter(pl.col("length_m").is_not_null()).group_by("mmsi").agg(pl.col("length_m").last())
    carried = (
        ~pl.col("msg_type").is_in(schema.STATIC_MESSAGE_TYPES).fill_null(False) if "msg_type" in static.columns
        else pl.lit(False)
    )
    reports = (
        static.select("mmsi", "timestamp_utc", "draught_m", carried.alias("carried"))
        .filter(pl.col("draught_m").is_not_null() & (pl.col("draught_m") > 0))
        .join(lengths, on="mmsi", how="left", maintain_order="left")
    )
    same_prev = pl.col("mmsi") == pl.col("mmsi").shift(1)
    same_next = pl.col("mmsi") == pl.col("mmsi").shift(-1)
    threshold = (
        pl.when(pl.col("length_m") >= config.vlcc_min_length_m).then(config.vlcc_min_change_m).otherwise(config.min_change_m)
    )
    last_old = pl.col("timestamp_utc").shift(1)
    lag = pl.duration(microseconds=int(config.carried_static_lag_h * US_PER_H))
    return (
        reports.with_columns(
            pl.col("draught_m").shift(1).alias("old_draught_m"),
            pl.when(pl.col("carried")).then(pl.min_horizontal(last_old, pl.col("timestamp_utc") - lag))
            .otherwise(last_old).alias("start_utc"),
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
            "threshold_m", "carried",
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
    """Draught-change events (``schema.EVENTS``); needs positions sorted by mmsi then time (for
    where), port visits and gaps."""
    steps = draught_steps(static, config)
    if steps.height == 0 or positions.height == 0:
        return empty_events()
    steps = report_nearest_in_time(positions, steps)
    dist = ports.distance_m(steps["lat"].to_numpy(), steps["lon"].to_numpy(), in_port_radius_m)
    steps = steps.with_columns(pl.Series("_near_port", dist <= in_port_radius_m)).with_row_index("_step")
    # a port call begun between the two reports could explain the change
    visited = (
        steps.join(port_visits.select("mmsi", pl.col("start_utc").alias("o_s")), on="mmsi")
        .filter((pl.col("o_s") > pl.col("start_utc")) & (pl.col("o_s") <= pl.col("end_utc")))["_step"]
    )
    long_gaps = gaps.filter(hours_between("start_utc", "end_utc") >= config.across_gap_h)
    # the silence lies between the two reports; a carried step's start is a bound, not a report:
    # there the silence only has to end between them
    across = steps.join(long_gaps.select("mmsi", pl.col("start_utc").alias("g_s"), pl.col("end_utc").alias("g_e")), on="mmsi").filter(
        ((pl.col("g_s") >= pl.col("start_utc")) | pl.col("carried")) & pl.col("g_e").is_between("start_utc", "end_utc")
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
