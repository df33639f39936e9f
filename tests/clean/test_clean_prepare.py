from datetime import datetime, timezone

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
