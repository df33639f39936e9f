"""Incremental detection (``darkfleet detect --db PATH --since DATE``): re-process only the new
days plus the overlap that events straddling the boundary need, and keep earlier events.

The previous run's events ``O`` (stored in the database) were found on the data before
``since``. A window run ``N`` sees only positions from a start ``C``; its first ``overlap_h``
are warm-up. The result keeps ``O``'s events that start before ``A = C + overlap_h`` and
``N``'s events that start from ``A``. ``C`` moves back until that split is exact:

* every old event still running near the window (ending at or after ``C``) starts at or
  after ``A``, so ``N`` re-finds it whole (and extends it if the new days continue it);
* every vessel heard again after ``since`` was last heard before, at or after ``A``, so the
  gap straddling ``since`` is found by ``N`` with its true start;
* ``overlap_h`` covers every forward look of the detectors (merge windows, confirmations),
  so old events ending before ``C`` cannot change.

The overlap is the longest ``*_h`` setting of the configuration, at least a day. Each run
records what it processed (``detect_state``), so ``--since`` refuses a store whose events
were made with other settings or that was never processed up to ``since``.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from typing import Any

import polars as pl
import pyarrow as pa

from darkfleet import schema
from darkfleet.config import DetectConfig
from darkfleet.errors import ConfigError, InputError
from darkfleet.store import Store

MIN_OVERLAP_H = 24.0
MAX_ROUNDS = 50  # each round moves the window start back; real stores settle in a few
STATE_TABLE = "detect_state"
STATE = pa.schema(
    [
        pa.field("config_digest", pa.string()),
        pa.field("processed_until_utc", schema.UTC_TS),  # latest position the run saw
        pa.field("run_utc", schema.UTC_TS),
    ]
)
_STATIC_FIELDS = ("name", "callsign", "imo", "ship_type", "draught_m", "length_m")


def overlap_hours(config: DetectConfig) -> float:
    """The longest duration setting of any stage (at least :data:`MIN_OVERLAP_H`)."""
    hours = [MIN_OVERLAP_H]
    for stage in _stages(config):
        hours += [float(v) for k, v in dataclasses.asdict(stage).items() if k.endswith("_h") and v is not None]
    return max(hours)


def _stages(config: DetectConfig) -> list[Any]:
    return [getattr(config, f.name) for f in dataclasses.fields(config) if dataclasses.is_dataclass(getattr(config, f.name))]


def record_state(store: Store, digest: str) -> None:
    """Remember the settings and the data extent of the events just written."""
    processed_until = _scalar(store, "SELECT max(timestamp_utc) FROM positions", []) if store.has_table("positions") else None
    store.replace(STATE_TABLE, STATE, pa.table(
        {"config_digest": [digest], "processed_until_utc": [processed_until],
         "run_utc": [datetime.now(timezone.utc)]}, schema=STATE,
    ))


def _as_utc(day: datetime) -> datetime:
    return day.replace(tzinfo=timezone.utc) if day.tzinfo is None else day.astimezone(timezone.utc)


def _scalar(store: Store, sql: str, params: list) -> Any:
    rows = store.con.execute(sql, params).fetchall()
    return rows[0][0] if rows else None


def _check_state(store: Store, digest: str, since: datetime) -> None:
    if not store.has_table(STATE_TABLE) or not store.has_table("events"):
        raise ConfigError("--since needs a previous 'darkfleet detect --db' run on this store; run without --since first")
    rows = store.con.execute(f"SELECT config_digest, processed_until_utc FROM {STATE_TABLE}").fetchall()
    old_digest, until = rows[0]
    if old_digest != digest:
        raise ConfigError("the stored events were made with other detection settings; run without --since",
                          stored_digest=old_digest, digest=digest)
    if until is None or until < since - timedelta(days=1):
        raise ConfigError(f"the previous run only processed data up to {until}; --since must not leave a hole",
                          since=since.isoformat())


def window_start(store: Store, since: datetime, overlap: timedelta) -> datetime:
    """The earliest position the window run must read (see the module docstring)."""
    start = since - 2 * overlap
    for _ in range(MAX_ROUNDS):
        warm = start + overlap
        open_events = _scalar(store, "SELECT min(start_utc) FROM events WHERE end_utc >= ? AND start_utc < ?", [start, warm])
        # the last report before `since` of each vessel heard again after it
        silent = _scalar(
            store,
            "SELECT min(last_utc) FROM (SELECT p.mmsi, max(p.timestamp_utc) AS last_utc FROM positions p "
            "WHERE p.timestamp_utc < ? AND p.mmsi IN (SELECT mmsi FROM positions WHERE timestamp_utc >= ?) "
            "GROUP BY p.mmsi) WHERE last_utc < ?",
            [since, since, warm],
        )
        earliest = min((t for t in (open_events, silent) if t is not None), default=None)
        if earliest is None:
            return start
        start = min(start, earliest - overlap)
    raise InputError(f"the incremental window did not settle within {MAX_ROUNDS} rounds; run without --since")


def _window_inputs(store: Store, start: datetime) -> tuple[pa.Table, pa.Table]:
    positions = store.arrow("SELECT * FROM positions WHERE timestamp_utc >= ?", [start])
    # each field's last known value before the window, so a change at the window's first report is seen
    latest = " UNION ALL ".join(
        f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY mmsi ORDER BY timestamp_utc DESC, line_no DESC) AS _k "
        f"FROM static WHERE timestamp_utc < $start AND \"{f}\" IS NOT NULL) WHERE _k = 1"
        for f in _STATIC_FIELDS
    )
    static = store.arrow(
        f"SELECT * FROM static WHERE timestamp_utc >= $start UNION ALL SELECT * EXCLUDE (_k) FROM ({latest})",
        {"start": start},  # type: ignore[arg-type]
    )
    return positions, schema.conform(static, schema.STATIC)


def merge_events(old: pl.DataFrame, new: pl.DataFrame, warm: datetime) -> pl.DataFrame:
    """Old events starting before ``warm`` plus new ones starting from it, in output order."""
    kept = old.filter(pl.col("start_utc") < warm)
    fresh = new.filter(pl.col("start_utc") >= warm)
    return pl.concat([kept, fresh]).sort("start_utc", "event_type", "mmsi", "event_id")


def run_since(store: Store, since: datetime, config: DetectConfig, engine=None):  # -> (DetectResult, dict)
    """Detection on the days from ``since`` merged with the stored events; the store is not written."""
    from darkfleet.detect.pipeline import run_detection

    since = _as_utc(since)
    digest = config.digest()
    _check_state(store, digest, since)
    overlap = timedelta(hours=overlap_hours(config))
    start = window_start(store, since, overlap)
    positions, static = _window_inputs(store, start)
    result = run_detection(positions, static, config, engine=engine)
    old = pl.from_arrow(schema.conform(store.arrow("SELECT * FROM events"), schema.EVENTS))
    result.events = merge_events(old, result.events, start + overlap)  # type: ignore[arg-type]
    result.summary["events"] = {t.value: int((result.events["event_type"] == t.value).sum()) for t in schema.EventType}
    window = {"since": since.isoformat(), "window_start_utc": start.isoformat(), "overlap_h": overlap.total_seconds() / 3600,
              "window_positions": positions.num_rows}
    return result, window
