from datetime import datetime, timezone

import numpy as np
import polars as pl
import pyarrow as pa

from darkfleet import schema
from darkfleet.clean.prepare import prepare_positions


def _table(rows):
    return schema.conform(pa.Table.from_pylist(rows), schema.POSITIONS)


def _t(minute):
    return datetime(2024, 1, 1, 0, minute, tzinfo=timezone.utc)


def test_unsorted_duplicated_and_no_fix_rows_are_sorted_removed_and_counted():
    rows = [
        {"mmsi": 2, "timestamp_utc": _t(5), "lat": 1.0, "lon": 1.0, "sog_kn": 3.0, "source_id": 1},
        {"mmsi": 1, "timestamp_utc": _t(9), "lat": 1.0, "lon": 1.0, "sog_kn": 102.3, "source_id": 1},
        {"mmsi": 1, "timestamp_utc": _t(3), "lat": 1.0, "lon": 1.0, "sog_kn": 1.0, "source_id": 1},
        {"mmsi": 1, "timestamp_utc": _t(3), "lat": 1.0, "lon": 1.0, "sog_kn": 1.0, "source_id": 2},  # heard twice
        {"mmsi": 1, "timestamp_utc": _t(4), "lat": 91.0, "lon": 181.0, "sog_kn": 1.0, "source_id": 2},
        {"mmsi": 1, "timestamp_utc": _t(6), "lat": None, "lon": None, "source_id": 2},
    ]
    clean, no_fix, counts = prepare_positions(_table(rows))
    assert clean.select("mmsi", pl.col("timestamp_utc").dt.minute()).rows() == [(1, 3), (1, 9), (2, 5)]
    assert counts.duplicates == 1
    assert counts.no_fix == 2 and no_fix.height == 2
    assert counts.out_of_order == 1
    assert counts.sources == 2
    assert counts.input_rows == 6 and counts.output_rows == 3
    # "not available" speed becomes null rather than 102.3 kn
    assert clean.filter(pl.col("timestamp_utc").dt.minute() == 9)["sog_kn"].to_list() == [None]
    assert counts.input_rows == counts.output_rows + counts.duplicates + counts.no_fix


def _noisy_feed(n_rows: int, seed: int) -> pa.Table:
    """Vessels in blocks (one receiver's file after another), times jittered within a vessel,
    reports heard twice, no-fix rows and "not available" values."""
    rng = np.random.default_rng(seed)
    mmsi = rng.choice(np.arange(100_000_000, 100_000_060), n_rows)
    t_us = 1_700_000_000_000_000 + rng.integers(0, 50, n_rows) * 60_000_000
    lat, lon = rng.uniform(-60, 60, n_rows).round(1), rng.uniform(-170, 170, n_rows).round(1)
    twice = rng.random(n_rows) < 0.2
    lat[1:][twice[1:]], lon[1:][twice[1:]], t_us[1:][twice[1:]], mmsi[1:][twice[1:]] = (
        lat[:-1][twice[1:]], lon[:-1][twice[1:]], t_us[:-1][twice[1:]], mmsi[:-1][twice[1:]])
    lat[rng.random(n_rows) < 0.05] = 91.0
    nav = pa.array(rng.integers(0, 16, n_rows).astype(np.int8), mask=rng.random(n_rows) < 0.1)
    table = pa.table({
        "mmsi": mmsi, "timestamp_utc": pa.array(t_us, pa.timestamp("us", tz="UTC")), "lat": lat, "lon": lon,
        "sog_kn": pa.array(rng.choice([1.5, 12.0, 102.3, np.nan], n_rows).astype(np.float32), mask=rng.random(n_rows) < 0.05),
        "cog_deg": rng.choice([0.0, 90.5, 360.0], n_rows).astype(np.float32),
        "heading_deg": pa.array(rng.choice([0, 359, 511], n_rows).astype(np.int16), mask=rng.random(n_rows) < 0.05),
        "nav_status": nav,
        "source_id": rng.integers(0, 3, n_rows).astype(np.int32),
    })
    return schema.conform(table, schema.POSITIONS)


def test_cleaning_on_vessel_ranges_in_threads_equals_one_pass_and_a_sort(monkeypatch):
    from darkfleet.clean import prepare

    table = _noisy_feed(20_000, seed=3)
    monkeypatch.setattr(prepare, "SPLIT_ROWS", 0)
    one = prepare_positions(table, threads=1)
    for threads in (2, 3):
        clean, no_fix, counts = prepare_positions(table, threads=threads)
        assert clean.equals(one[0]) and no_fix.equals(one[1]) and counts == one[2]
    # the same rows as a stable sort, a drop of adjacent repeats and null masks in Polars
    frame = pl.from_arrow(table).filter(pl.col("lat") <= 90).select(prepare.DETECT_COLUMNS)
    frame = frame.sort("mmsi", "timestamp_utc", maintain_order=True)
    key = pl.struct("mmsi", "timestamp_utc", "lat", "lon")
    frame = frame.filter((key != key.shift(1)).fill_null(True))
    expected = frame.with_columns(
        pl.when(pl.col("sog_kn") < 102.2).then(pl.col("sog_kn")).alias("sog_kn"),
        pl.when(pl.col("cog_deg") < 360).then(pl.col("cog_deg")).alias("cog_deg"),
        pl.when(pl.col("heading_deg") < 360).then(pl.col("heading_deg")).alias("heading_deg"),
    )
    assert one[0].equals(expected)
    assert one[0]["sog_kn"].null_count() > 0 and one[0]["nav_status"].null_count() > 0
    assert one[2].duplicates > 0 and one[2].no_fix > 0
