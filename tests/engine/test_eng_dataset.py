"""Day-partitioned Parquet datasets: written by day, read back whole or from a day on."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pyarrow as pa
import pytest

from darkfleet import schema
from darkfleet.engine.dataset import read_days, write_days
from darkfleet.errors import InputError


def _positions(hours: int) -> pa.Table:
    t0 = datetime(2026, 1, 1, 20, tzinfo=timezone.utc)
    times = [t0 + timedelta(hours=h) for h in range(hours)]
    return schema.conform(pa.table({
        "mmsi": pa.array([211000000 + h % 3 for h in range(hours)], pa.int64()),
        "timestamp_utc": pa.array(times, schema.UTC_TS),
        "lat": pa.array([54.0 + h / 100 for h in range(hours)]),
        "lon": pa.array([10.0] * hours),
    }), schema.POSITIONS)


def test_days_round_trip_and_since_reads_only_later_days(tmp_path) -> None:
    table = _positions(60)  # 20:00 on 1 Jan to 07:00 on 4 Jan
    assert write_days(table, str(tmp_path / "ds")) == ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"]
    assert sorted((p.name for p in (tmp_path / "ds").iterdir())) == [
        "day=2026-01-01", "day=2026-01-02", "day=2026-01-03", "day=2026-01-04"]
    back = read_days(str(tmp_path / "ds")).sort_by("timestamp_utc")
    assert back.schema.equals(schema.POSITIONS, check_metadata=False)
    assert back.equals(table)
    later = read_days(str(tmp_path / "ds"), since=date(2026, 1, 3))
    assert later.num_rows == 24 + 8
    first_day = read_days(str(tmp_path / "ds"), until=date(2026, 1, 2), columns=["mmsi"])
    assert first_day.column_names == ["mmsi"] and first_day.num_rows == 4


def test_file_urls_work_like_paths(tmp_path) -> None:
    write_days(_positions(5), f"file://{tmp_path}/ds")
    assert read_days(f"file://{tmp_path}/ds").num_rows == 5


def test_missing_dataset_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="day-partitioned"):
        read_days(str(tmp_path / "nothing"))
