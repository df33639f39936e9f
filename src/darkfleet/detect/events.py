"""Turning a detector's frame into rows of ``schema.EVENTS``: stable ids and JSON evidence."""

from __future__ import annotations

import hashlib

import polars as pl

from darkfleet import schema
from darkfleet.engine.stage_graph import STAGE_THREADS

HASH_IN_DUCKDB_FROM_EVENTS = 5_000  # below this hashlib is quicker than opening a DuckDB connection (~20 ms)
EVENT_COLUMNS = ["mmsi", "other_mmsi", "start_utc", "end_utc", "lat", "lon", "confidence", "in_port"]


def empty_events() -> pl.DataFrame:
    return pl.from_arrow(schema.EVENTS.empty_table())  # type: ignore[return-value]


def details_expr(**evidence: pl.Expr | str | float | int | bool | None) -> pl.Expr:
    """A JSON object per row built from expressions and constants (the rule and thresholds)."""
    parts = []
    for key, value in evidence.items():
        expr = value if isinstance(value, pl.Expr) else pl.lit(value)
        parts.append(expr.alias(key))
    return pl.struct(parts).struct.json_encode().alias("details")


def event_ids(frame: pl.DataFrame, event_type: str, digest: str) -> pl.Series:
    """Hash of (type, vessel, partner, start, config digest, details kind): same input and config,
    same id. One hash per event, not per position: hashlib below a few thousand events, DuckDB's
    sha1 (the same digest, outside the GIL, ~4x faster) above, where a connection's ~20 ms pays."""
    keys = frame.select(
        pl.concat_str(
            [
                pl.lit(event_type),
                pl.col("mmsi").cast(pl.String),
                pl.col("other_mmsi").cast(pl.String).fill_null("-"),
                pl.col("start_utc").dt.epoch("us").cast(pl.String).fill_null("-"),
                pl.lit(digest),
                _details_key(frame["details"], "kind") + _details_key(frame["details"], "field"),
            ],
            separator="|",
        ).alias("key")
    )
    prefix = f"{event_type[:3]}-"
    if keys.height < HASH_IN_DUCKDB_FROM_EVENTS:
        return pl.Series("event_id", [f"{prefix}{hashlib.sha1(k.encode()).hexdigest()[:16]}" for k in keys["key"]],
                         dtype=pl.String)
    import duckdb

    with duckdb.connect(config={"threads": STAGE_THREADS}) as con:
        con.register("keys", keys.to_arrow())
        ids = con.sql("SELECT $prefix || sha1(key)[1:16] AS event_id FROM keys", params={"prefix": prefix}).arrow()
    return pl.from_arrow(ids)["event_id"]  # type: ignore[index]


def _details_key(details: pl.Series, key: str) -> pl.Expr:
    """The top-level ``key`` of each event's details, "" where absent. Parsing JSON costs more
    than the hash; most event types have no such key, which a substring scan tells."""
    if not details.str.contains(f'"{key}"', literal=True).any():
        return pl.lit("")
    return pl.col("details").str.json_path_match(f"$.{key}").fill_null("")


def finish_events(frame: pl.DataFrame, event_type: str, digest: str) -> pl.DataFrame:
    """Conform a detector's frame (EVENT_COLUMNS + details) to ``schema.EVENTS``."""
    if frame.height == 0:
        return empty_events()
    frame = frame.with_columns(
        *(pl.lit(None).alias(c) for c in EVENT_COLUMNS + ["details"] if c not in frame.columns)
    )
    frame = frame.with_columns(
        pl.lit(event_type).alias("event_type"),
        pl.col("confidence").cast(pl.Float64).clip(0.0, 1.0),
        pl.col("in_port").cast(pl.Boolean).fill_null(False),
    )
    frame = frame.with_columns(event_ids(frame, event_type, digest))
    out = frame.select([f.name for f in schema.EVENTS]).sort(["start_utc", "mmsi", "event_id"])
    return pl.from_arrow(schema.conform(out.to_arrow(), schema.EVENTS))  # type: ignore[return-value]
