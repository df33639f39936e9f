"""Checks the driver applies to every reader's positions, whatever the format.

A position is rejected (and its line moved from ``decoded`` to ``rejected`` so the counts
still balance) when its MMSI is structurally invalid (``invalid_mmsi``), its time is
before 1990 or more than a day in the future (``bad_timestamp``: receivers with a dead
clock), or its latitude/longitude is outside +-90/+-180 (``lat_out_of_range`` /
``lon_out_of_range``). The "not available" values 91/181 are not errors: they become
null. Static rows from a rejected line (CSV rows carry both) go with it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pyarrow as pa

from darkfleet import schema
from darkfleet.ingest.batch import Batch
from darkfleet.ingest.sentinels import null_position_sentinels
from darkfleet.mmsi import is_invalid

EARLIEST_UTC = datetime(1990, 1, 1, tzinfo=timezone.utc)
FUTURE_SLACK = timedelta(days=1)


def _reasons(frame: pl.DataFrame, now_utc: datetime) -> pl.Expr:
    invalid_mmsi = pl.Series(is_invalid(frame["mmsi"].fill_null(0).to_numpy()))
    ts = pl.col("timestamp_utc")
    return (
        pl.when(invalid_mmsi).then(pl.lit("invalid_mmsi"))
        .when(ts.is_null() | (ts < EARLIEST_UTC) | (ts > now_utc + FUTURE_SLACK)).then(pl.lit("bad_timestamp"))
        .when(pl.col("lat").abs() > 90).then(pl.lit("lat_out_of_range"))
        .when(pl.col("lon").abs() > 180).then(pl.lit("lon_out_of_range"))
        .otherwise(None)
    )


def validate(batch: Batch, now_utc: datetime | None = None) -> Batch:
    """``batch`` with invalid positions moved to rejects and the counts adjusted."""
    if batch.positions.num_rows == 0:
        return batch
    now_utc = now_utc or datetime.now(timezone.utc)
    frame = null_position_sentinels(pl.from_arrow(batch.positions))  # type: ignore[arg-type]
    frame = frame.with_columns(_reason=_reasons(frame, now_utc))
    bad = frame.filter(pl.col("_reason").is_not_null())
    if bad.height == 0:
        batch.positions = schema.conform(frame.drop("_reason").to_arrow(), schema.POSITIONS)
        return batch
    good = frame.filter(pl.col("_reason").is_null()).drop("_reason")
    raw = pl.format("mmsi={},timestamp_utc={},lat={},lon={}", *[pl.col(c).cast(pl.Utf8).fill_null("")
                                                               for c in ("mmsi", "timestamp_utc", "lat", "lon")])
    new_rejects = bad.select("source_id", "line_no", pl.col("_reason").alias("reason"),
                             raw.str.slice(0, schema.RAW_CAP).alias("raw")).to_arrow()
    batch.rejects = pa.concat_tables([batch.rejects, schema.conform(new_rejects, schema.REJECTS)])
    batch.positions = schema.conform(good.to_arrow(), schema.POSITIONS)

    if batch.static.num_rows:
        static = pl.from_arrow(batch.static)
        kept = static.filter(~pl.col("line_no").is_in(bad["line_no"].implode()))  # type: ignore[union-attr]
        batch.counts.static -= static.height - kept.height
        batch.static = schema.conform(kept.to_arrow(), schema.STATIC)
    counts = batch.counts
    counts.decoded -= bad.height
    counts.positions -= bad.height
    counts.rejected.update(dict(bad.group_by("_reason").len().iter_rows()))
    return batch
