"""`darkfleet lists update|show` and `darkfleet screen` end to end through the CLI and the store."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pyarrow as pa
import pytest
from click.testing import CliRunner

from darkfleet import schema
from darkfleet.cli import cli, main
from darkfleet.store import Store


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _update(db, *paths, extra=()):
    args = ["lists", "update", "--db", str(db), *extra]
    for p in paths:
        args += ["--from", str(p)]
    return _run(*args)


def test_update_stores_versions_and_show_lists_them(tmp_path, lists_dir):
    db = tmp_path / "f.duckdb"
    result = _update(db, lists_dir / "ofac-sdn-xml-2026-sample.xml", lists_dir / "eu-reg-833-2014-annexes.csv")
    assert result.exit_code == 0, result.output
    assert "ofac_sdn@2026-04-30" in result.output and "vessels=633" in result.output
    again = _update(db, lists_dir / "ofac-sdn-csv-2025-sample", extra=["--published", "2025-05-01", "--list-id", "ofac_recent"])
    assert again.exit_code == 0
    shown = _run("lists", "show", "--db", str(db))
    labels = sorted(line.split("\t")[0] for line in shown.output.strip().splitlines())
    assert labels == ["eu_833_annex_xlii@undated", "ofac_recent@2025-05-01", "ofac_sdn@2026-04-30"]


def test_screen_vessels_file_reports_list_version(tmp_path, lists_dir):
    db = tmp_path / "f.duckdb"
    _update(db, lists_dir / "ofac-sdn-xml-2026-sample.xml")
    vessels = tmp_path / "vessels.parquet"
    pl.DataFrame({"mmsi": [111, 222], "imo": [9187629, 9074729], "name": ["ARTAVIL", "HARMLESS"]}).write_parquet(vessels)
    out = tmp_path / "hits" / "matches.csv"  # a folder not made yet
    result = _run("screen", "--vessels", str(vessels), "--db", str(db), "--out", str(out))
    assert result.exit_code == 0
    written = pl.read_csv(out)
    assert written["mmsi"].to_list() == [111]
    assert written["list_version"].to_list() == ["ofac_sdn@2026-04-30"]
    with Store(db, read_only=True) as store:
        stored = store.arrow("SELECT mmsi, level FROM sanctions_matches").to_pylist()
    assert stored == [{"mmsi": 111, "level": "hit"}]


def test_screen_db_uses_static_history_as_former_identities(tmp_path, lists_dir):
    db = tmp_path / "f.duckdb"
    _update(db, lists_dir / "ofac-sdn-xml-2026-sample.xml")
    t0, t1 = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
    static = pa.Table.from_pylist(
        [{"mmsi": 5, "timestamp_utc": t0, "imo": 9187629, "name": "SHONA"},
         {"mmsi": 5, "timestamp_utc": t1, "imo": 9074729, "name": "CLEAN NOW"}],
        schema=pa.schema([f for f in schema.STATIC if f.name in ("mmsi", "timestamp_utc", "imo", "name")]),
    )
    with Store(db) as store:
        store.ensure_table("static", schema.STATIC)
        store.append("static", static)
    result = _run("screen", "--db", str(db))
    assert result.exit_code == 0
    line = [x for x in result.output.splitlines() if x.startswith("5\t")]
    assert len(line) == 1 and "identity=former" in line[0] and "ARTAVIL" in line[0]


def test_unknown_layout_is_an_error_on_stderr(tmp_path, capsys):
    bad = tmp_path / "list.txt"
    bad.write_text("hello,world\n1,2\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["lists", "update", "--from", str(bad), "--db", str(tmp_path / "f.duckdb")])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert str(bad) in captured.err and "supported layouts" in captured.err and captured.out == ""


def test_screen_without_lists_refuses(tmp_path):
    vessels = tmp_path / "vessels.csv"
    pl.DataFrame({"mmsi": [1]}).write_csv(vessels)
    with pytest.raises(SystemExit) as exit_info:
        main(["screen", "--vessels", str(vessels)])
    assert exit_info.value.code == 2


def test_reflagged_vessel_matched_on_its_old_mmsi(tmp_path, lists_dir):
    db = tmp_path / "f.duckdb"
    _update(db, lists_dir / "ofac-sdn-xml-2026-sample.xml")
    t0, t1 = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
    fields = [f for f in schema.STATIC if f.name in ("mmsi", "timestamp_utc", "name")]
    # ARTAVIL's listed MMSI and name, then a new MMSI and name after reflagging
    static = pa.Table.from_pylist([{"mmsi": 572469210, "timestamp_utc": t0, "name": "ARTAVIL"},
                                   {"mmsi": 229000001, "timestamp_utc": t1, "name": "BLUE SKY"}], schema=pa.schema(fields))
    change = {"event_id": "i1", "event_type": "identity_change", "mmsi": 229000001, "other_mmsi": 572469210,
              "start_utc": t1, "details": '{"field": "mmsi", "old": 572469210, "new": 229000001}'}
    with Store(db) as store:
        store.ensure_table("static", schema.STATIC)
        store.append("static", schema.conform(static, schema.STATIC))
        store.ensure_table("events", schema.EVENTS)
        store.append("events", schema.conform(pa.Table.from_pylist([change]), schema.EVENTS))
    assert _run("screen", "--db", str(db)).exit_code == 0
    with Store(db, read_only=True) as store:
        rows = store.arrow("SELECT mmsi, broadcast_mmsi, identity, level, first_seen_utc FROM sanctions_matches "
                           "WHERE mmsi = 229000001").to_pylist()
    assert rows == [{"mmsi": 229000001, "broadcast_mmsi": 572469210, "identity": "former", "level": "hit",
                     "first_seen_utc": t0}]
