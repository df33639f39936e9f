"""Hand-made tracks for detector tests: straight-line or drifting vessels in schema.POSITIONS."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
import polars as pl
import pyarrow as pa

from darkfleet import schema
from darkfleet.detect.geo import M_PER_DEG_LAT, M_PER_NM

T0 = datetime(2024, 3, 1, 0, 0, tzinfo=timezone.utc)
OFFSHORE = (55.3, 16.8)  # Baltic, ~80 km from the nearest port of the default set
COWES = (50.75, -1.3)  # a port of the default set


def track(
    mmsi: int,
    hours: float,
    speed_kn: float = 0.0,
    course_deg: float = 90.0,
    start: tuple[float, float] = OFFSHORE,
    t0: datetime = T0,
    step_s: float = 120.0,
    sog_kn: float | None = None,
) -> pl.DataFrame:
    """Reports every ``step_s`` seconds for ``hours`` along a straight line."""
    n = int(hours * 3600 / step_s) + 1
    t_s = np.arange(n) * step_s
    dist_m = speed_kn * M_PER_NM / 3600 * t_s
    lat = start[0] + dist_m * math.cos(math.radians(course_deg)) / M_PER_DEG_LAT
    lon = start[1] + dist_m * math.sin(math.radians(course_deg)) / (M_PER_DEG_LAT * math.cos(math.radians(start[0])))
    times = [t0 + timedelta(seconds=float(s)) for s in t_s]
    return pl.DataFrame(
        {
            "mmsi": np.full(n, mmsi, dtype=np.int64),
            "timestamp_utc": pl.Series(times, dtype=pl.Datetime("us", "UTC")),
            "lat": lat,
            "lon": lon,
            "sog_kn": np.full(n, speed_kn if sog_kn is None else sog_kn, dtype=np.float32),
            "cog_deg": np.full(n, course_deg, dtype=np.float32),
            "heading_deg": np.full(n, int(course_deg) % 360, dtype=np.int16),
        }
    )


def offset(point: tuple[float, float], north_m: float = 0.0, east_m: float = 0.0) -> tuple[float, float]:
    return (
        point[0] + north_m / M_PER_DEG_LAT,
        point[1] + east_m / (M_PER_DEG_LAT * math.cos(math.radians(point[0]))),
    )


def positions(*frames: pl.DataFrame) -> pa.Table:
    """Concatenate tracks into a canonical positions table."""
    return schema.conform(pl.concat(frames, how="diagonal_relaxed").to_arrow(), schema.POSITIONS)


def static_rows(rows: list[dict], msg_type: int | None = 5) -> pa.Table:
    """Static reports from dicts (timestamp_utc as datetime), sent as ``msg_type`` messages (5:
    class A static and voyage data; 1 or None: values an export copied onto position rows)."""
    return schema.conform(pl.DataFrame(rows).with_columns(pl.lit(msg_type, pl.Int8).alias("msg_type")).to_arrow(),
                          schema.STATIC)
