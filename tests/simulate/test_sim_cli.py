"""``darkfleet simulate`` on the command line."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest

from darkfleet.cli import main


def test_help_has_an_example(capsys):
    try:
        main(["simulate", "--help"])
    except SystemExit as exc:  # click may signal the end of --help with exit code 0
        assert exc.code == 0
    out = capsys.readouterr().out
    assert "Example:" in out and "darkfleet simulate --preset tiny --out demo" in out


def test_help_examples_run_and_the_store_gets_static_reports(tmp_path, capsys, monkeypatch):
    # the examples a user copies from --help; 12 h keeps them short (same code paths as the presets' lengths)
    try:
        main(["simulate", "--help"])
    except SystemExit:
        pass
    help_text = capsys.readouterr().out
    examples = [line.split() for line in help_text.splitlines() if line.strip().startswith("darkfleet ")]
    assert len(examples) >= 3
    monkeypatch.chdir(tmp_path)
    for words in examples:
        args = words[1:] + (["--hours", "12"] if words[1] == "simulate" else [])
        try:
            main(args)
        except SystemExit as exc:
            assert exc.code in (0, None), " ".join(words)
    with duckdb.connect("demo.duckdb", read_only=True) as con:
        n_static = con.execute("SELECT count(*) FROM static").fetchall()[0][0]
    assert n_static > 0  # identity and draught detectors need them


def test_writes_every_output(tmp_path, capsys):
    main(["simulate", "--preset", "tiny", "--hours", "24", "--format", "noaa", "--out", str(tmp_path), "--json"])
    summary = json.loads(capsys.readouterr().out)
    for name in ["truth.parquet", "benign.parquet", "vessels.parquet", "sanctions/ofac_sdn.csv",
                 "sanctions/sanctioned.ftm.json", "positions/part-00000.csv"]:
        assert (tmp_path / name).is_file(), name
    csv_rows = pl.read_csv(tmp_path / "positions" / "part-00000.csv").height
    assert summary["positions"] == csv_rows > 1000
    assert pl.read_parquet(tmp_path / "truth.parquet").height == summary["truth"]


@pytest.mark.parametrize("args, message", [
    (["--area", "1,2,3"], "--area expects W,S,E,N"),
    (["--area", "0,0,1,1"], "fewer than 2 usable ports"),
    (["--hours", "5"], "--hours must be between"),
    (["--vessels", "10"], "--vessels must be at least"),
])
def test_bad_options_exit_2_with_a_message_on_stderr(args, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--out", str(tmp_path / "x"), *args])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_rewriting_a_folder_leaves_no_stale_parts(tmp_path, capsys):
    stale = tmp_path / "positions" / "part-00099.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("MMSI\n1\n")
    main(["simulate", "--preset", "tiny", "--hours", "12", "--format", "noaa", "--out", str(tmp_path)])
    assert not stale.exists()
    assert [p.name for p in (tmp_path / "positions").iterdir()] == ["part-00000.csv"]
