"""Vessels held in memory by each server process: list, search, detail and draught steps with no query.

The store is read-only while it is served and has a few thousand to a few hundred thousand vessels,
so their identities (risk factors and sanctions matches included), identity histories and draught
changes are read once at start-up, each row rendered to JSON once. A vessel list is then the first
rows of a sort order fixed at start-up; a search, vectorised string tests over every identity; a
vessel detail, binary searches by MMSI and joins of ready-made JSON texts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from darkfleet.report.records import vessel_records
from darkfleet.serve.cache import render_json
from darkfleet.serve.json_rows import JsonRows
from darkfleet.serve.params import epoch_us

SORTS = {  # the orders of /api/vessels?sort=, as SQL over the identity columns
    "risk": "risk_score DESC NULLS LAST, mmsi",
    "mmsi": "mmsi",
    "name": "name NULLS LAST, mmsi",
}
MAX_HISTORY_ROWS = 500  # identities listed per vessel
MAX_DRAUGHT_STEPS = 10_000  # draught changes drawn in one track window

# Search also finds vessels known only from static reports: their latest identity stands in for
# the vessels row they lack.
_IDENTITIES_SQL = """
SELECT mmsi, imo, name, callsign, flag, ship_type, risk_score, risk_factors, sanctions FROM vessels
UNION ALL
SELECT mmsi, arg_max(imo, timestamp_utc), arg_max(name, timestamp_utc), arg_max(callsign, timestamp_utc),
       NULL, arg_max(ship_type, timestamp_utc), NULL, NULL, NULL
FROM static WHERE mmsi NOT IN (SELECT mmsi FROM vessels) GROUP BY mmsi
"""

# Each distinct identity a vessel reported, with when it was seen (static reports are many, distinct
# identities few), in the order a vessel detail lists them.
_HISTORY_SQL = """
SELECT mmsi, name, callsign, imo, ship_type,
       strftime(first_seen, '%Y-%m-%dT%H:%M:%S+00:00') AS first_seen_utc,
       strftime(last_seen, '%Y-%m-%dT%H:%M:%S+00:00') AS last_seen_utc, n_reports
FROM (SELECT mmsi, name, callsign, imo, ship_type, min(timestamp_utc) AS first_seen,
             max(timestamp_utc) AS last_seen, count(*) AS n_reports FROM static GROUP BY ALL)
ORDER BY mmsi, first_seen NULLS FIRST
"""

# The static reports whose draught differs from the vessel's previous one (tens of thousands out of
# tens of millions), so a track's draught plot reads no static report.
_DRAUGHT_SQL = """
SELECT mmsi, epoch_us(timestamp_utc) AS t_us, draught_m FROM (
    SELECT mmsi, timestamp_utc, CAST(draught_m AS DOUBLE) AS draught_m,
           lag(draught_m) OVER (PARTITION BY mmsi ORDER BY timestamp_utc) AS prev_m
    FROM static WHERE draught_m IS NOT NULL AND timestamp_utc IS NOT NULL)
WHERE prev_m IS NULL OR prev_m <> draught_m ORDER BY mmsi, timestamp_utc
"""


class SortedRecords:
    """Vessel rows by MMSI, each rendered to JSON as :func:`vessel_records` writes it, with every sort order."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, sql: str) -> None:
        table = cur.sql(f"SELECT * FROM ({sql}) ORDER BY mmsi").to_arrow_table()
        self.table = table
        self.mmsi = table["mmsi"].to_numpy()
        self.json = JsonRows.from_bytes(render_json(record) for record in vessel_records(table))
        # the orders computed by the same SQL as a query would use (ties, NULLs and NaN alike)
        cur.register("_vessel_rows", table.append_column("_row", pa.array(np.arange(table.num_rows))))
        try:
            self.orders = {sort: cur.sql(f"SELECT _row FROM _vessel_rows ORDER BY {order}").to_arrow_table()["_row"]
                           .to_numpy() for sort, order in SORTS.items()}
        finally:
            cur.unregister("_vessel_rows")

    def row_of(self, mmsi: int) -> int | None:
        row = int(np.searchsorted(self.mmsi, mmsi))
        return row if row < self.mmsi.size and self.mmsi[row] == mmsi else None

    def first(self, sort: str, limit: int, matching: np.ndarray | None = None) -> tuple[bytes, int]:
        """JSON array of the first ``limit`` rows in ``sort`` order (among ``matching`` rows) and its length."""
        order = self.orders[sort]
        if matching is not None:
            order = order[matching[order]]
        rows = order[:limit]
        return self.json.array(rows), int(rows.size)


