"""pyais as the oracle: every message of two real DMA files, field by field."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone

import numpy as np
import pytest
from nmea_support import data_file, read_all, source_from_path

pyais = pytest.importorskip("pyais")
from pyais import NMEAMessage  # noqa: E402
from pyais.constants import ShipType  # noqa: E402

pytestmark = pytest.mark.realdata

FILES = ["dma-nmea-2010-06-11-stream.txt", "dma-nmea-2013-11-12-5min.txt.gz"]


def _pghp_time(line: str) -> datetime:
    f = line.split("*")[0].split(",")
    y, mo, d, h, mi, s, ms = (int(v) for v in f[2:9])
    return datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=timezone.utc)


def oracle(path) -> dict[int, tuple[object, datetime]]:
    """line_no of the first fragment -> (pyais message, time of the preceding $PGHP)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", errors="replace") as fh:
        lines = fh.read().splitlines()
    out: dict[int, tuple[object, datetime]] = {}
    pending: dict[tuple, list] = {}
    pghp_time = None
    for no, line in enumerate(lines, start=1):
        if line.startswith("$PGHP"):
            pghp_time = _pghp_time(line)
            continue
        if not line.startswith("!") or "VDM" not in line[:7] and "VDO" not in line[:7]:
            continue
        try:
            msg = NMEAMessage(line.encode())
        except Exception:  # pyais rejects it: we compare only what pyais decodes
            continue
        if msg.frag_cnt == 1:
            parts = [(no, msg, pghp_time)]
        else:
            key = (msg.seq_id, msg.channel, msg.frag_cnt)
            pending.setdefault(key, []).append((no, msg, pghp_time))
            if len(pending[key]) < msg.frag_cnt:
                continue
            parts = pending.pop(key)
        try:
            decoded = NMEAMessage.assemble_from_iterable([p[1] for p in parts]).decode()
        except Exception:
            continue
        out[parts[0][0]] = (decoded, parts[0][2])
    return out


@pytest.mark.parametrize("name", FILES)
def test_positions_and_static_agree_with_pyais(name):
    path = data_file(name)
    positions, static, _, counts = read_all(source_from_path(path))
    assert counts.balanced
    expected = oracle(path)
    by_line = {row["line_no"]: row for row in positions.to_pylist()}
    compared = 0
    for line_no, (msg, when) in expected.items():
        if msg.msg_type not in (1, 2, 3, 18, 19, 27, 9):
            continue
        row = by_line.get(line_no)
        assert row is not None, f"line {line_no}: pyais decoded type {msg.msg_type}, we did not"
        assert row["mmsi"] == msg.mmsi
        assert row["msg_type"] == msg.msg_type
        assert row["timestamp_utc"] == when
        for ours, theirs, na in ((row["lat"], msg.lat, 91.0), (row["lon"], msg.lon, 181.0)):
            if theirs == na:
                assert ours is None
            else:
                assert ours == pytest.approx(theirs, abs=1e-6)
        if msg.speed >= 102.3:
            assert row["sog_kn"] is None
        else:
            assert row["sog_kn"] == pytest.approx(msg.speed, abs=1e-4)
        if msg.course >= 360:
            assert row["cog_deg"] is None
        else:
            assert row["cog_deg"] == pytest.approx(msg.course, abs=1e-4)
        heading = getattr(msg, "heading", None)
        if heading is not None:
            assert row["heading_deg"] == (None if heading >= 360 else heading)
        compared += 1
    assert compared > 2500 if "2010" in name else compared > 24000

    static_by_line = {row["line_no"]: row for row in static.to_pylist()}
    n_type5 = 0
    for line_no, (msg, when) in expected.items():
        if msg.msg_type != 5:
            continue
        row = static_by_line[line_no]
        assert row["mmsi"] == msg.mmsi
        assert row["timestamp_utc"] == when
        assert row["name"] == (msg.shipname or None)
        assert row["callsign"] == (msg.callsign or None)
        assert row["imo"] == (msg.imo or None)
        if int(msg.ship_type):
            assert row["ship_type"] == int(msg.ship_type)
        else:  # pyais maps codes missing from its enum (e.g. 39) to 0: ours keeps the raw code
            assert row["ship_type"] is None or row["ship_type"] not in ShipType._value2member_map_
        assert row["draught_m"] == (pytest.approx(msg.draught) if msg.draught else None)
        n_type5 += 1
    assert n_type5 > (400 if "2010" in name else 50)


def test_dma_2013_matches_published_numbers():
    path = data_file("dma-nmea-2013-11-12-5min.txt.gz")
    positions, _, _, counts = read_all(source_from_path(path))
    assert counts.lines_read == 80_246
    assert counts.positions == positions.num_rows == 24_688
    assert len(positions.column("mmsi").unique()) >= 1_400
    ts = positions.column("timestamp_utc").to_numpy()
    assert (ts >= np.datetime64("2013-11-12T12:00")).all() and (ts < np.datetime64("2013-11-12T12:06")).all()
