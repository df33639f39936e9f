"""Collect what the report shows from a DuckDB connection holding the four tables.

The same queries serve an on-disk store (``darkfleet report --db``) and in-memory frames
(``write_report``), so everything heavy happens in DuckDB: windowing positions around events,
flagging silences, and thinning long tracks. Python only reshapes per track.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import duckdb
import polars as pl

from darkfleet.report.records import event_records, vessel_records


@dataclass(frozen=True)
class ReportLimits:
    """Bounds that keep one HTML file small whatever the database size."""

    max_events: int = 5000  # drawn on the map
    max_detail_events: int = 300  # with tracks and plots inlined
    max_vessels: int = 1000  # rows in the risk table
    max_points_per_track: int = 400  # ~45 bytes a point: 300 events x 2 tracks stay under ~11 MB
    pad_h: float = 6.0  # track context before and after an event
    gap_h: float = 1.0  # silences longer than this are drawn dashed


def _has(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()[0]
    return bool(row and row[0])


# What an analyst should see first when risk does not decide: concealment before routine.
EVENT_PRIORITY = ["dark_sts", "spoofing", "identity_change", "gap", "draught_change", "encounter", "loitering",
                  "port_visit"]

_EVENTS_SQL = """
SELECT e.*, coalesce(v.risk_score, 0) AS _risk
FROM events e LEFT JOIN vessels v USING (mmsi)
ORDER BY _risk DESC, coalesce(list_position(?::VARCHAR[], e.event_type), 99), e.confidence DESC NULLS LAST,
         e.start_utc, e.event_id
LIMIT ?
"""

_EVENTS_NO_VESSELS_SQL = """
SELECT e.*, 0.0 AS _risk FROM events e
ORDER BY coalesce(list_position(?::VARCHAR[], e.event_type), 99), e.confidence DESC NULLS LAST, e.start_utc,
         e.event_id
LIMIT ?
"""

# One row per (event, vessel) window; the gap flags are computed on the full-resolution track so
# thinning can never hide or invent a silence, and the points on both sides of a gap are kept.
_TRACKS_SQL = """
WITH win AS (
    SELECT event_id, unnest([mmsi, other_mmsi]) AS mmsi,
           start_utc - to_microseconds(CAST(? * 3600e6 AS BIGINT)) AS t0,
           coalesce(end_utc, start_utc) + to_microseconds(CAST(? * 3600e6 AS BIGINT)) AS t1
    FROM detail_events
),
pts AS (
    SELECT w.event_id, p.mmsi, p.timestamp_utc, p.lat, p.lon, p.sog_kn,
           p.timestamp_utc - lag(p.timestamp_utc) OVER tw > to_microseconds(CAST(? * 3600e6 AS BIGINT))
               AS gap_before,
           lead(p.timestamp_utc) OVER tw - p.timestamp_utc > to_microseconds(CAST(? * 3600e6 AS BIGINT))
               AS gap_after,
           row_number() OVER tw AS rn,
           count(*) OVER (PARTITION BY w.event_id, p.mmsi) AS n
    FROM win w JOIN positions p ON p.mmsi = w.mmsi AND p.timestamp_utc BETWEEN w.t0 AND w.t1
    WHERE w.mmsi IS NOT NULL AND p.lat IS NOT NULL AND p.lon IS NOT NULL
    WINDOW tw AS (PARTITION BY w.event_id, p.mmsi ORDER BY p.timestamp_utc)
)
SELECT event_id, mmsi, epoch_ms(timestamp_utc) AS t_ms, round(lat, 5) AS lat, round(lon, 5) AS lon,
       round(CAST(sog_kn AS DOUBLE), 1) AS sog_kn, coalesce(gap_before, false) AS gap_before
