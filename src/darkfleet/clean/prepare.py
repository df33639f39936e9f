"""Make positions usable by every detector: sorted per vessel, deduplicated, "not available"
values turned into nulls, with every dropped or set-aside row counted.

AIS encodes missing values in-band: latitude 91 / longitude 181 (no position fix), SOG
102.3 kn, COG 360 deg, heading 511. No-fix reports are set aside (spoofing looks at them),
never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
import pyarrow as pa

from darkfleet import schema


@dataclass
class CleanCounts:
    """What cleaning did to the input, for ``summary.json``."""

    input_rows: int = 0
    out_of_order: int = 0  # rows earlier than the previous row of the same MMSI
    duplicates: int = 0  # same MMSI, time and position (e.g. heard by two receivers)
    no_fix: int = 0  # lat 91 / lon 181, out of range or null: kept aside for spoofing
    sources: int = 0  # distinct source_id values (mixed inputs)
    output_rows: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, int]:
        return {
            "input_rows": self.input_rows,
            "out_of_order": self.out_of_order,
            "duplicates": self.duplicates,
            "no_fix": self.no_fix,
            "sources": self.sources,
            "output_rows": self.output_rows,
            **self.extra,
        }


def as_frame(table: pa.Table | pl.DataFrame, arrow_schema: pa.Schema) -> pl.DataFrame:
    """A Polars frame in the canonical schema (missing nullable columns become nulls).

    Stays in Polars (zero-copy from Arrow, casts only where a type differs)."""
    frame = table if isinstance(table, pl.DataFrame) else pl.from_arrow(table)
    target = schema.polars_schema(arrow_schema)
    return frame.select(  # type: ignore[union-attr]
        (pl.col(name) if frame[name].dtype == dtype else pl.col(name).cast(dtype)) if name in frame.columns  # type: ignore[index]
        else pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in target.items()
    )


DETECT_COLUMNS = ["mmsi", "timestamp_utc", "lat", "lon", "sog_kn", "cog_deg", "heading_deg", "nav_status"]
_MS_SPAN_BITS = 33  # a single sort key holds mmsi (< 2**30) and up to 2**33 ms (~99 days)


def sort_by_vessel_time(frame: pl.DataFrame) -> pl.DataFrame:
    """Sort by mmsi then time (stable). One packed int64 key when the data allows it, which
    is several times faster than a two-column sort; otherwise the two-column sort."""
    if frame.height == 0:
        return frame
    ms = frame["timestamp_utc"].dt.epoch("ms")
    span = int(ms.max() - ms.min())  # type: ignore[operator]
    mmsi_ok = bool(frame.select(pl.col("mmsi").is_between(0, (1 << 30) - 1).all()).item())
    if span >= (1 << _MS_SPAN_BITS) or not mmsi_ok:
        return frame.sort(["mmsi", "timestamp_utc"], maintain_order=True)
    key = frame["mmsi"] * (1 << _MS_SPAN_BITS) + (ms - ms.min())
    # reports in the same millisecond keep their input order; finish with the exact time
    frame = frame.with_columns(key.alias("_key")).sort("_key", maintain_order=True).drop("_key")
    same_ms_unsorted = frame.select(
        ((pl.col("mmsi") == pl.col("mmsi").shift(1)) & (pl.col("timestamp_utc") < pl.col("timestamp_utc").shift(1))).any()
    ).item()
    return frame.sort(["mmsi", "timestamp_utc"], maintain_order=True) if same_ms_unsorted else frame


def prepare_positions(positions: pa.Table | pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, CleanCounts]:
    """(clean positions sorted by mmsi then time, no-fix reports, counts).

    Only the columns detection uses are kept (:data:`DETECT_COLUMNS`)."""
    frame = as_frame(positions, schema.POSITIONS)
    counts = CleanCounts(input_rows=frame.height)
    if frame.height == 0:
        frame = frame.select(DETECT_COLUMNS)
        return frame, frame, counts
    counts.sources = frame["source_id"].n_unique()
    frame = frame.select(DETECT_COLUMNS)
    counts.out_of_order = int(
        frame.select(
            ((pl.col("mmsi") == pl.col("mmsi").shift(1)) & (pl.col("timestamp_utc") < pl.col("timestamp_utc").shift(1)))
            .sum()
        ).item()
    )
    frame = frame.with_columns(
        pl.when(pl.col("sog_kn") < 102.2).then(pl.col("sog_kn")).alias("sog_kn"),
        pl.when(pl.col("cog_deg") < 360).then(pl.col("cog_deg")).alias("cog_deg"),
        pl.when(pl.col("heading_deg") < 360).then(pl.col("heading_deg")).alias("heading_deg"),
    )
    valid = (
        pl.col("lat").is_between(-90, 90)
        & pl.col("lon").is_between(-180, 180)
        & pl.col("lat").is_finite()
        & pl.col("lon").is_finite()
    ).fill_null(False)
    mask = frame.select(valid).to_series()
    no_fix = sort_by_vessel_time(frame.filter(~mask))
    frame = sort_by_vessel_time(frame.filter(mask))
    counts.no_fix = no_fix.height
    # the same report heard by several receivers: identical vessel, time and position, adjacent once sorted
    repeat = (
        (pl.col("mmsi") == pl.col("mmsi").shift(1))
        & (pl.col("timestamp_utc") == pl.col("timestamp_utc").shift(1))
        & (pl.col("lat") == pl.col("lat").shift(1))
        & (pl.col("lon") == pl.col("lon").shift(1))
    ).fill_null(False)
    before = frame.height
    frame = frame.filter(~repeat)
    counts.duplicates = before - frame.height
    counts.output_rows = frame.height
    return frame, no_fix, counts


def prepare_static(static: pa.Table | pl.DataFrame) -> pl.DataFrame:
    """Static reports sorted by mmsi then time, exact repeats (every field equal, e.g. heard by
    two receivers) removed."""
    frame = as_frame(static, schema.STATIC).filter(pl.col("timestamp_utc").is_not_null())
    frame = sort_by_vessel_time(frame)
    content = frame.drop("source_id", "line_no").hash_rows()
    repeat = (content == content.shift(1)) & (frame["mmsi"] == frame["mmsi"].shift(1))
    return frame.filter(~repeat.fill_null(False))
