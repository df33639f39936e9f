"""A process killed mid-ingest leaves the database consistent: no half source visible."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from ingest_helpers import query, run_cli

from darkfleet.ingest.synthetic import write_noaa

SMALL = "mmsi,timestamp,lat,lon\n219000001,2024-03-01T10:00:00,55.5,10.25\n219000002,2024-03-01T10:00:05,55.6,10.3\n"


def _db_bytes(db) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["direct", "staged"])
def test_sigkill_mid_ingest_leaves_only_whole_sources(tmp_path, monkeypatch, strategy):
    # "staged": every source counts as big, so batches are committed to staging tables.
    monkeypatch.setenv("DARKFLEET_STAGE_ABOVE_ROWS", "0" if strategy == "staged" else str(1 << 40))
    db = tmp_path / "k.duckdb"
    small = tmp_path / "small.csv"
    small.write_text(SMALL)
    assert run_cli("ingest", small, "--db", db).returncode == 0
    big = write_noaa(tmp_path / "big.csv", 1_000_000)

    code = "import sys; from darkfleet.cli import main; main(sys.argv[1:])"
    proc = subprocess.Popen([sys.executable, "-c", code, "ingest", str(big), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    start_bytes = _db_bytes(db)
    deadline = time.monotonic() + 60
    # Kill once the big file's rows are being written (the db files grow), not before.
    while _db_bytes(db) < start_bytes + (4 << 20) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    still_running = proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert still_running, "ingest finished before it could be killed: make the file bigger"
    assert proc.returncode == -signal.SIGKILL

    # The database opens, and holds exactly the fully ingested sources.
    assert query(db, "SELECT name FROM sources") == [(str(small),)]
    assert query(db, "SELECT count(*) FROM positions") == [(2,)]
    assert query(db, "SELECT count(*) FROM positions WHERE source_id NOT IN (SELECT source_id FROM sources)") == [(0,)]
    assert query(db, "SELECT count(*) FROM static") == [(0,)]
    leftovers = query(db, "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '_staging_%'")
    assert leftovers == [(3 if strategy == "staged" else 0,)]  # invisible, dropped by the next ingest

    # Re-running resumes: the interrupted file is ingested whole, the small one is not repeated.
    result = run_cli("ingest", small, big, "--db", db)
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT count(*) FROM positions") == [(2 + 1_000_000,)]
    with duckdb.connect(str(db), read_only=True) as con:
        per_source = con.execute("SELECT s.name, count(p.mmsi) FROM sources s JOIN positions p USING (source_id) "
                                 "GROUP BY 1 ORDER BY 1").fetchall()
    assert per_source == sorted([(str(big), 1_000_000), (str(small), 2)])
    assert query(db, "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '_staging_%'") == [(0,)]
