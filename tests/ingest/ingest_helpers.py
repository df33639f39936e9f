"""Helpers shared by the ingest tests (a plain module: tests import it by name)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
AIS = REPO.parent / "shared" / "data" / "ais"


def ais_file(name: str) -> Path:
    """A real file from ../shared/data/ais, or skip the test saying what is missing."""
    path = AIS / name
    if not path.exists():
        pytest.skip(f"real data file missing: {path} (see README: ../shared/data)")
    return path


def run_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """``darkfleet ARGS`` in a subprocess, so exit codes and stderr are the real ones."""
    code = "import sys; from darkfleet.cli import main; main(sys.argv[1:])"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()
