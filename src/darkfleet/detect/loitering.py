"""Loitering: a vessel slower than ``max_speed_kn`` for at least ``min_duration_h`` outside ports.

Follows Global Fishing Watch's loitering events (Miller et al. 2018; Kroodsma et al. 2018):
on the resampled 10-minute track, consecutive grid points that are slow and farther than
the in-port radius from every port or anchorage form a run; runs long enough are events.
A silence longer than the interpolation limit ends a run (AIS must be on).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from darkfleet.config import LoiteringConfig
from darkfleet.detect.events import details_expr, finish_events
from darkfleet.detect.ports_index import PortIndex
from darkfleet.detect.runs import hours_between, run_ids


def slow_runs(grid: pl.DataFrame, max_speed_kn: float, min_duration_h: float, step_min: int) -> pl.DataFrame:
    """Runs of slow grid points outside port, per segment (grid needs ``near_port``)."""
    slow = (pl.col("speed_kn") < max_speed_kn).fill_null(False) & ~pl.col("near_port")
    return (
        grid.sort("segment_id", "timestamp_utc")
        .with_columns(slow.alias("_slow"))
        .with_columns(run_ids(["segment_id"], "timestamp_utc", step_min * 60_000_000, pl.col("_slow")))
        .filter(pl.col("_slow"))
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
            pl.len().alias("n_grid_points"),
        )
        .with_columns(hours_between("start_utc", "end_utc").alias("duration_h"))
        .filter(pl.col("duration_h") >= min_duration_h)
        .sort("run_id")
    )


def detect_loitering(
    grid: pl.DataFrame, config: LoiteringConfig, ports: PortIndex | None = None, step_min: int = 10, digest: str = ""
) -> pl.DataFrame:
    """Loitering events (``schema.EVENTS``) from the resampled grid annotated with ``near_port``."""
    runs = slow_runs(grid, config.max_speed_kn, config.min_duration_h, step_min)
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
            n_grid_points=pl.col("n_grid_points"),
            port_distance_m=pl.col("port_distance_m"),
            nearest_port=pl.col("nearest_port"),
            segment_id=pl.col("segment_id"),
        ),
    )
    return finish_events(events, "loitering", digest)
