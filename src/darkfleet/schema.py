"""Canonical column schemas (Arrow) and event types shared by every stage.

Units are in the column names (``_m``, ``_kn``, ``_deg``, ``_utc``); every timestamp is
``timestamp[us, tz=UTC]``. Documented in ``docs/schema.md`` and ``docs/events.md``.
"""

from __future__ import annotations

from enum import StrEnum

import pyarrow as pa

UTC_TS = pa.timestamp("us", tz="UTC")

POSITIONS = pa.schema(
    [
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("timestamp_utc", UTC_TS, nullable=False),
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
        pa.field("sog_kn", pa.float32()),
        pa.field("cog_deg", pa.float32()),
        pa.field("heading_deg", pa.int16()),
        pa.field("nav_status", pa.int8()),
        pa.field("msg_type", pa.int8()),
        pa.field("receiver", pa.string()),
        pa.field("source_id", pa.int32()),
        pa.field("line_no", pa.int64()),
    ]
)

# AIS messages that carry static data themselves. A static row with another (or no) message
# type was copied from a position row by an export that repeats the last values received.
STATIC_MESSAGE_TYPES = (5, 19, 24)

STATIC = pa.schema(
    [
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("timestamp_utc", UTC_TS),
        pa.field("imo", pa.int64()),
        pa.field("imo_valid", pa.bool_()),
        pa.field("name", pa.string()),
        pa.field("callsign", pa.string()),
        pa.field("ship_type", pa.int16()),
        pa.field("draught_m", pa.float32()),
        pa.field("destination", pa.string()),
        pa.field("eta_utc", UTC_TS),
        pa.field("length_m", pa.float32()),
        pa.field("width_m", pa.float32()),
        pa.field("msg_type", pa.int8()),
        pa.field("source_id", pa.int32()),
        pa.field("line_no", pa.int64()),
    ]
)

REJECTS = pa.schema(
    [
        pa.field("source_id", pa.int32()),
        pa.field("line_no", pa.int64()),
        pa.field("reason", pa.string()),
        pa.field("raw", pa.string()),  # capped at RAW_CAP characters
    ]
)

RAW_CAP = 256

# One row per ingested input (file or archive member), written last in its transaction.
SOURCES = pa.schema(
    [
        pa.field("source_id", pa.int32(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("content_sha256", pa.string()),
        pa.field("format", pa.string()),
        pa.field("size_bytes", pa.int64()),
        pa.field("ingested_utc", UTC_TS),
        pa.field("counts", pa.string()),  # JSON: lines_read, decoded, skipped, rejected, ...
    ]
)

EVENTS = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("event_type", pa.string(), nullable=False),
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("other_mmsi", pa.int64()),
        pa.field("start_utc", UTC_TS),
        pa.field("end_utc", UTC_TS),
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
        pa.field("confidence", pa.float64()),
        pa.field("in_port", pa.bool_()),
        pa.field("details", pa.string()),  # JSON evidence
    ]
)

TRUTH = pa.schema(
    [
        pa.field("event_type", pa.string(), nullable=False),
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("other_mmsi", pa.int64()),
        pa.field("start_utc", UTC_TS),
        pa.field("end_utc", UTC_TS),
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
        pa.field("details", pa.string()),
    ]
)


class EventType(StrEnum):
    """Behaviour names shared by the simulator's truth and the detectors."""

    ENCOUNTER = "encounter"
    LOITERING = "loitering"
    GAP = "gap"
    DARK_STS = "dark_sts"
    SPOOFING = "spoofing"
    IDENTITY_CHANGE = "identity_change"
    DRAUGHT_CHANGE = "draught_change"
    PORT_VISIT = "port_visit"


def empty_table(schema: pa.Schema) -> pa.Table:
    """A zero-row table of ``schema``."""
    return schema.empty_table()


def polars_schema(schema: pa.Schema):  # -> pl.Schema
    """The Polars equivalent of an Arrow schema (for ``pl.DataFrame(schema=...)``)."""
    import polars as pl

    return pl.from_arrow(schema.empty_table()).schema


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Reorder/cast ``table`` to ``schema``; missing nullable columns become nulls."""
    cols = []
    for field in schema:
        if field.name in table.column_names:
            cols.append(table.column(field.name).cast(field.type))
        else:
            cols.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(cols, schema=schema)

VESSELS = pa.schema(
    [
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("imo", pa.int64()),
        pa.field("name", pa.string()),
        pa.field("callsign", pa.string()),
        pa.field("flag", pa.string()),  # ISO 3166 alpha-2 from the MMSI's MID
        pa.field("ship_type", pa.int16()),
        pa.field("risk_score", pa.float64()),  # 0-100
        pa.field("risk_factors", pa.string()),  # JSON list of {factor, points, evidence}
        pa.field("sanctions", pa.string()),  # JSON list of matches
    ]
)

SEGMENTS = pa.schema(
    [
        pa.field("segment_id", pa.int64(), nullable=False),
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("start_utc", UTC_TS),
        pa.field("end_utc", UTC_TS),
        pa.field("n_points", pa.int64()),
        pa.field("start_lat", pa.float64()),
        pa.field("start_lon", pa.float64()),
        pa.field("end_lat", pa.float64()),
        pa.field("end_lon", pa.float64()),
    ]
)

# The simulator's benign look-alikes (docs/truth.md): situations that must not raise an
# outside-port encounter, dark_sts or loitering alert.
BENIGN = pa.schema(
    [
        pa.field("kind", pa.string(), nullable=False),
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("other_mmsi", pa.int64()),
        pa.field("start_utc", UTC_TS),
        pa.field("end_utc", UTC_TS),
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
    ]
)