class VesselIndex:
    """Every vessel of the store, for ``/api/vessels``, ``/api/vessels/{mmsi}`` and the draught of a track."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self.listed = SortedRecords(cur, "SELECT * FROM vessels")
        self.identities = SortedRecords(cur, _IDENTITIES_SQL)
        ids = self.identities.table
        self._mmsi_text = pc.cast(ids["mmsi"], pa.string())
        self._imo_text = pc.cast(ids["imo"], pa.string())
        self._name_lower = pc.utf8_lower(ids["name"])
        history = cur.sql(_HISTORY_SQL).to_arrow_table()
        self._history_mmsi = history["mmsi"].to_numpy()
        self._history = JsonRows.from_bytes(render_json(row) for row in history.drop_columns(["mmsi"]).to_pylist())
        draught = cur.sql(_DRAUGHT_SQL).to_arrow_table()
        self._draught_mmsi = draught["mmsi"].to_numpy()
        self._draught_t_us = draught["t_us"].to_numpy()
        self._draught_m = draught["draught_m"].to_numpy()
        # vessels seen only in positions (no identity, no event) exist too
        self._with_positions = np.sort(cur.sql("SELECT DISTINCT mmsi FROM positions").to_arrow_table()["mmsi"].to_numpy())

    def vessels(self, sort: str, limit: int, text: str | None) -> bytes:
        """The ``/api/vessels`` body: the vessels table in ``sort`` order, or the identities matching ``text``."""
        if not text:
            items, count = self.listed.first(sort, limit)
        else:
            # plain prefix/substring tests, not LIKE: '%' or '_' typed by a user match only themselves
            matching = pc.or_kleene(pc.or_kleene(pc.starts_with(self._mmsi_text, text), pc.starts_with(self._imo_text, text)),
                                    pc.match_substring(self._name_lower, pc.utf8_lower(pa.scalar(text)).as_py()))
            items, count = self.identities.first(sort, limit, pc.fill_null(matching, False).to_numpy(zero_copy_only=False))
        return b'{"items":' + items + b',"count":' + str(count).encode() + b"}"

    def _span(self, keys: np.ndarray, mmsi: int) -> tuple[int, int]:
        lo, hi = np.searchsorted(keys, [mmsi, mmsi + 1])
        return int(lo), int(hi)

    def exists(self, mmsi: int) -> bool:
        lo, hi = self._span(self._with_positions, mmsi)
        return self.identities.row_of(mmsi) is not None or hi > lo

    def detail_head(self, mmsi: int) -> bytes:
        """The vessel detail object up to its events: identity, risk, sanctions, identity history (no closing brace)."""
        row = self.identities.row_of(mmsi)
        vessel = self.identities.json.text(row) if row is not None else render_json(
            {"mmsi": mmsi, "risk_factors": [], "sanctions": []})
        lo, hi = self._span(self._history_mmsi, mmsi)
        history = self._history.array(np.arange(lo, min(hi, lo + MAX_HISTORY_ROWS)))
        return vessel[:-1] + b',"identity_history":' + history

    def draught(self, mmsi: int, start: datetime, end: datetime) -> dict[str, list[Any]]:
        """Draught changes of ``mmsi`` in [start, end] and the last one before (the draught it starts with)."""
        lo, hi = self._span(self._draught_mmsi, mmsi)
        times = self._draught_t_us[lo:hi]
        inside = int(np.searchsorted(times, epoch_us(start), side="left"))
        stop = min(int(np.searchsorted(times, epoch_us(end), side="right")), inside + MAX_DRAUGHT_STEPS)
        first = max(inside - 1, 0)
        return {"t_ms": (times[first:stop] // 1000).tolist(), "draught_m": self._draught_m[lo + first:lo + stop].tolist()}
