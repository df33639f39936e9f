"""Positions stored as a Parquet dataset partitioned by UTC day (``day=YYYY-MM-DD/*.parquet``).

Day partitions let a run read only the days it needs (``darkfleet detect --since``, a
benchmark's slice) without scanning the rest. Paths are local or any fsspec URL
(``s3://``, ``gs://``, ...): the same code reads both through pyarrow's filesystem layer.
"""

from __future__ import annotations

import uuid
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from darkfleet.errors import InputError

DAY = "day"
_PARTITIONING = ds.partitioning(pa.schema([(DAY, pa.string())]), flavor="hive")


def _filesystem(root: str):
    import fsspec
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    fs, path = fsspec.core.url_to_fs(str(root))
    return PyFileSystem(FSSpecHandler(fs)), path


def write_days(table: pa.Table, root: str, timestamp_col: str = "timestamp_utc") -> list[str]:
    """Append ``table`` to the dataset at ``root``, one folder per UTC day; returns the days written."""
    days = pc.strftime(table[timestamp_col], format="%Y-%m-%d")
    fs, path = _filesystem(root)
    ds.write_dataset(
        table.append_column(DAY, days), path, format="parquet", partitioning=_PARTITIONING, filesystem=fs,
        existing_data_behavior="overwrite_or_ignore", basename_template=f"part-{{i}}-{uuid.uuid4().hex}.parquet",
        max_rows_per_group=1 << 20,
    )
    return sorted(set(days.to_pylist()))


def read_days(root: str, since: date | None = None, until: date | None = None, columns: list[str] | None = None) -> pa.Table:
    """Rows of the days in [``since``, ``until``) (all days when not given), without the ``day`` column."""
    fs, path = _filesystem(root)
    try:
        dataset = ds.dataset(path, format="parquet", partitioning=_PARTITIONING, filesystem=fs)
    except (FileNotFoundError, pa.ArrowInvalid) as exc:
        raise InputError(f"not a day-partitioned Parquet dataset: {exc}", path=root) from exc
    condition = None
    for op, bound in ((pc.greater_equal, since), (pc.less, until)):
        if bound is not None:
            term = op(ds.field(DAY), bound.isoformat())
            condition = term if condition is None else condition & term
    names = columns or [n for n in dataset.schema.names if n != DAY]
    return dataset.to_table(columns=names, filter=condition)
