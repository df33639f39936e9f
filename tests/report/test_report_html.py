"""report.html is one self-contained file: no external references, data and assets inlined."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest

from darkfleet.cli import main
from darkfleet.errors import InputError, StoreError
from darkfleet.report import build_report, write_report
from darkfleet.report.html import script_json


def _inlined_data(html: str) -> dict:
    match = re.search(r"window\.DARKFLEET_DATA = (\{.*?\});</script>", html, re.S)
    assert match, "data block missing"
    return json.loads(match.group(1))


def test_write_report_from_frames_is_self_contained(scene, tmp_path):
    out = write_report(scene.events, pl.from_arrow(scene.vessels), scene.positions, scene.static,
                       tmp_path / "out" / "report.html")
    html = out.read_text(encoding="utf-8")
    # every element that could load something points at inline data only
    loaders = re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", html)
    refs = [m for tag in loaders for m in re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", tag)]
    assert refs == ["data:,"]  # only the empty favicon, so the browser does not ask for /favicon.ico
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)  # no remote CSS resources
    assert "window.DARKFLEET_LAND" in html and '"type":"Topology"' in html.replace(" ", "")
    data = _inlined_data(html)
    assert data["vessels"][0]["mmsi"] == 636012345
    assert len(data["events"]) == scene.events.num_rows
    assert 0.3e6 < out.stat().st_size < 3e6


def test_store_and_frames_give_the_same_content(scene, scene_db, tmp_path):
    a = _inlined_data(write_report(scene.events, scene.vessels, scene.positions, scene.static, tmp_path / "a.html")
                      .read_text(encoding="utf-8"))
    b = _inlined_data(build_report(scene_db, tmp_path / "b.html").read_text(encoding="utf-8"))
    for key in ("events", "vessels", "tracks", "draught"):
        assert a[key] == b[key], key


def test_missing_tables_still_give_a_report(scene, tmp_path):
    data = _inlined_data(write_report(scene.events, None, None, None, tmp_path / "r.html").read_text(encoding="utf-8"))
    assert data["vessels"] == [] and data["tracks"] == {}
    assert len(data["events"]) == scene.events.num_rows


def test_script_json_cannot_close_the_script_element():
    text = script_json({"name": "</script><script>alert(1)</script>", "sep": "\u2028"})
    assert "</script" not in text and "\u2028" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_bad_inputs_raise_darkfleet_errors(scene, tmp_path):
    with pytest.raises(InputError):
        write_report({"not": "a table"}, None, None, None, tmp_path / "r.html")
    with pytest.raises(StoreError):
        build_report(tmp_path / "absent.duckdb", tmp_path / "r.html")


def test_cli_writes_report_and_figures(scene_db, tmp_path, capsys):
    main(["report", "--db", str(scene_db), "--out", str(tmp_path / "r.html"), "--figures", str(tmp_path / "img")])
    assert "report:" in capsys.readouterr().out
    assert (tmp_path / "r.html").stat().st_size > 0
    pngs = sorted(p.name for p in (tmp_path / "img").glob("*.png"))
    assert pngs == ["event-dark_sts.png", "event-draught_change.png", "event-gap.png", "events-overview.png"]


def test_cli_error_goes_to_stderr_with_nonzero_exit(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(["report", "--db", str(tmp_path / "absent.duckdb"), "--out", str(tmp_path / "r.html")])
    assert done.value.code != 0
    assert "database does not exist" in capsys.readouterr().err
