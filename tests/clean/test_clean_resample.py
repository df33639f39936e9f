from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from darkfleet.clean.resample import resample_segments
from darkfleet.config import ResampleConfig

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _points(minutes, lats, sogs):
    n = len(minutes)
    return pl.DataFrame(
        {
            "segment_id": [1] * n,
            "mmsi": [5] * n,
            "timestamp_utc": pl.Series([T0 + timedelta(minutes=m) for m in minutes], dtype=pl.Datetime("us", "UTC")),
            "lat": lats,
            "lon": [179.99] * n,
            "sog_kn": pl.Series(sogs, dtype=pl.Float32),
            "cog_deg": pl.Series([90.0] * n, dtype=pl.Float32),
            "heading_deg": pl.Series([None] * n, dtype=pl.Int16),
        }
    )


def test_grid_is_on_ten_minute_multiples_and_interpolates_linearly():
    grid = resample_segments(_points([5, 25], [10.0, 10.2], [2.0, 4.0]), ResampleConfig())
    assert grid["timestamp_utc"].dt.minute().to_list() == [10, 20]
    assert grid["lat"].to_list() == pytest.approx([10.05, 10.15])
    assert grid["speed_kn"].to_list() == pytest.approx([2.5, 3.5])
    assert grid["interpolated"].to_list() == [True, True]


def test_no_grid_points_inside_a_silence_of_an_hour_or_more():
    grid = resample_segments(_points([0, 30, 150], [10.0, 10.1, 10.5], [1.0, 1.0, 1.0]), ResampleConfig())
    minutes = [(t - T0).total_seconds() / 60 for t in grid["timestamp_utc"].to_list()]
    assert minutes == [0, 10, 20, 30, 150]  # 30 -> 150 min is a 2 h silence: not filled
    assert grid["interpolated"].to_list() == [False, True, True, False, False]


def test_longitude_interpolates_across_the_antimeridian():
    points = _points([0, 20], [0.0, 0.0], [1.0, 1.0]).with_columns(pl.Series("lon", [179.9, -179.9]))
    grid = resample_segments(points, ResampleConfig())
    assert grid["lon"].to_list()[1] == pytest.approx(-180.0, abs=1e-9) or grid["lon"].to_list()[1] == pytest.approx(180.0)
