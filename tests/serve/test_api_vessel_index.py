"""The in-memory vessel index answers exactly what the SQL of the vessel endpoints says."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from darkfleet import schema
from darkfleet.report.records import vessel_records
from darkfleet.serve.vessel_index import _IDENTITIES_SQL, SORTS, VesselIndex

T0 = datetime(2026, 1, 1, tzinfo=UTC)
NAMES = ["OCEAN STAR", "Sea Pearl", "NORD 100%", "ÉTOILE", "star_of_the_sea", None]


def _store(rng: np.random.Generator) -> duckdb.DuckDBPyConnection:
    """Listed vessels (NULL and tied risk scores and names), vessels known only from static reports, and
    vessels with positions only."""
    vessels = schema.conform(pa.Table.from_pylist([{
        "mmsi": 200_000_000 + i, "imo": None if i % 7 == 0 else 9_000_000 + int(rng.integers(0, 400)),
        "name": NAMES[i % len(NAMES)], "risk_score": None if i % 5 == 0 else float(rng.integers(0, 4) * 10),
        "risk_factors": '[{"factor": "gap", "points": 10}]' if i % 2 else "not json", "sanctions": None,
    } for i in range(60)]), schema.VESSELS)
    static = schema.conform(pa.Table.from_pylist([{
        "mmsi": 200_000_000 + int(m), "timestamp_utc": T0 + timedelta(hours=int(h)), "imo": 9_100_000 + int(m) % 3,
        "name": NAMES[int(m + h // 40) % len(NAMES)], "draught_m": float(8 + (h // 30) % 3),
    } for m, h in zip(rng.integers(40, 90, 900), rng.integers(0, 200, 900))]), schema.STATIC)
    positions = schema.conform(pa.Table.from_pylist([
        {"mmsi": 300_000_000 + i, "timestamp_utc": T0, "lat": 1.0, "lon": 2.0} for i in range(3)]), schema.POSITIONS)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for name, table in (("vessels", vessels), ("static", static), ("positions", positions)):
        con.register("rows", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM rows")  # tables: every cursor sees them
        con.unregister("rows")
    return con


@pytest.fixture(scope="module")
def store_and_index():
    con = _store(np.random.default_rng(3))
    return con, VesselIndex(con.cursor())


def _sql_vessels(con, sort: str, limit: int, text: str | None) -> dict:
    if text:
        table = con.sql(f"SELECT * FROM ({_IDENTITIES_SQL}) WHERE starts_with(CAST(mmsi AS VARCHAR), $q) OR "
                        f"starts_with(CAST(imo AS VARCHAR), $q) OR contains(lower(name), lower($q)) "
                        f"ORDER BY {SORTS[sort]} LIMIT $n", params={"q": text, "n": limit}).to_arrow_table()
    else:
        table = con.sql(f"SELECT * FROM vessels ORDER BY {SORTS[sort]} LIMIT ?", params=[limit]).to_arrow_table()
    return {"items": vessel_records(table), "count": table.num_rows}


@pytest.mark.parametrize("text", [None, "2000000", "9", "star", "STAR", "%", "_", "é", "nord 100%", "zzz"])
@pytest.mark.parametrize("sort", list(SORTS))
def test_list_and_search_match_the_sql(store_and_index, sort, text):
    con, index = store_and_index
    for limit in (1, 7, 1000):
        assert json.loads(index.vessels(sort, limit, text)) == _sql_vessels(con, sort, limit, text)


def test_detail_head_lists_identities_oldest_first(store_and_index):
    con, index = store_and_index
    for mmsi in (200_000_045, 200_000_070):
        head = json.loads(index.detail_head(mmsi) + b"}")
        expected = con.sql("SELECT name, imo, min(timestamp_utc) AS first FROM static WHERE mmsi = ? GROUP BY ALL "
                           "ORDER BY first, name", params=[mmsi]).fetchall()
        assert [(h["name"], h["imo"]) for h in head["identity_history"]] == [(n, i) for n, i, _ in expected]
        assert sum(h["n_reports"] for h in head["identity_history"]) == con.sql(
            "SELECT count(*) FROM static WHERE mmsi = ?", params=[mmsi]).fetchall()[0][0]
        assert head["mmsi"] == mmsi
    # a vessel of the vessels table keeps its decoded risk factors; malformed JSON is kept, flagged
    assert json.loads(index.detail_head(200_000_001) + b"}")["risk_factors"] == [{"factor": "gap", "points": 10}]
    assert json.loads(index.detail_head(200_000_002) + b"}")["risk_factors"]["unparsed"] == "not json"


def test_existence_covers_identities_and_positions_only_vessels(store_and_index):
    _, index = store_and_index
    assert index.exists(200_000_000) and index.exists(200_000_085)  # listed; static only
    assert index.exists(300_000_002)  # positions only
    assert not index.exists(300_000_003)
    head = json.loads(index.detail_head(300_000_002) + b"}")
    assert head == {"mmsi": 300_000_002, "risk_factors": [], "sanctions": [], "identity_history": []}


def test_draught_steps_are_the_changes_in_the_window_and_the_one_before(store_and_index):
    con, index = store_and_index
    mmsi = 200_000_050
    reports = con.sql("SELECT epoch_ms(timestamp_utc), draught_m FROM static WHERE mmsi = ? ORDER BY timestamp_utc",
                      params=[mmsi]).fetchall()
    changes = [(t, d) for k, (t, d) in enumerate(reports) if k == 0 or reports[k - 1][1] != d]
    assert len(changes) >= 3
    start, end = T0 + timedelta(hours=50), T0 + timedelta(hours=130)
    start_ms, end_ms = (int(t.timestamp() * 1000) for t in (start, end))
    before = [c for c in changes if c[0] < start_ms][-1:]
    inside = [c for c in changes if start_ms <= c[0] <= end_ms]
    steps = index.draught(mmsi, start, end)
    assert list(zip(steps["t_ms"], steps["draught_m"])) == before + inside
    assert index.draught(999, start, end) == {"t_ms": [], "draught_m": []}
