"""Read-only queries behind the API. User values only ever travel as bound parameters (``?``);
the SQL text is assembled from fixed fragments chosen by which filters are present.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb
import numpy as np

from darkfleet.report.records import VIEW_TABLES
from darkfleet.store import ddl
from darkfleet.serve.params import BBox
from darkfleet.serve.simplify import cap_mask, simplify_mask, tolerance_deg

GAP_H = 1.0  # silences longer than this are flagged so the map draws them dashed


def connect_read_only(db_path: str) -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    """An in-memory connection with the store attached READ_ONLY and one view per table.

    Tables the store lacks (e.g. ``events`` before ``darkfleet detect``) become empty in-memory
    tables, so every query works on any store. Views live in the in-memory catalog, which every
    cursor of the connection shares (temporary views would not be visible to other cursors).
    """
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # startup queries on a big store would draw one on stdout
    quoted = db_path.replace("'", "''")  # the operator's path from the command line, not request input
    con.execute(f"ATTACH '{quoted}' AS store (READ_ONLY)")
    present = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'store'").fetchall()}
    missing = []
    for name, table_schema in VIEW_TABLES.items():
        if name in present:
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM store.main."{name}"')  # fixed names only
        else:
            con.execute(ddl(name, table_schema))
            missing.append(name)
    # API queries are small and many run at once: one thread each avoids oversubscribing the cores
    # (measured ~1.7x faster events pages under concurrent load than DuckDB's default of all cores)
    con.execute("SET threads = 1")
    return con, missing


@dataclass(frozen=True)
class EventFilter:
    """What ``/api/events`` asks for (applied by :class:`~darkfleet.serve.event_index.EventIndex`)."""

    types: list[str] | None = None
    bbox: BBox | None = None
    start: datetime | None = None
    end: datetime | None = None
    mmsi: int | None = None
    min_confidence: float | None = None
    after: tuple[datetime, str] | None = None


def last_fix(cur, mmsi: int) -> datetime | None:
    return cur.sql("SELECT max(timestamp_utc) FROM positions WHERE mmsi = ?", params=[mmsi]).fetchall()[0][0]


# No ORDER BY: one thread scans in storage order, which ingest leaves sorted by (mmsi, time); the rare
# unsorted store (appended ingests) is sorted in NumPy instead of paying for a sort on every request.
_TRACK_SQL = """
SELECT epoch_ms(timestamp_utc) AS t_ms, lat, lon, CAST(sog_kn AS DOUBLE) AS sog_kn FROM positions
WHERE mmsi = ? AND timestamp_utc BETWEEN ? AND ? AND isfinite(lat) AND isfinite(lon)
"""


def _track_fixes(cur, mmsi: int, start: datetime, end: datetime) -> dict[str, np.ndarray]:
    # fetchnumpy: no Arrow table in between; a NULL speed arrives masked and becomes NaN
    cols = {name: np.ma.filled(values, np.nan) if np.ma.isMaskedArray(values) else values
            for name, values in cur.execute(_TRACK_SQL, [mmsi, start, end]).fetchnumpy().items()}
    t_ms = cols["t_ms"] = cols["t_ms"].astype(np.int64, copy=False)
    if t_ms.size > 1 and (np.diff(t_ms) < 0).any():
        order = np.argsort(t_ms, kind="stable")
        cols = {name: values[order] for name, values in cols.items()}
    return cols


def track(cur, mmsi: int, start: datetime, end: datetime, zoom: int | None, max_points: int,
          draught: dict[str, list[Any]]) -> dict[str, Any]:
    """Positions of one vessel in [start, end], flagged at silences and thinned for display, with its ``draught`` steps."""
    cols = _track_fixes(cur, mmsi, start, end)
    t_ms = cols["t_ms"]
    gap_before = np.r_[False, np.diff(t_ms) > GAP_H * 3.6e6] if t_ms.size else np.zeros(0, dtype=bool)
    keep = np.ones(t_ms.size, dtype=bool)
    if zoom is not None and t_ms.size > 2:
        keep = simplify_mask(cols["lon"], cols["lat"], gap_before, tolerance_deg(zoom))
    keep = cap_mask(keep, gap_before, max_points)
    sog = np.round(cols["sog_kn"][keep], 1)
    return {
        "mmsi": mmsi, "start_utc": start.isoformat(), "end_utc": end.isoformat(),
        "n_total": int(t_ms.size), "n_returned": int(keep.sum()), "simplified": bool(keep.sum() < t_ms.size),
        "t_ms": t_ms[keep].tolist(), "lat": np.round(cols["lat"][keep], 6).tolist(),
        "lon": np.round(cols["lon"][keep], 6).tolist(),
        "sog_kn": sog.tolist(),  # a missing speed is NaN here and null in the JSON (orjson, cache.render_json)
        "gap_before": _carry_gaps(gap_before, keep).tolist(),
        "draught": draught,
    }


def _carry_gaps(gap_before: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Gap flags of the kept points: set when a real silence lies between a point and the previous kept one.

    Recomputing gaps from kept timestamps would turn every thinned straight leg into a false silence.
    """
    silences_so_far = np.cumsum(gap_before)[keep]
    return np.diff(silences_so_far, prepend=0) > 0 if silences_so_far.size else np.zeros(0, dtype=bool)


def summary(cur) -> dict[str, Any]:
    by_type = dict(cur.sql("SELECT event_type, count(*) FROM events GROUP BY 1 ORDER BY 1").fetchall())
    counts = {name: cur.sql(f'SELECT count(*) FROM "{name}"').fetchall()[0][0] for name in VIEW_TABLES}
    span = cur.sql("SELECT epoch_ms(min(start_utc)), epoch_ms(max(coalesce(end_utc, start_utc))), "
                   "min(start_utc), max(coalesce(end_utc, start_utc)) FROM events").fetchall()[0]
    bbox = cur.sql("SELECT min(lon), min(lat), max(lon), max(lat) FROM events").fetchall()[0]
    return {
        "n_events": counts["events"], "n_vessels": counts["vessels"], "n_positions": counts["positions"],
        "n_static": counts["static"], "events_by_type": by_type,
        "start_ms": span[0], "end_ms": span[1],
        "start_utc": span[2].isoformat() if span[2] else None, "end_utc": span[3].isoformat() if span[3] else None,
        "bbox": list(bbox) if bbox[0] is not None else None,
    }


def default_window(cur, mmsi: int, start: datetime | None, end: datetime | None, span: timedelta) -> tuple[datetime, datetime] | None:
    """Fill a missing end with the last fix and a missing start with ``end - span``."""
    if end is None:
        end = (start + span) if start is not None else last_fix(cur, mmsi)
        if end is None:
            return None
    if start is None:
        start = end - span
    return start, end


__all__ = ["EventFilter", "track", "summary"]
