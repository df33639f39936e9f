"""Turn a batch of raw tabular rows (NOAA, DMA, generic CSV, Parquet) into canonical tables.

Everything here is Polars expressions over whole batches, no per-row Python. Each input
row ends as exactly one of: decoded (one position row, plus a static row when it carries
static fields), or rejected with a reason:

* ``missing_field`` - an empty MMSI, time, latitude or longitude;
* ``bad_timestamp`` - a time that does not parse;
* ``bad_number`` - a numeric field holding something that is not a number.

ITU "not available" sentinels become null afterwards (:func:`darkfleet.ingest.sentinels`).
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from darkfleet import schema
from darkfleet.imo import imo_check_digit_ok
from darkfleet.ingest import codes
from darkfleet.ingest.batch import Batch, Counts
from darkfleet.ingest.formats import STATIC_FIELDS, TableLayout, required_fields
from darkfleet.ingest.sentinels import null_position_sentinels, null_static_sentinels

_FLOATS = {"lat": pl.Float64, "lon": pl.Float64, "sog": pl.Float32, "cog": pl.Float32,
           "draught": pl.Float32, "length": pl.Float32, "width": pl.Float32}
_INTS = {"mmsi": pl.Int64, "heading": pl.Int16, "nav_status": pl.Int8, "msg_type": pl.Int8,
         "imo": pl.Int64, "ship_type": pl.Int16}
_TEXT = ("name", "callsign", "destination")
_RENAME = {"timestamp": "timestamp_utc", "sog": "sog_kn", "cog": "cog_deg", "heading": "heading_deg",
           "draught": "draught_m", "eta": "eta_utc", "length": "length_m", "width": "width_m"}
_ISO_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.fZ",
                "%Y-%m-%d %H:%M:%S%.fZ", "%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%:z",
                "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S")


def _clean_text(expr: pl.Expr) -> pl.Expr:
    """Strip spaces and AIS '@' padding; null words ("Unknown", "") become null."""
    text = expr.cast(pl.Utf8).str.strip_chars(" @")  # AIS pads text with '@'; names never start with one
    return pl.when(text.is_in(codes.NULL_WORDS)).then(None).otherwise(text)


def _is_null_word(raw: pl.Expr) -> pl.Expr:
    return raw.str.strip_chars().is_in(codes.NULL_WORDS)


def _number(raw: pl.Expr, dtype: pl.DataType, careful: bool) -> pl.Expr:
    """Parse text as a number; integers go through float so "63.0" is 63. Non-numbers -> null.

    The fast form is a bare cast; the careful one (run only on rows the fast one could
    not parse) also strips spaces and an "IMO" prefix.
    """
    text = raw.str.strip_chars().str.strip_prefix("IMO") if careful else raw
    value = text.cast(pl.Float64, strict=False)
    if dtype in (pl.Int8, pl.Int16, pl.Int64):
        return value.round(0).cast(dtype, strict=False)
    return value.cast(dtype)


def _iso_format(sample: pl.Series) -> str | None:
    """The ISO 8601 pattern parsing most sampled values (None: none does, try unix epoch)."""
    parsed = {fmt: sample.len() - sample.str.to_datetime(fmt, time_unit="us", strict=False).null_count()
              for fmt in _ISO_FORMATS}
    best = max(parsed, key=lambda fmt: parsed[fmt])
    return best if parsed[best] > 0 else None


def _time(raw: pl.Expr, time_format: str | None) -> pl.Expr:
    """UTC timestamps from text with a strptime pattern (naive means UTC) or from unix epoch."""
    if time_format is not None:
        parsed = raw.str.strip_chars().str.to_datetime(time_format, time_unit="us", strict=False)
        return parsed.dt.convert_time_zone("UTC") if "%z" in time_format or "%:z" in time_format \
            else parsed.dt.replace_time_zone("UTC")
    epoch = raw.str.strip_chars().cast(pl.Float64, strict=False)
    # Numbers above ~1e11 cannot be seconds (year 5138): they are milliseconds.
    epoch_us = pl.when(epoch > 1e11).then(epoch * 1e3).otherwise(epoch * 1e6).cast(pl.Int64, strict=False)
    return epoch_us.cast(pl.Datetime("us", "UTC"))


def _field_expr(name: str, raw: pl.Expr, dtype: pl.DataType, layout: TableLayout,
                time_format: str | None, careful: bool) -> pl.Expr:
    """Canonical value for one field from its raw column (text or already typed)."""
    if name in ("timestamp", "eta"):
        if isinstance(dtype, pl.Datetime):
            as_us = raw.dt.cast_time_unit("us")
            return as_us.dt.replace_time_zone("UTC") if dtype.time_zone is None else as_us.dt.convert_time_zone("UTC")
        if dtype.is_numeric():
            return _time(raw.cast(pl.Utf8), None)
        return _time(raw, time_format)
    if name in _TEXT:
        return _clean_text(raw)
    target = _FLOATS.get(name) or _INTS[name]
    if dtype.is_numeric():
        return (raw.round(0) if dtype.is_float() and target in _INTS.values() else raw).cast(target, strict=False)
    lookup = {"nav_status": codes.NAV_STATUS, "msg_type": codes.MSG_TYPE, "ship_type": codes.SHIP_TYPE}.get(name)
    if lookup is not None and (layout.text_codes or name == "msg_type"):
        words = (raw.str.strip_chars() if careful else raw).replace_strict(codes.any_casing(lookup), default=None, return_dtype=target)
        return pl.coalesce([words, _number(raw, target, careful)])
    if name == "imo" and not careful:  # NOAA writes "IMO8207721" on every row
        return _number(raw.str.strip_prefix("IMO"), target, careful)
    return _number(raw, target, careful)


def _time_format(raw: pl.DataFrame, column: str, layout: TableLayout) -> str | None:
    if layout.time_format is not None or raw.schema[column] != pl.Utf8:
        return layout.time_format
    sample = raw.get_column(column).drop_nulls().head(200).str.strip_chars()
    return _iso_format(sample) if sample.len() else None


def parse_rows(raw: pl.DataFrame, layout: TableLayout, source_id: int, line_nos: pl.Series) -> Batch:
    """Canonical positions/static/rejects for one batch of raw rows (``line_nos`` per row).

    Two passes keep the common case cheap: a bare cast of every field, then a careful
    parse (spaces, "Unknown", "IMO" prefixes) and reject reasons for only the rows where
    the bare cast left a given value null.
    """
    # Input columns get a prefix so a file whose header already says "mmsi" cannot collide.
    raw = raw.rename({c: f"in:{c}" for c in raw.columns})
    dtypes = dict(raw.schema)
    mapped = {name: f"in:{col}" for name, col in layout.columns.items() if f"in:{col}" in dtypes}
    time_format = _time_format(raw, mapped["timestamp"], layout)
    required = required_fields(mapped)

    def parsed(careful: bool) -> list[pl.Expr]:
        # Text fields are cleaned later, on the few static rows left after de-duplication.
        return [_field_expr(name, pl.col(col), dtypes[col], layout, time_format, careful).alias(name)
                for name, col in mapped.items() if name not in _TEXT]

    # Words mapped to codes (DMA nav status, ship type) may be unmapped: null, not a reject.
    checked = [n for n in mapped if n not in _TEXT
               and not (layout.text_codes and n in ("nav_status", "msg_type", "ship_type"))]
    frame = raw.with_columns(line_no=line_nos).with_columns(parsed(careful=False))
    suspect = pl.any_horizontal([pl.col(mapped[n]).is_not_null() & pl.col(n).is_null() for n in checked]
                                + [pl.col(mapped[f]).is_null() for f in required])
    frame = frame.with_columns(_suspect=suspect)
    clean = frame.filter(~pl.col("_suspect"))
    redo = frame.filter(pl.col("_suspect")).drop([n for n in mapped if n not in _TEXT])
    redo = redo.with_columns(parsed(careful=True))
    redo = redo.with_columns(reason=_reasons(redo, mapped, dtypes, checked, raw.columns, required))
    bad = redo.filter(pl.col("reason").is_not_null() & (pl.col("reason") != "empty_row"))
    good = clean.vstack(redo.filter(pl.col("reason").is_null()).select(clean.columns))
    if redo.height:
        good = good.sort("line_no")
    n_empty = redo.height - bad.height - (good.height - clean.height)

    positions = _positions(good, mapped, source_id)
    static = _static(good, mapped, source_id)
    rejects = _rejects(bad, raw.columns, source_id)
    counts = Counts(lines_read=raw.height, decoded=good.height, positions=positions.num_rows,
                    static=static.num_rows)
    counts.rejected.update(dict(bad.group_by("reason").len().iter_rows()))
    if n_empty:
        counts.skipped["empty_row"] = n_empty
    return Batch(positions, static, rejects, counts)


def _reasons(frame: pl.DataFrame, mapped: dict[str, str], dtypes: dict, checked: list[str],
             columns: list[str], required: tuple[str, ...]) -> pl.Expr:
    """Why a suspect row is rejected (null: it was fine after the careful parse)."""
    def given(name: str) -> pl.Expr:
        col = pl.col(mapped[name])
        return col.is_not_null() & ~_is_null_word(col) if dtypes[mapped[name]] == pl.Utf8 else col.is_not_null()

    required_missing = pl.any_horizontal([~given(f) for f in required])
    time_failed = [given(n) & pl.col(n).is_null() for n in ("timestamp", "eta") if n in mapped]
    failed = [given(n) & pl.col(n).is_null() for n in checked]
    # A row with no value at all (blank line, or only commas) carries nothing to reject.
    empty = pl.all_horizontal([pl.col(c).is_null() for c in columns])
    return (pl.when(empty).then(pl.lit("empty_row"))
            .when(required_missing).then(pl.lit("missing_field"))
            .when(pl.any_horizontal(time_failed)).then(pl.lit("bad_timestamp"))
            .when(pl.any_horizontal(failed)).then(pl.lit("bad_number"))
            .otherwise(None))


def _rename(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.rename({n: _RENAME[n] for n in frame.columns if n in _RENAME})


def _canonical(frame: pl.DataFrame, target: pa.Schema, source_id: int) -> pa.Table:
    present = [n for n in frame.columns if n in target.names]
    table = frame.select(present).with_columns(source_id=pl.lit(source_id, pl.Int32)).to_arrow()
    return schema.conform(table, target)


def _positions(good: pl.DataFrame, mapped: dict[str, str], source_id: int) -> pa.Table:
    if "lat" not in mapped:  # a static/voyage-only table
        return schema.empty_table(schema.POSITIONS)
    names = [n for n in ("mmsi", "timestamp", "lat", "lon", "sog", "cog", "heading", "nav_status", "msg_type")
             if n in mapped]
    frame = null_position_sentinels(_rename(good.select([*names, "line_no"])))
    return _canonical(frame, schema.POSITIONS, source_id)


def _static(good: pl.DataFrame, mapped: dict[str, str], source_id: int) -> pa.Table:
    fields = [n for n in STATIC_FIELDS if n in mapped]
    if not fields:
        return schema.empty_table(schema.STATIC)
    extra = ["msg_type"] if "msg_type" in mapped else []
    values = [pl.col(mapped[f]).alias(f) if f in _TEXT else pl.col(f) for f in fields]
    frame = good.select(["mmsi", "timestamp", *values, *extra, "line_no"])
    # Exports repeat a vessel's static data on every row: keep the first and the last report of
    # each run of identical values (per vessel, in time order), so A -> B -> A keeps the return
    # to A. The last report of a run is evidence the detectors need: a draught change counts
    # only when the next report confirms it (a one-report run is a typo), a draught change
    # starts at the last report of the old draught, and an IMO's user is known until its last
    # report (borrowed vs handed over). A combined 64-bit hash makes this cheap on millions of
    # rows; two different records would have to collide (odds ~1e-8 per million rows).
    frame = frame.sort("mmsi", "timestamp", maintain_order=True)
    frame = frame.filter(_run_ends(fields))
    frame = frame.with_columns([_clean_text(pl.col(f)).alias(f) for f in fields if f in _TEXT])
    frame = null_static_sentinels(_rename(frame))
    fields = [_RENAME.get(f, f) for f in fields]
    frame = frame.filter(pl.any_horizontal([pl.col(f).is_not_null() for f in fields]))
    frame = frame.filter(_run_ends(fields))  # again after cleaning text ("NAME@@" == "NAME")
    if "imo" in fields:
        valid = imo_check_digit_ok(frame["imo"].fill_null(-1).to_numpy())
        frame = frame.with_columns(imo_valid=pl.when(pl.col("imo").is_null()).then(None).otherwise(pl.Series(valid)))
    return _canonical(frame, schema.STATIC, source_id)


def _run_ends(fields: list[str]) -> pl.Expr:
    """True at the first and the last row of each run of identical fields per MMSI (rows sorted
    by MMSI, then time)."""
    combined = pl.lit(0, pl.UInt64)
    for seed, name in enumerate(fields, start=1):
        combined = combined.xor(pl.col(name).hash(seed=seed))
    starts = (pl.col("mmsi") != pl.col("mmsi").shift(1)) | (combined != combined.shift(1))
    starts = starts.fill_null(True)
    return starts | starts.shift(-1).fill_null(True)


def _rejects(bad: pl.DataFrame, columns: list[str], source_id: int) -> pa.Table:
    if bad.height == 0:
        return schema.empty_table(schema.REJECTS)
    text = pl.concat_str([pl.col(c).cast(pl.Utf8).fill_null("") for c in columns], separator=",")
    frame = bad.select(pl.col("line_no"), pl.col("reason"), text.str.slice(0, schema.RAW_CAP).alias("raw"))
    return _canonical(frame, schema.REJECTS, source_id)
