"""The main job (`darkfleet run`) end to end, in-process, on a generated scenario and on real data."""

from __future__ import annotations

import json

import polars as pl
import pytest
from click.testing import CliRunner

from darkfleet.cli import cli


def _run(args: list[str]):
    result = CliRunner().invoke(cli, ["run", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _check_outputs(out):
    events = pl.read_parquet(out / "events.parquet")
    vessels = pl.read_parquet(out / "vessels.parquet")
    assert events.height > 0
    assert vessels.height > 0
    assert vessels["risk_score"].is_between(0, 100).all()
    html = (out / "report.html").read_text()
    assert "<script" in html and "http://" not in html.split("<body", 1)[1][:2000]
    summary = json.loads((out / "fleet.summary.json").read_text())
    return events, vessels, summary


@pytest.mark.slow
def test_run_on_a_generated_scenario_finds_the_planted_sanctioned_vessels(tmp_path):
    out = tmp_path / "out"
    _run(["--out", str(out), "--simulate", "--seed", "1"])
    events, vessels, summary = _check_outputs(out)
    registry = pl.read_parquet(out / "scenario" / "vessels.parquet")
    sanctioned = set(registry.filter(pl.col("sanctioned"))["mmsi"].to_list())
    hit = set(vessels.filter(pl.col("sanctions").str.contains("score"))["mmsi"].to_list())
    assert sanctioned and sanctioned <= hit
    assert set(events["event_type"].unique()) >= {"encounter", "gap", "dark_sts", "port_visit"}


@pytest.mark.slow
@pytest.mark.realdata
def test_run_on_the_real_shared_data(tmp_path, shared_data):
    out = tmp_path / "out"
    _run(["--out", str(out), "--data", str(shared_data)])
    events, vessels, summary = _check_outputs(out)
    assert events["event_type"].is_in(["gap", "port_visit", "spoofing", "identity_change", "loitering",
                                        "encounter", "dark_sts", "draught_change"]).all()
    assert vessels["mmsi"].n_unique() == vessels.height
    # the official port list of the data folder joins the packaged one (which lacks Portsmouth)
    assert "nga-world-port-index-pub150.csv" in (out / "detect.toml").read_text()
