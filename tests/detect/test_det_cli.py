import json
from types import SimpleNamespace

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from darkfleet import schema
from darkfleet.cli import main
from darkfleet.store import Store
from det_tracks import OFFSHORE, offset, positions, track


@pytest.fixture
def run(capsys):
    """The console entry point in-process: exit code, stdout, stderr."""

    def _run(*args):
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code or 0
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return _run


def test_detect_from_a_store_writes_every_output_and_the_events_table(tmp_path, run):
    db = tmp_path / "fleet.duckdb"
    table = positions(track(111, 3, 0.5), track(222, 3, 0.5, start=offset(OFFSHORE, north_m=200)))
    with Store(db) as store:
        store.replace("positions", schema.POSITIONS, table)
    out = tmp_path / "out"
    done = run("detect", "--db", str(db), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert {p.name for p in out.iterdir()} == {"events.parquet", "events.geojson", "events.csv", "segments.parquet",
                                               "summary.json", "vessels.parquet", "report.html"}
    events = pl.from_arrow(pq.read_table(out / "events.parquet"))
    assert events.filter(pl.col("event_type") == "encounter").height == 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["events"]["encounter"] == 1 and summary["input"]["input_rows"] == table.num_rows
    assert "encounter" in summary["timings_s"]
    geo = json.loads((out / "events.geojson").read_text())
    assert geo["features"][0]["properties"]["details"]["median_distance_m"] > 0
    with Store(db, read_only=True) as store:
        assert store.arrow("SELECT count(*) AS n FROM events")["n"][0].as_py() == events.height
    # stable ids: the same input and config give the same events
    again = run("detect", "--db", str(db), "--out", str(tmp_path / "again"))
    assert again.returncode == 0
    assert pl.read_parquet(tmp_path / "again" / "events.parquet")["event_id"].to_list() == events["event_id"].to_list()


def test_config_errors_name_the_key_and_exit_non_zero(tmp_path, run):
    bad = tmp_path / "bad.toml"
    bad.write_text("[encounter]\nmax_distance_m = -1\n")
    done = run("detect", "--db", str(tmp_path / "x.duckdb"), "--out", str(tmp_path / "o"), "--config", str(bad))
    assert done.returncode == 2
    assert "encounter.max_distance_m" in done.stderr
    assert run("detect", "--out", str(tmp_path / "o")).returncode == 2


def test_help_has_examples(run):
    for command in ("detect", "evaluate"):
        done = run(command, "--help")
        assert done.returncode == 0 and "Example" in done.stdout


def test_the_evaluate_help_example_runs_as_written(tmp_path, run, monkeypatch):
    pytest.importorskip("darkfleet.simulate")
    help_text = run("evaluate", "--help").stdout
    commands = [line.split()[1:] for line in help_text.splitlines() if line.strip().startswith("darkfleet ")]
    assert [c[0] for c in commands] == ["simulate", "detect", "evaluate"]
    monkeypatch.chdir(tmp_path)
    for command in commands:
        done = run(*command)
        assert done.returncode == 0, (command, done.stderr)
    assert "| gap |" in done.stdout


def test_detect_a_simulated_scenario_folder_then_evaluate(tmp_path, run):
    simulate = pytest.importorskip("darkfleet.simulate")
    scen = tmp_path / "scen"
    simulate.write_scenario("tiny", 0, scen)
    out = tmp_path / "out"
    assert run("detect", str(scen), "--out", str(out)).returncode == 0
    done = run("evaluate", "--truth", str(scen), "--events", str(out), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["types"]["gap"]["recall"] >= 0.95
    assert report["types"]["identity_change"]["truth"] > 0 and report["types"]["identity_change"]["recall"] >= 0.95
    assert set(report["benign"]) >= {"coverage_hole", "moored_together"}


def test_partitioned_detect_of_a_scenario_folder_gives_the_same_events(tmp_path, run):
    simulate = pytest.importorskip("darkfleet.simulate")
    scen = tmp_path / "scen"
    simulate.write_scenario("tiny", 1, scen)
    assert run("detect", str(scen), "--out", str(tmp_path / "a")).returncode == 0
    assert run("detect", str(scen), "--out", str(tmp_path / "b"), "--partitions", "3").returncode == 0
    a = pl.read_parquet(tmp_path / "a" / "events.parquet")["event_id"].sort().to_list()
    b = pl.read_parquet(tmp_path / "b" / "events.parquet")["event_id"].sort().to_list()
    assert a == b and len(a) > 0
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert summary["partitions"] == 3 and summary["read"]["scenarios"] == [str(scen)]


def test_a_large_store_is_exported_and_detected_in_partitions(tmp_path, run):
    simulate = pytest.importorskip("darkfleet.simulate")
    sim = simulate.simulate("tiny", 1)
    db = tmp_path / "fleet.duckdb"
    with Store(db) as store:
        store.replace("positions", schema.POSITIONS, schema.conform(sim.positions, schema.POSITIONS))
        store.replace("static", schema.STATIC, schema.conform(sim.static, schema.STATIC))
    assert run("detect", "--db", str(db), "--out", str(tmp_path / "a"), "--no-report").returncode == 0
    # more positions than --partition-rows: DuckDB exports the store, the run goes by MMSI ranges
    done = run("detect", "--db", str(db), "--out", str(tmp_path / "b"), "--partition-rows", "60000", "--no-report")
    assert done.returncode == 0, done.stderr
    a, b = (pl.read_parquet(tmp_path / d / "events.parquet") for d in ("a", "b"))
    assert b.equals(a) and a.height > 0
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert summary["partitions"] >= 3 and "partitions" not in json.loads((tmp_path / "a" / "summary.json").read_text())
    bad = run("detect", "--db", str(db), "--out", str(tmp_path / "c"), "--partitions", "2", "--since", "2026-01-02")
    assert bad.returncode == 2 and "--partitions" in bad.stderr


def _report_data(path) -> dict:
    """The JSON payload inlined in a report.html (the page draws everything from it)."""
    html = path.read_text(encoding="utf-8")
    start = html.index("window.DARKFLEET_DATA = ") + len("window.DARKFLEET_DATA = ")
    return json.loads(html[start:html.index(";</script>", start)])


def test_detect_from_a_store_with_lists_scores_screens_and_reports(tmp_path, run, shared_data):
    db = tmp_path / "fleet.duckdb"
    listed, partner = 572469210, 538000001  # ARTAVIL (IMO 9187629) is on the OFAC 2026 sample list
    table = positions(track(listed, 3, 0.5), track(partner, 3, 0.5, start=offset(OFFSHORE, north_m=200)))
    t0 = table.column("timestamp_utc")[0].as_py()
    static = [{"mmsi": listed, "timestamp_utc": t0, "imo": 9187629, "name": "ARTAVIL", "ship_type": 80},
              {"mmsi": partner, "timestamp_utc": t0, "imo": 9074729, "name": "PARTNER", "ship_type": 80}]
    with Store(db) as store:
        store.replace("positions", schema.POSITIONS, table)
        store.replace("static", schema.STATIC, schema.conform(pa.Table.from_pylist(static), schema.STATIC))
    xml = shared_data / "sanctions" / "ofac-sdn-xml-2026-sample.xml"
    assert run("lists", "update", "--from", str(xml), "--db", str(db)).returncode == 0
    out = tmp_path / "out"
    done = run("detect", "--db", str(db), "--out", str(out))
    assert done.returncode == 0, done.stderr
    vessels = pl.read_parquet(out / "vessels.parquet")
    assert vessels.columns == schema.VESSELS.names
    top = vessels.sort("risk_score", descending=True).row(0, named=True)
    assert top["mmsi"] == listed and "sanctions_listed" in top["risk_factors"] and top["sanctions"] != "[]"
    with Store(db, read_only=True) as store:  # the store is scored too, so serve and report agree with the file
        assert store.arrow("SELECT count(*) AS n FROM vessels")["n"][0].as_py() == vessels.height
    data = _report_data(out / "report.html")
    assert data["vessels"][0]["mmsi"] == listed  # the report opens on the riskiest vessel
    assert {e["event_type"] for e in data["events"]} >= {"encounter"}
    encounter = next(e for e in data["events"] if e["event_type"] == "encounter")
    assert {t["mmsi"] for t in data["tracks"][encounter["event_id"]]} == {listed, partner}


def test_detect_of_a_scenario_folder_writes_vessels_and_report_unless_told_not_to(tmp_path, run):
    simulate = pytest.importorskip("darkfleet.simulate")
    scen = tmp_path / "scen"
    simulate.write_scenario("tiny", 2, scen)
    full, lean = tmp_path / "full", tmp_path / "lean"
    assert run("detect", str(scen), "--out", str(full)).returncode == 0
    events = pl.read_parquet(full / "events.parquet")
    vessels = pl.read_parquet(full / "vessels.parquet")
    involved = set(events["mmsi"]) | set(events["other_mmsi"].drop_nulls())
    assert involved <= set(vessels["mmsi"]) and vessels["risk_score"].is_between(0, 100).all()
    data = _report_data(full / "report.html")
    assert data["summary"]["n_events"] == events.height and data["tracks"]
    assert "window.DARKFLEET_LAND" in (full / "report.html").read_text(encoding="utf-8")  # basemap inlined
    done = run("detect", str(scen), "--out", str(lean), "--partitions", "2", "--no-report")
    assert done.returncode == 0, done.stderr
    assert (lean / "vessels.parquet").exists() and not (lean / "report.html").exists()
    scores = ["mmsi", "risk_score"]  # the partitioned run scores its events the same way
    assert pl.read_parquet(lean / "vessels.parquet").select(scores).sort("mmsi").equals(vessels.select(scores).sort("mmsi"))