FROM pts
WHERE (rn - 1) % CAST(ceil(n / ?) AS BIGINT) = 0 OR rn = n OR gap_before OR gap_after
ORDER BY event_id, mmsi, timestamp_utc
"""

# Draught is reported in static messages; only changes matter for the plot.
_DRAUGHT_SQL = """
WITH d AS (
    SELECT mmsi, timestamp_utc, draught_m,
           lag(draught_m) OVER (PARTITION BY mmsi ORDER BY timestamp_utc) AS prev_m
    FROM static
    WHERE draught_m IS NOT NULL AND timestamp_utc IS NOT NULL
      AND mmsi IN (SELECT mmsi FROM detail_events UNION SELECT other_mmsi FROM detail_events)
)
SELECT mmsi, epoch_ms(timestamp_utc) AS t_ms, round(CAST(draught_m AS DOUBLE), 2) AS draught_m
FROM d WHERE prev_m IS NULL OR prev_m <> draught_m
ORDER BY mmsi, timestamp_utc
"""

_NAMES_SQL = """
SELECT mmsi, arg_max(name, timestamp_utc) AS name FROM static
WHERE name IS NOT NULL AND timestamp_utc IS NOT NULL GROUP BY mmsi
"""


def _tracks(con, limits: ReportLimits) -> dict[str, list[dict[str, Any]]]:
    params = [limits.pad_h, limits.pad_h, limits.gap_h, limits.gap_h, limits.max_points_per_track]
    df = pl.from_arrow(con.sql(_TRACKS_SQL, params=params).to_arrow_table())
    if df.is_empty():
        return {}
    grouped = df.group_by(["event_id", "mmsi"], maintain_order=True).agg(
        pl.col("t_ms"), pl.col("lat"), pl.col("lon"), pl.col("sog_kn"), pl.col("gap_before")
    )
    tracks: dict[str, list[dict[str, Any]]] = {}
    for row in grouped.iter_rows(named=True):  # one iteration per track, not per position
        tracks.setdefault(row.pop("event_id"), []).append(row)
    return tracks


def _draught(con) -> dict[str, dict[str, list]]:
    df = pl.from_arrow(con.sql(_DRAUGHT_SQL).to_arrow_table())
    grouped = df.group_by("mmsi", maintain_order=True).agg(pl.col("t_ms"), pl.col("draught_m"))
    return {str(r["mmsi"]): {"t_ms": r["t_ms"], "draught_m": r["draught_m"]} for r in grouped.iter_rows(named=True)}


def _summary(con, has_positions: bool) -> dict[str, Any]:
    by_type = dict(con.execute("SELECT event_type, count(*) FROM events GROUP BY 1 ORDER BY 1").fetchall())
    span = con.execute("SELECT epoch_ms(min(start_utc)), epoch_ms(max(coalesce(end_utc, start_utc))) FROM events").fetchall()[0]
    n_positions = con.execute("SELECT count(*) FROM positions").fetchall()[0][0] if has_positions else 0
    return {"events_by_type": by_type, "n_events": sum(by_type.values()), "n_positions": n_positions,
            "start_ms": span[0], "end_ms": span[1]}


def collect_payload(con: duckdb.DuckDBPyConnection, limits: ReportLimits | None = None) -> dict[str, Any]:
    """Everything the report page needs, as plain JSON-ready Python values."""
    limits = limits or ReportLimits()
    has_vessels, has_positions, has_static = (_has(con, t) for t in ("vessels", "positions", "static"))
    sql = _EVENTS_SQL if has_vessels else _EVENTS_NO_VESSELS_SQL
    events = con.sql(sql, params=[EVENT_PRIORITY, limits.max_events]).to_arrow_table()
    con.register("detail_events", events.slice(0, limits.max_detail_events))
    try:
        tracks = _tracks(con, limits) if has_positions else {}
        draught = _draught(con) if has_static else {}
    finally:
        con.unregister("detail_events")
    vessels = []
    if has_vessels:
        vessels = vessel_records(con.sql(
            "SELECT v.*, (SELECT count(*) FROM events e WHERE e.mmsi = v.mmsi OR e.other_mmsi = v.mmsi) AS n_events "
            "FROM vessels v ORDER BY risk_score DESC NULLS LAST, mmsi LIMIT ?", params=[limits.max_vessels]
        ).to_arrow_table())
    names = {str(m): n for m, n in con.execute(_NAMES_SQL).fetchall()} if has_static else {}
    names.update({str(v["mmsi"]): v["name"] for v in vessels if v.get("name")})
    return {
        "generated_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "summary": _summary(con, has_positions),
        "events": event_records(events.drop_columns(["_risk"])),
        "vessels": vessels,
        "tracks": tracks,
        "draught": draught,
        "names": names,
        "limits": {"max_events": limits.max_events, "max_detail_events": limits.max_detail_events,
                   "gap_h": limits.gap_h},
    }
