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

from darkfleet.config import LoiteringConfig
from darkfleet.detect.events import details_expr, finish_events
from darkfleet.detect.geo import M_PER_NM, haversine_expr
from darkfleet.detect.ports_index import PortIndex
from darkfleet.detect.runs import hours_between, run_ids


def point_speed_kn() -> pl.Expr:
    """Reported SOG, else the implied speed from the previous report of the same segment
    (frame sorted by segment then time)."""
    same = pl.col("segment_id") == pl.col("segment_id").shift(1)
    dt_h = (pl.col("timestamp_utc") - pl.col("timestamp_utc").shift(1)).dt.total_microseconds() / 3.6e9
    implied = haversine_expr(pl.col("lat").shift(1), pl.col("lon").shift(1), pl.col("lat"), pl.col("lon"))
    implied = pl.when(same & (dt_h > 0)).then(implied / M_PER_NM / dt_h)
    return pl.coalesce(pl.col("sog_kn").cast(pl.Float64), implied).alias("speed_kn")


def by_segment(points: pl.DataFrame) -> pl.DataFrame:
    """Points sorted by segment then time; most input already is (one segment per vessel)."""
    in_order = points.select(
        ((pl.col("segment_id").diff() > 0) | ((pl.col("segment_id").diff() == 0) & (pl.col("timestamp_utc").diff() >= 0)))
        .fill_null(True)
        .all()
    ).item()
    return points if in_order else points.sort("segment_id", "timestamp_utc")


def slow_runs(points: pl.DataFrame, config: LoiteringConfig) -> pl.DataFrame:
    """Runs of slow reports outside port, per segment (points need ``near_port``; sorted by segment, time)."""
    slow = (pl.col("speed_kn") < config.max_speed_kn).fill_null(False) & ~pl.col("near_port")
    return (
        points.with_columns(point_speed_kn())
        .with_columns(slow.alias("_slow"))
        .with_columns(run_ids(["segment_id"], "timestamp_utc", int(config.max_silence_h * 3.6e9) - 1, pl.col("_slow")))
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
    (see :func:`darkfleet.detect.pipeline.annotate_ports`)."""
    runs = slow_runs(by_segment(points), config)
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
