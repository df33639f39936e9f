"""Turn event and vessel rows into JSON-ready records (shared by the report and the API).

Both views must show the same thing for the same row, so the JSON columns (``details``,
``risk_factors``, ``sanctions``) are decoded here once, and times become epoch milliseconds
(what JavaScript's ``Date`` takes) next to ISO 8601 strings for people reading the JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from darkfleet import schema

# the four tables the views read, with the schema each must have
VIEW_TABLES = {"positions": schema.POSITIONS, "static": schema.STATIC, "events": schema.EVENTS, "vessels": schema.VESSELS}


def parse_json_field(text: str | None, default: Any, what: str) -> Any:
    """Decode one JSON column value; malformed evidence is kept verbatim rather than dropped."""
    if text is None or text == "":
        return default
    try:
        # NaN/Infinity are accepted by Python's parser but are not JSON: they become null
        return json.loads(text, parse_constant=lambda _: None)
    except json.JSONDecodeError:
        return {"unparsed": text, "error": f"{what} is not valid JSON"}


def _clean(value: Any) -> Any:
    # NaN is not JSON; a missing measurement is null
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _with_epoch_ms(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    for name in columns:
        if name in table.column_names:
            ms = pc.cast(pc.cast(table[name], pa.timestamp("ms", tz="UTC")), pa.int64())
            table = table.append_column(name.removesuffix("_utc") + "_ms", ms)
    return table


def event_records(events: pa.Table) -> list[dict[str, Any]]:
    """Rows of ``schema.EVENTS`` as dicts with ``details`` decoded and ``start_ms``/``end_ms`` added."""
    table = _with_epoch_ms(events, ("start_utc", "end_utc"))
    rows = table.to_pylist()
    for row in rows:
        row["details"] = parse_json_field(row.get("details"), {}, "details")
        for key in ("start_utc", "end_utc"):
            if row.get(key) is not None:
                row[key] = row[key].isoformat()
        for key in ("lat", "lon", "confidence"):
            row[key] = _clean(row.get(key))
    return rows


def vessel_records(vessels: pa.Table) -> list[dict[str, Any]]:
    """Rows of ``schema.VESSELS`` with ``risk_factors`` and ``sanctions`` decoded to lists."""
    rows = vessels.to_pylist()
    for row in rows:
        row["risk_factors"] = parse_json_field(row.get("risk_factors"), [], "risk_factors")
        row["sanctions"] = parse_json_field(row.get("sanctions"), [], "sanctions")
        row["risk_score"] = _clean(row.get("risk_score"))
    return rows
