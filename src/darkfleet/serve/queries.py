"""Read-only queries behind the API. User values only ever travel as bound parameters (``?``);
the SQL text is assembled from fixed fragments chosen by which filters are present.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb
import numpy as np

from darkfleet.report.records import VIEW_TABLES, vessel_records
from darkfleet.store import ddl
from darkfleet.serve.event_index import EventIndex, splice_json
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
    # Search also finds vessels known only from static reports. Their latest identity is computed
    # once here (the store cannot change under a read-only server) instead of on every keystroke.
    con.execute(_IDENTITIES_SQL)
    # API queries are small and many run at once: one thread each avoids oversubscribing the cores
    # (measured ~1.7x faster events pages under concurrent load than DuckDB's default of all cores)
    con.execute("SET threads = 1")
    return con, missing


# identity_history: each distinct identity a vessel reported, with when it was seen (static reports
# are many; distinct identities few). Sorted by MMSI so a vessel's rows sit together.
# draught_changes: the static reports whose draught differs from the vessel's previous one (tens of
# thousands out of tens of millions), so a track's draught plot reads no static report.
_IDENTITIES_SQL = """
CREATE TABLE identity_history AS
SELECT mmsi, name, callsign, imo, ship_type, min(timestamp_utc) AS first_seen_utc,
       max(timestamp_utc) AS last_seen_utc, count(*) AS n_reports
FROM static GROUP BY ALL ORDER BY mmsi, first_seen_utc;
CREATE TABLE draught_changes AS
SELECT mmsi, timestamp_utc, draught_m FROM (
    SELECT mmsi, timestamp_utc, CAST(draught_m AS DOUBLE) AS draught_m,
           lag(draught_m) OVER (PARTITION BY mmsi ORDER BY timestamp_utc) AS prev_m
    FROM static WHERE draught_m IS NOT NULL AND timestamp_utc IS NOT NULL)
WHERE prev_m IS NULL OR prev_m <> draught_m ORDER BY mmsi, timestamp_utc;
CREATE TABLE identities AS
SELECT mmsi, imo, name, callsign, flag, ship_type, risk_score, risk_factors, sanctions FROM vessels
UNION ALL
SELECT mmsi, arg_max(imo, timestamp_utc), arg_max(name, timestamp_utc), arg_max(callsign, timestamp_utc),
       NULL, arg_max(ship_type, timestamp_utc), NULL, NULL, NULL
FROM static WHERE mmsi NOT IN (SELECT mmsi FROM vessels) GROUP BY mmsi
"""


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


_SORTS = {
    "risk": "risk_score DESC NULLS LAST, mmsi",
    "mmsi": "mmsi",
    "name": "name NULLS LAST, mmsi",
}

_SEARCH_SQL = """
SELECT * FROM identities
WHERE starts_with(CAST(mmsi AS VARCHAR), ?) OR starts_with(CAST(imo AS VARCHAR), ?) OR contains(lower(name), lower(?))
ORDER BY {order} LIMIT ?
"""


def vessels_list(cur, sort: str, limit: int, q: str | None) -> dict[str, Any]:
    order = _SORTS[sort]  # a key of a fixed dict, validated by the endpoint
    if q:
        # plain substring/prefix functions, not LIKE: '%' or '_' typed by a user match only themselves
        table = cur.sql(_SEARCH_SQL.format(order=order), params=[q, q, q, limit]).to_arrow_table()
    else:
        table = cur.sql(f"SELECT * FROM vessels ORDER BY {order} LIMIT ?", params=[limit]).to_arrow_table()
    return {"items": vessel_records(table), "count": table.num_rows}


def vessel_detail(cur, mmsi: int, events: EventIndex, max_events: int = 1000) -> bytes | None:
    """Identity (from ``identities``), identity history, risk, sanctions and events of one vessel (JSON)."""
    rows = vessel_records(cur.sql("SELECT * FROM identities WHERE mmsi = ?", params=[mmsi]).to_arrow_table())
    history = cur.sql(
        "SELECT name, callsign, imo, ship_type, strftime(first_seen_utc, '%Y-%m-%dT%H:%M:%S+00:00') AS first_seen_utc, "
        "strftime(last_seen_utc, '%Y-%m-%dT%H:%M:%S+00:00') AS last_seen_utc, n_reports FROM identity_history "
        "WHERE mmsi = ? ORDER BY first_seen_utc NULLS FIRST LIMIT 500", params=[mmsi]
    ).to_arrow_table().to_pylist()
    own_rows = events.vessel_rows(mmsi)[:max_events]
    if not rows and own_rows.size == 0 and last_fix(cur, mmsi) is None:
        return None
    vessel = rows[0] if rows else {"mmsi": mmsi, "risk_factors": [], "sanctions": []}
    return splice_json({**vessel, "identity_history": history}, "events", events.json_array(own_rows))


def last_fix(cur, mmsi: int) -> datetime | None:
    return cur.sql("SELECT max(timestamp_utc) FROM positions WHERE mmsi = ?", params=[mmsi]).fetchall()[0][0]


# Draught changes inside the window, plus the last one before it (the draught the vessel starts with),
# drawn as steps: the same line as every report, without reading a vessel's whole static history.
_DRAUGHT_SQL = """
SELECT * FROM (
    (SELECT epoch_ms(timestamp_utc) AS t_ms, draught_m FROM draught_changes
     WHERE mmsi = ? AND timestamp_utc < ? ORDER BY timestamp_utc DESC LIMIT 1)
    UNION ALL
    (SELECT epoch_ms(timestamp_utc), draught_m FROM draught_changes
     WHERE mmsi = ? AND timestamp_utc BETWEEN ? AND ? ORDER BY timestamp_utc LIMIT 10000)
) ORDER BY t_ms
"""


def track(cur, mmsi: int, start: datetime, end: datetime, zoom: int | None, max_points: int) -> dict[str, Any]:
    """Positions of one vessel in [start, end], flagged at silences and thinned for display."""
    table = cur.sql(
        "SELECT epoch_ms(timestamp_utc) AS t_ms, lat, lon, CAST(sog_kn AS DOUBLE) AS sog_kn FROM positions "
        "WHERE mmsi = ? AND timestamp_utc BETWEEN ? AND ? AND isfinite(lat) AND isfinite(lon) "
        "ORDER BY timestamp_utc", params=[mmsi, start, end],
    ).to_arrow_table()
    cols = {name: table[name].to_numpy(zero_copy_only=False) for name in table.column_names}
    t_ms = cols["t_ms"].astype(np.int64)
    gap_before = np.r_[False, np.diff(t_ms) > GAP_H * 3.6e6] if t_ms.size else np.zeros(0, dtype=bool)
    keep = np.ones(t_ms.size, dtype=bool)
    if zoom is not None and t_ms.size > 2:
        keep = simplify_mask(cols["lon"], cols["lat"], gap_before, tolerance_deg(zoom))
    keep = cap_mask(keep, gap_before, max_points)
    draught = cur.sql(_DRAUGHT_SQL, params=[mmsi, start, mmsi, start, end]).to_arrow_table().to_pydict()
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


__all__ = ["EventFilter", "vessels_list", "vessel_detail", "track", "summary"]
