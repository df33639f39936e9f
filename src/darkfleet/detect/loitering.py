"""Loitering: a vessel slower than ``max_speed_kn`` for at least ``min_duration_h`` outside ports.

Follows Global Fishing Watch's loitering events (Miller et al. 2018; Kroodsma et al. 2018):
along each segment's reports, consecutive reports that are slow and farther than the
in-port radius from every port or anchorage form a run; runs long enough are events. An
anchored vessel far offshore is heard irregularly, so silences shorter than
``max_silence_h`` (the gap threshold) do not end a run; a real gap does (AIS must be on).
Speed is the reported SOG, or the implied speed from the previous report when SOG is missing.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit

from darkfleet.clean.segment import in_order, segment_order
from darkfleet.config import LoiteringConfig
from darkfleet.detect.events import details_expr, finish_events
from darkfleet.detect.geo import M_PER_NM, haversine_scalar_m
from darkfleet.detect.ports_index import PortIndex
from darkfleet.detect.runs import hours_between


@njit(cache=True, nogil=True)
def _slow_run_ids(order, segment_id, t_us, lat, lon, sog, near_port, max_speed_kn, max_step_us):  # pragma: no cover - numba
    """Walking the rows in ``order`` (segment by segment, in time): each row's speed (reported
    SOG, else implied from the previous report of the segment) and the id of its run of slow
    reports outside port (-1 when not slow). A run ends when the segment changes, the vessel
    speeds up or enters port, or a silence exceeds ``max_step_us``."""
    n = order.shape[0]
    speed = np.full(n, np.nan)
    run = np.full(n, -1, dtype=np.int64)
    run_no = -1
    was_slow = False
    for k in range(n):
        i = order[k]
        same = False
        if k > 0:
            p = order[k - 1]
            same = segment_id[i] == segment_id[p]
        if not np.isnan(sog[i]):
            speed[k] = sog[i]
        elif same and t_us[i] > t_us[p]:
            dt_h = (t_us[i] - t_us[p]) / 3.6e9
            speed[k] = haversine_scalar_m(lat[p], lon[p], lat[i], lon[i]) / M_PER_NM / dt_h
        slow = speed[k] < max_speed_kn and not near_port[i]
        if k == 0 or not same or slow != was_slow or t_us[i] - t_us[p] > max_step_us:
            run_no += 1
        was_slow = slow
        if slow:
            run[k] = run_no
    return speed, run


def slow_runs(points: pl.DataFrame, config: LoiteringConfig) -> pl.DataFrame:
    """Runs of slow reports outside port, per segment (points need ``near_port``)."""
    seg = in_order(points["segment_id"].to_numpy(), None)
    t = in_order(points["timestamp_utc"].dt.epoch("us").to_numpy(), None)
    order = segment_order(seg, t)
    order = in_order(np.arange(points.height, dtype=np.int64) if order is None else order, None)
    speed, run = _slow_run_ids(
        order, seg, t, *(in_order(a, None) for a in (
            points["lat"].to_numpy(), points["lon"].to_numpy(), points["sog_kn"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
            points["near_port"].to_numpy(),
        )),
        float(config.max_speed_kn), int(config.max_silence_h * 3.6e9) - 1,
    )
    slow = np.flatnonzero(run >= 0)  # only slow reports are aggregated: a small share of all
    return (
        points.select("mmsi", "segment_id", "timestamp_utc", "lat", "lon")[order[slow]]
        .with_columns(pl.Series("speed_kn", speed[slow]), pl.Series("run_id", run[slow]))
        .group_by("run_id")
        .agg(
            pl.col("mmsi").first(),
            pl.col("segment_id").first(),
            pl.col("timestamp_utc").min().alias("start_utc"),
            pl.col("timestamp_utc").max().alias("end_utc"),
            pl.col("lat").mean(),
            pl.col("lon").mean(),
            pl.col("speed_kn").median().alias("median_speed_kn"),
            pl.col("speed_kn").max().alias("max_speed_kn"),
            pl.len().alias("n_reports"),
        )
        .with_columns(hours_between("start_utc", "end_utc").alias("duration_h"))
        .filter(pl.col("duration_h") >= config.min_duration_h)
        .sort("run_id")
    )


def detect_loitering(
    points: pl.DataFrame, config: LoiteringConfig, ports: PortIndex | None = None, digest: str = ""
) -> pl.DataFrame:
    """Loitering events (``schema.EVENTS``) from segmented reports annotated with ``near_port``
    (see :func:`darkfleet.detect.stages.annotate_ports`)."""
    runs = slow_runs(points, config)
    port_m = np.full(runs.height, np.nan)
    port_name: list[str | None] = [None] * runs.height
    if ports is not None and runs.height:
        port_m, idx = ports.nearest(runs["lat"].to_numpy(), runs["lon"].to_numpy())
        port_name = ports.names(idx)
    runs = runs.with_columns(
        pl.Series("port_distance_m", port_m).round(0), pl.Series("nearest_port", port_name, dtype=pl.String)
    )
    events = runs.select(
        "mmsi",
        "start_utc",
        "end_utc",
        "lat",
        "lon",
        # longer and slower is more certain; 2x the minimum duration saturates
        (0.5 + 0.5 * (pl.col("duration_h") / (2 * config.min_duration_h)).clip(upper_bound=1.0)).alias("confidence"),
        pl.lit(False).alias("in_port"),
        details_expr(
            rule=f"speed < {config.max_speed_kn} kn for >= {config.min_duration_h} h outside port",
            duration_h=pl.col("duration_h").round(3),
            median_speed_kn=pl.col("median_speed_kn").round(3),
            max_speed_kn=pl.col("max_speed_kn").round(3),
            n_reports=pl.col("n_reports"),
            port_distance_m=pl.col("port_distance_m"),
            nearest_port=pl.col("nearest_port"),
            segment_id=pl.col("segment_id"),
        ),
    )
    return finish_events(events, "loitering", digest)
