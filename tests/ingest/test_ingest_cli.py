"""`darkfleet ingest` / `darkfleet info` end to end: summaries, dedupe, strict mode, bad input."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_helpers import ais_file, query, run_cli

GOOD = "mmsi,timestamp,lat,lon,sog\n219000001,2024-03-01T10:00:00,55.5,10.25,3.5\n219000002,2024-03-01T10:00:05,55.6,10.3,\n"
MIXED = GOOD + "219000003,yesterday,55.6,10.3,1\n123,2024-03-01T10:00:09,55.6,10.3,1\n219000004,2024-03-01T10:00:09,95,10.3,1\n"


def test_ingest_real_csvs_then_reingest_adds_nothing(tmp_path):
    db = tmp_path / "fleet.duckdb"
    inputs = [ais_file("solent-2016-01-12.csv"), ais_file("dma-aisdk-2018-06-01-sample.csv")]
    first = run_cli("ingest", *inputs, "--db", db)
    assert first.returncode == 0, first.stderr
    assert "2 source(s) read" in first.stdout and "18,760 positions" in first.stdout
    summary = json.loads((tmp_path / "fleet.summary.json").read_text())
    totals = summary["totals"]
    assert totals["lines_read"] == 18_624 + 139
    assert totals["lines_read"] == totals["decoded"] + sum(totals["skipped"].values()) + sum(totals["rejected"].values())
    before = query(db, "SELECT (SELECT count(*) FROM positions), (SELECT count(*) FROM static), (SELECT count(*) FROM sources)")

    again = run_cli("ingest", *inputs, "--db", db, "--summary", tmp_path / "again.json")
    assert again.returncode == 0, again.stderr
    assert "2 already ingested" in again.stdout
    assert query(db, "SELECT (SELECT count(*) FROM positions), (SELECT count(*) FROM static), (SELECT count(*) FROM sources)") == before
    assert json.loads((tmp_path / "again.json").read_text())["totals"]["lines_read"] == 0


def test_mixed_file_keeps_good_rows_and_quarantines_the_rest(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(MIXED)
    db = tmp_path / "m.duckdb"
    result = run_cli("ingest", path, "--db", db)
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT mmsi, sog_kn FROM positions ORDER BY line_no") == [(219000001, 3.5), (219000002, None)]
    assert query(db, "SELECT line_no, reason FROM rejects ORDER BY line_no") == [
        (4, "bad_timestamp"), (5, "invalid_mmsi"), (6, "lat_out_of_range")]
    counts = json.loads(query(db, "SELECT counts FROM sources")[0][0])
    assert counts["rejected"] == {"bad_timestamp": 1, "invalid_mmsi": 1, "lat_out_of_range": 1}
    assert counts["lines_read"] == 6 and counts["balanced"]


def test_strict_mode_names_file_and_line_and_stores_nothing_from_it(tmp_path):
    good, mixed = tmp_path / "good.csv", tmp_path / "mixed.csv"
    good.write_text(GOOD)
    mixed.write_text(MIXED)
    db = tmp_path / "s.duckdb"
    result = run_cli("ingest", good, mixed, "--db", db, "--strict")
    assert result.returncode == 2
    assert f"{mixed}:4:" in result.stderr and "bad_timestamp" in result.stderr
    assert query(db, "SELECT name FROM sources") == [(str(good),)]
    assert query(db, "SELECT count(*) FROM positions") == [(2,)]


@pytest.mark.parametrize(("content", "message"), [
    (None, "file not found"),
    (b"", "file is empty"),
    (bytes(range(256)) * 8, "binary"),
    (b"a,b,c\n1,2,3\n", "--columns mmsi="),
])
def test_bad_input_exits_2_and_touches_nothing(tmp_path, content, message):
    db = tmp_path / "b.duckdb"
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    assert run_cli("ingest", good, "--db", db).returncode == 0
    bad = tmp_path / "bad.csv"
    if content is not None:
        bad.write_bytes(content)
    other = tmp_path / "other.csv"
    other.write_text(GOOD.replace("219", "220"))
    result = run_cli("ingest", other, bad, "--db", db)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and message in lines[0]
    assert query(db, "SELECT count(*) FROM sources") == [(1,)]  # "other" was not ingested either


def test_columns_option_and_parquet(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("ship,when,y,x\n219000001,2024-03-01 10:00:00,55.5,10.25\n")
    db = tmp_path / "c.duckdb"
    result = run_cli("ingest", path, "--db", db, "--columns", "mmsi=ship,timestamp=when,lat=y,lon=x")
    assert result.returncode == 0, result.stderr
    table = pa.table({"mmsi": pa.array([636012345, 636012345], pa.int64()),
                      "timestamp_utc": pa.array([1_700_000_000_000_000, 1_700_000_060_000_000], pa.timestamp("us", "UTC")),
                      "lat": [6.1, 6.2], "lon": [-10.5, -10.6], "sog_kn": pa.array([12.0, 102.3], pa.float32())})
    pq.write_table(table, tmp_path / "canon.parquet")
    result = run_cli("ingest", tmp_path / "canon.parquet", "--db", db)
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT mmsi, sog_kn, line_no, epoch(timestamp_utc) FROM positions WHERE mmsi = 636012345 ORDER BY line_no") == [
        (636012345, 12.0, 1, 1_700_000_000.0), (636012345, None, 2, 1_700_000_060.0)]
    assert query(db, "SELECT format FROM sources ORDER BY source_id") == [("csv",), ("parquet",)]


def test_info_reports_rows_vessels_span_and_sources(tmp_path):
    db = tmp_path / "i.duckdb"
    path = tmp_path / "good.csv"
    path.write_text(GOOD)
    assert run_cli("ingest", path, "--db", db).returncode == 0
    result = run_cli("info", "--db", db, "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert (info["positions"], info["vessels"]) == (2, 2)
    assert (info["lat_min"], info["lat_max"], info["lon_min"], info["lon_max"]) == (55.5, 55.6, 10.25, 10.3)
    assert info["first_utc"].startswith("2024-03-01 10:00:00") and info["last_utc"].startswith("2024-03-01 10:00:05")
    assert info["sources"][0]["positions"] == 2 and info["sources"][0]["counts"]["lines_read"] == 3
    table = run_cli("info", "--db", db)
    assert table.returncode == 0 and "positions" in table.stdout
    assert str(path) in table.stdout  # piped: the source's name on one line, not folded into a narrow column


def test_ingest_creates_the_store_in_a_new_folder(tmp_path):
    path = tmp_path / "good.csv"
    path.write_text(GOOD)
    db = tmp_path / "stores" / "new.duckdb"
    result = run_cli("ingest", path, "--db", db)
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT count(*) FROM positions") == [(2,)]


def test_info_on_missing_db_is_an_error(tmp_path):
    result = run_cli("info", "--db", tmp_path / "none.duckdb")
    assert result.returncode != 0 and "run 'darkfleet ingest' first" in result.stderr


def test_help_has_examples():
    for command in ("ingest", "info"):
        result = run_cli(command, "--help")
        assert result.returncode == 0 and "Example:" in result.stdout and "darkfleet " + command in result.stdout
