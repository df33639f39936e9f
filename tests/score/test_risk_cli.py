"""`darkfleet score`: static reports + events + stored lists -> the store's vessels table."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pyarrow as pa
from click.testing import CliRunner

from darkfleet import schema
from darkfleet.cli import cli
from darkfleet.store import Store

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def _store(db):
    static = [{"mmsi": 572469210, "timestamp_utc": T0, "imo": 9187629, "name": "ARTAVIL", "ship_type": 80},
              {"mmsi": 538000001, "timestamp_utc": T0, "imo": 9074729, "name": "PARTNER", "ship_type": 80}]
    events = [{"event_id": "d1", "event_type": "dark_sts", "mmsi": 538000001, "other_mmsi": 572469210,
               "start_utc": T0, "end_utc": T0, "lat": 36.5, "lon": 22.7, "in_port": False, "details": "{}"}]
    with Store(db) as store:
        store.ensure_table("static", schema.STATIC)
        store.append("static", schema.conform(pa.Table.from_pylist(static), schema.STATIC))
        store.ensure_table("events", schema.EVENTS)
        store.append("events", schema.conform(pa.Table.from_pylist(events), schema.EVENTS))


def test_score_writes_vessels_table_and_parquet(tmp_path, shared_data):
    lists_dir = shared_data / "sanctions"
    db, out = tmp_path / "f.duckdb", tmp_path / "out" / "vessels.parquet"  # a folder not made yet
    _store(db)
    runner = CliRunner()
    updated = runner.invoke(cli, ["lists", "update", "--db", str(db), "--from", str(lists_dir / "ofac-sdn-xml-2026-sample.xml")])
    assert updated.exit_code == 0, updated.output
    result = runner.invoke(cli, ["score", "--db", str(db), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with Store(db, read_only=True) as store:
        table = store.arrow("SELECT * FROM vessels ORDER BY risk_score DESC")
    assert table.column_names == schema.VESSELS.names
    rows = {r["mmsi"]: r for r in table.to_pylist()}
    listed = {f["factor"] for f in json.loads(rows[572469210]["risk_factors"])}
    assert {"sanctions_listed", "dark_sts"} <= listed
    partner = {f["factor"] for f in json.loads(rows[538000001]["risk_factors"])}
    assert {"dark_sts", "met_sanctioned_vessel"} <= partner
    assert json.loads(rows[572469210]["sanctions"])[0]["list_version"] == "ofac_sdn@2026-04-30"
    assert pl.read_parquet(out).height == 2


def test_score_without_events_refuses(tmp_path):
    db = tmp_path / "f.duckdb"
    with Store(db) as store:
        store.ensure_table("static", schema.STATIC)
    result = CliRunner().invoke(cli, ["score", "--db", str(db)])
    assert result.exit_code != 0
