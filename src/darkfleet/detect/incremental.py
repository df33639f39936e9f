"""Incremental detection (``darkfleet detect --db PATH --since DATE``): re-process only the new
days plus the overlap that events straddling the boundary need, and keep earlier events.

The previous run's events ``O`` (stored in the database) were found on the data before
``since``. A window run ``N`` sees only positions from a start ``C``; its first ``overlap_h``
are warm-up. The result keeps ``O``'s events that start before ``A = C + overlap_h`` and
``N``'s events that start from ``A``. ``C`` moves back until that split is exact:

* every old event still running near the window (ending at or after ``C``) starts at or
  after ``A``, so ``N`` re-finds it whole (and extends it if the new days continue it).
  Events that need other vessels' positions (gaps: reception; dark STS) move ``C`` for
  everyone; an encounter moves it for its two vessels only, any other event for its own
  vessel only (a spoofing event back to the vessel's first report: its evidence is a
  segment's first fix). Events are then owned per vessel by the warm-up of the vessels
  they depend on;
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
from dataclasses import dataclass, field
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


# need every vessel's positions around them (reception along a gap; the partner a gap hides)
CROSS_VESSEL = ("gap", "dark_sts")
PAIR = "encounter"  # needs both vessels' positions, nobody else's
HISTORY_START = datetime(1970, 1, 2, tzinfo=timezone.utc)  # "from the vessel's first report"


@dataclass
class Window:
    """Where the window run starts reading: ``start_utc`` for everyone, earlier for some vessels."""

    start_utc: datetime
    overlap: timedelta
    vessel_start: dict[int, datetime] = field(default_factory=dict)

    @property
    def warm_utc(self) -> datetime:
        return self.start_utc + self.overlap

    def vessel_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {"mmsi": list(self.vessel_start), "warm_utc": [t + self.overlap for t in self.vessel_start.values()]},
            schema={"mmsi": pl.Int64, "warm_utc": pl.Datetime("us", "UTC")},
        )


def window_start(store: Store, since: datetime, overlap: timedelta) -> Window:
    """The earliest positions the window run must read (see the module docstring).

    An old event still running near the window moves the start back: for everyone when the
    event needs other vessels' positions (:data:`CROSS_VESSEL`), else for its vessel only."""
    window = Window(since - 2 * overlap, overlap)
    for _ in range(MAX_ROUNDS):
        warm = window.warm_utc
        cross = _scalar(
            store,
            "SELECT min(start_utc) FROM events WHERE end_utc >= ? AND start_utc < ? AND event_type IN ?",
            [window.start_utc, warm, list(CROSS_VESSEL)],
        )
        # a vessel heard again after `since` was silent across it: that gap starts at its last report
        silent = _scalar(
            store,
            "SELECT min(last_utc) FROM (SELECT mmsi, max(timestamp_utc) AS last_utc FROM positions "
            "WHERE timestamp_utc < ? AND mmsi IN (SELECT mmsi FROM positions WHERE timestamp_utc >= ?) "
            "GROUP BY mmsi) WHERE last_utc < ?",
            [since, since, warm],
        )
        earliest = min((t for t in (cross, silent) if t is not None), default=None)
        if earliest is not None:
            window.start_utc = min(window.start_utc, earliest - overlap)
            continue
        moved = False
        rows = store.con.execute(
            # spoofing evidence (a segment's first fix) can lie anywhere in the vessel's past: read all of it
            "SELECT v, min(CASE WHEN k = ? THEN ? ELSE s END) FROM (SELECT mmsi AS v, start_utc AS s, end_utc AS e, "
            "event_type AS k FROM events "
            "UNION ALL SELECT other_mmsi, start_utc, end_utc, event_type FROM events WHERE event_type = ?) "
            "WHERE e >= ? AND k NOT IN ? AND v IS NOT NULL GROUP BY v",
            ["spoofing", HISTORY_START, PAIR, window.start_utc, list(CROSS_VESSEL)],
        ).fetchall()
        for mmsi, first in rows:  # one step per vessel with an open event, not per position
            current = window.vessel_start.get(mmsi, window.start_utc)
            if first < current + overlap:
                window.vessel_start[mmsi] = first - overlap
                moved = True
        if not moved:
            return window
    raise InputError(f"the incremental window did not settle within {MAX_ROUNDS} rounds; run without --since")


