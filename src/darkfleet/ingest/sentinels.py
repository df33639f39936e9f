"""ITU-R M.1371 "not available" values become null, whatever the reader.

lat 91, lon 181, SOG 102.3 kn, COG 360, heading 511, draught/length/width 0 and
ship type 0 all mean "not available" on the air; exports copy them verbatim. Values out
of the field's range (e.g. COG 409.5) are equally meaningless and become null too, but a
latitude outside +-90 that is not the sentinel is left for validation to reject.
"""

from __future__ import annotations

import polars as pl


def _null_when(frame: pl.DataFrame, column: str, condition: pl.Expr) -> pl.Expr | None:
    if column not in frame.columns:
        return None
    return pl.when(condition).then(None).otherwise(pl.col(column)).alias(column)


def null_position_sentinels(frame: pl.DataFrame) -> pl.DataFrame:
    """Null the sentinels in canonical position columns that are present."""
    rules = [
        _null_when(frame, "lat", pl.col("lat") == 91),
        _null_when(frame, "lon", pl.col("lon") == 181),
        _null_when(frame, "sog_kn", (pl.col("sog_kn") >= 102.25) | (pl.col("sog_kn") < 0)),
        _null_when(frame, "cog_deg", (pl.col("cog_deg") >= 360) | (pl.col("cog_deg") < 0)),
        _null_when(frame, "heading_deg", (pl.col("heading_deg") >= 360) | (pl.col("heading_deg") < 0)),
    ]
    return frame.with_columns([r for r in rules if r is not None])


def null_static_sentinels(frame: pl.DataFrame) -> pl.DataFrame:
    """Null the sentinels in canonical static columns that are present."""
    rules = [
        _null_when(frame, "draught_m", pl.col("draught_m") <= 0),
        _null_when(frame, "length_m", pl.col("length_m") <= 0),
        _null_when(frame, "width_m", pl.col("width_m") <= 0),
        _null_when(frame, "ship_type", pl.col("ship_type") <= 0),
        _null_when(frame, "imo", pl.col("imo") <= 0),
    ]
    return frame.with_columns([r for r in rules if r is not None])
