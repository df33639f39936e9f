"""The driver on real NMEA files: auto-detection, validation and balanced counts end to end."""

from __future__ import annotations

import pytest
from ingest_helpers import AIS, ais_file, query, run_cli

from darkfleet.ingest import read

pytest.importorskip("darkfleet.ingest.nmea", reason="the NMEA decoder (darkfleet.ingest.nmea) is not installed")


def test_dma_nmea_gz_through_the_cli(tmp_path):
    db = tmp_path / "n.duckdb"
    result = run_cli("ingest", ais_file("dma-nmea-2013-11-12-5min.txt.gz"), "--db", db)
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT format FROM sources") == [("nmea",)]
    (positions,) = query(db, "SELECT count(*) FROM positions")[0]
    (invalid,) = query(db, "SELECT count(*) FROM rejects WHERE reason = 'invalid_mmsi'")[0]
    # The README's 24,688 positions: a few carry structurally invalid MMSIs and are quarantined.
    assert positions + invalid == 24_688 and invalid < 10
    assert query(db, "SELECT min(timestamp_utc) >= '2013-11-12 12:00:00+00', max(timestamp_utc) < '2013-11-12 12:06:00+00' "
                     "FROM positions") == [(True, True)]
    assert query(db, "SELECT count(*) FROM positions WHERE lat NOT BETWEEN -90 AND 90 OR lon NOT BETWEEN -180 AND 180") == [(0,)]


def test_every_edge_case_file_is_handled_and_balanced():
    if not (AIS / "nmea-edge-cases").is_dir():
        pytest.skip("real data folder missing: ../shared/data/ais/nmea-edge-cases")
    files = sorted((AIS / "nmea-edge-cases").iterdir())
    _, _, summary = read(files)
    assert [s.format for s in summary.sources] == ["nmea"] * len(files)
    for report in summary.sources:
        counts = report.counts
        assert counts.balanced, report.name
        assert counts.lines_read == len(open(report.name, "rb").read().splitlines()), report.name


def test_mixed_formats_in_one_call():
    positions, static, summary = read([ais_file("dma-nmea-2010-06-11-stream.txt"),
                                       ais_file("dma-aisdk-2018-02-08-5rows.csv")])
    assert [s.format for s in summary.sources] == ["nmea", "dma"]
    assert summary.totals.balanced and summary.totals.lines_read == 8_551 + 11
    assert set(positions.column("source_id").to_pylist()) == {1, 2}
    assert static.num_rows > 400  # 424 type 5 messages, minus repeats
