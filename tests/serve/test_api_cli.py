"""`darkfleet serve` fails fast and clearly on a bad store; the app is read-only and bound to loopback."""

from __future__ import annotations

import duckdb
import pytest
from click.testing import CliRunner

from darkfleet.cli import cli, main
from darkfleet.errors import StoreError
from darkfleet.serve import create_app


def test_serve_missing_db_is_an_error_on_stderr(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(["serve", "--db", str(tmp_path / "absent.duckdb")])
    assert done.value.code == 1
    assert "database does not exist" in capsys.readouterr().err


def test_serve_help_has_example_and_loopback_default():
    out = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "Example:" in out and "darkfleet serve --db fleet.duckdb" in out
    assert "127.0.0.1" in out


def test_store_is_opened_read_only(sample_db):
    app = create_app(sample_db[0])
    with pytest.raises(duckdb.Error):
        app.state.db.con.execute("DELETE FROM store.main.events")  # the attached file itself


def test_store_without_events_still_serves(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    from fastapi.testclient import TestClient

    client = TestClient(create_app(path))
    assert set(client.get("/healthz").json()["missing_tables"]) == {"positions", "static", "events", "vessels"}
    assert client.get("/api/events").json() == {"items": [], "next_cursor": None, "count": 0}
    assert client.get("/api/summary").json()["n_events"] == 0
    with pytest.raises(StoreError):
        create_app(tmp_path / "nope.duckdb")
