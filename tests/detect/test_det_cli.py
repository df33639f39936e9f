import json
from types import SimpleNamespace

import polars as pl
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
    assert {p.name for p in out.iterdir()} == {"events.parquet", "events.geojson", "events.csv", "segments.parquet", "summary.json"}
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
    bad = run("detect", "--db", str(tmp_path / "x.duckdb"), "--out", str(tmp_path / "c"), "--partitions", "2")
    assert bad.returncode == 2 and "--partitions" in bad.stderr