def _window_inputs(store: Store, window: Window) -> tuple[pa.Table, pa.Table]:
    early = pa.table({"mmsi": list(window.vessel_start), "from_utc": list(window.vessel_start.values())},
                     schema=pa.schema([("mmsi", pa.int64()), ("from_utc", schema.UTC_TS)]))
    # every vessel's own start: the window's, or earlier for a vessel with a long open event
    starts = "LEFT JOIN _darkfleet_early e ON t.mmsi = e.mmsi"
    own = "coalesce(e.from_utc, $start)"
    # each static field's last known value before a vessel's start, so a change at its first report is seen
    latest = " UNION ALL ".join(
        f"SELECT * FROM (SELECT t.*, row_number() OVER (PARTITION BY t.mmsi ORDER BY t.timestamp_utc DESC, t.line_no DESC)"
        f" AS _k FROM static t {starts} WHERE t.timestamp_utc < {own} AND t.\"{f}\" IS NOT NULL) WHERE _k = 1"
        for f in _STATIC_FIELDS
    )
    params = {"start": window.start_utc}
    store.con.register("_darkfleet_early", early)
    try:
        positions = store.arrow(f"SELECT t.* FROM positions t {starts} WHERE t.timestamp_utc >= {own}", params)  # type: ignore[arg-type]
        static = store.arrow(
            f"SELECT t.* FROM static t {starts} WHERE t.timestamp_utc >= {own} "
            f"UNION ALL SELECT * EXCLUDE (_k) FROM ({latest})",
            params,  # type: ignore[arg-type]
        )
    finally:
        store.con.unregister("_darkfleet_early")
    return positions, schema.conform(static, schema.STATIC)


def _from_window(events: pl.DataFrame, window: Window) -> pl.Series:
    """Which events the window run owns: those starting after the warm-up of every vessel they
    depend on (all vessels for :data:`CROSS_VESSEL`, both for encounters, else their own)."""
    warm = window.vessel_frame()
    own = events.select("mmsi").join(warm, on="mmsi", how="left")["warm_utc"]
    other = events.select(pl.col("other_mmsi").alias("mmsi")).join(warm, on="mmsi", how="left")["warm_utc"]
    general = pl.lit(window.warm_utc)
    need = (
        pl.when(pl.col("event_type").is_in(list(CROSS_VESSEL))).then(general)
        .when(pl.col("event_type") == PAIR)
        .then(pl.max_horizontal(pl.coalesce(pl.lit(own), general), pl.coalesce(pl.lit(other), general)))
        .otherwise(pl.coalesce(pl.lit(own), general))
    )
    return events.select(pl.col("start_utc") >= need).to_series()


def merge_events(old: pl.DataFrame, new: pl.DataFrame, window: Window) -> pl.DataFrame:
    """Old events the window does not own plus the window's own events, in output order."""
    kept = old.filter(~_from_window(old, window))
    fresh = new.filter(_from_window(new, window))
    return pl.concat([kept, fresh]).sort("start_utc", "event_type", "mmsi", "event_id")


def run_since(store: Store, since: datetime, config: DetectConfig, engine=None):  # -> (DetectResult, dict)
    """Detection on the days from ``since`` merged with the stored events; the store is not written."""
    from darkfleet.detect.pipeline import run_detection

    since = _as_utc(since)
    digest = config.digest()
    _check_state(store, digest, since)
    overlap = timedelta(hours=overlap_hours(config))
    window = window_start(store, since, overlap)
    positions, static = _window_inputs(store, window)
    result = run_detection(positions, static, config, engine=engine)
    old = pl.from_arrow(schema.conform(store.arrow("SELECT * FROM events"), schema.EVENTS))
    result.events = merge_events(old, result.events, window)  # type: ignore[arg-type]
    result.summary["events"] = {t.value: int((result.events["event_type"] == t.value).sum()) for t in schema.EventType}
    extent = {"since": since.isoformat(), "window_start_utc": window.start_utc.isoformat(),
              "vessels_read_earlier": len(window.vessel_start), "overlap_h": overlap.total_seconds() / 3600,
              "window_positions": positions.num_rows}
    return result, extent
