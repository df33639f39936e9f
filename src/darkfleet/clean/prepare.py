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
    """A Polars frame in the canonical schema (missing nullable columns become nulls)."""
    if isinstance(table, pl.DataFrame):
        table = table.to_arrow()
    return pl.from_arrow(schema.conform(table, arrow_schema))  # type: ignore[return-value]


def prepare_positions(positions: pa.Table | pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, CleanCounts]:
    """(clean positions sorted by mmsi then time, no-fix reports, counts)."""
    frame = as_frame(positions, schema.POSITIONS)
    counts = CleanCounts(input_rows=frame.height)
    if frame.height == 0:
        return frame, frame, counts
    counts.sources = frame["source_id"].n_unique()
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
        pl.col("lat").is_not_null()
        & pl.col("lon").is_not_null()
        & pl.col("lat").is_between(-90, 90)
        & pl.col("lon").is_between(-180, 180)
        & pl.col("lat").is_finite()
        & pl.col("lon").is_finite()
    )
    frame = frame.with_columns(valid.fill_null(False).alias("_valid"))
    no_fix = frame.filter(~pl.col("_valid")).drop("_valid").sort(["mmsi", "timestamp_utc"])
    frame = frame.filter(pl.col("_valid")).drop("_valid")
    counts.no_fix = no_fix.height
    frame = frame.sort(["mmsi", "timestamp_utc", "source_id", "line_no"], nulls_last=True)
    before = frame.height
    frame = frame.unique(subset=["mmsi", "timestamp_utc", "lat", "lon"], keep="first", maintain_order=True)
    counts.duplicates = before - frame.height
    counts.output_rows = frame.height
    return frame, no_fix, counts


def prepare_static(static: pa.Table | pl.DataFrame) -> pl.DataFrame:
    """Static reports sorted by mmsi then time, exact repeats removed."""
    frame = as_frame(static, schema.STATIC)
    return (
        frame.filter(pl.col("timestamp_utc").is_not_null())
        .sort(["mmsi", "timestamp_utc"])
        .unique(subset=[c for c in frame.columns if c not in ("source_id", "line_no")], keep="first", maintain_order=True)
    )
