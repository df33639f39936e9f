"""Every file of nmea-edge-cases/: counts balance and match a hand count of the file."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from nmea_support import DATA, T0, data_file, read_all, source_from_path

pytestmark = pytest.mark.realdata

# (decoded lines, positions, static, skipped, rejected) with assume_time set, counted by hand
EXPECTED = {
    "gatehouse.nmea": (4, 4, 0, {"blank": 2, "comment": 1, "metadata": 3}, {"bad_checksum": 1}),
    "gfw-mixed_types.nmea": (50, 35, 15, {"type_4": 5, "type_8": 4, "type_17": 10}, {}),
    "gfw-multi-part.nmea": (20, 0, 10, {"type_12": 21, "type_14": 24, "type_17": 20}, {}),
    "gfw-sample.nmea": (3, 1, 2, {}, {}),
    "gfw-spire-test.nmea": (2, 0, 2, {}, {}),
    "messages.ais": (6, 6, 0, {"blank": 3, "comment": 2}, {}),
    "mixed.txt": (14, 10, 2, {"blank": 7, "comment": 5, "metadata": 1, "other_sentence": 4},
                  {"bad_checksum": 1, "bad_timestamp": 1, "not_nmea": 2}),
    "nmea_data_sample.txt": (764, 762, 2, {"type_4": 6}, {"orphan_fragment": 20, "short_payload": 100}),
    "sample.ais": (12, 10, 1, {"blank": 1, "comment": 5},
                   {"bad_checksum": 1, "bad_fragment": 1, "bad_timestamp": 1, "not_nmea": 1}),
    "timestamped.ais": (4, 4, 0, {"metadata": 3}, {"bad_checksum": 1}),
}


def test_every_edge_case_file_is_listed():
    folder = DATA / "nmea-edge-cases"
    if not folder.exists():
        pytest.skip("../shared/data/ais/nmea-edge-cases not found")
    assert sorted(p.name for p in folder.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_edge_case_counts(name):
    path = data_file(f"nmea-edge-cases/{name}")
    positions, static, rejects, counts = read_all(source_from_path(path), assume_time=T0)
    decoded, n_pos, n_static, skipped, rejected = EXPECTED[name]
    assert counts.balanced
    assert counts.lines_read == len(path.read_bytes().rstrip(b"\n").split(b"\n"))
    assert (counts.decoded, counts.positions, counts.static) == (decoded, n_pos, n_static)
    assert positions.num_rows == n_pos and static.num_rows == n_static
    for reason, n in skipped.items():
        assert counts.skipped[reason] == n, reason
    assert dict(counts.rejected) == rejected
    assert rejects.num_rows == sum(rejected.values())
    assert sorted(rejects.column("reason").to_pylist()) == sorted(
        reason for reason, n in rejected.items() for _ in range(n)
    )


def test_without_time_messages_are_rejected_not_dropped():
    path = data_file("nmea-edge-cases/messages.ais")
    positions, _, rejects, counts = read_all(source_from_path(path))
    assert positions.num_rows == 0
    assert counts.rejected == {"no_timestamp": 6}
    assert rejects.column("line_no").to_pylist() == [3, 4, 5, 9, 10, 11]


def test_assume_time_stamps_every_message():
    path = data_file("nmea-edge-cases/messages.ais")
    positions, _, _, _ = read_all(source_from_path(path), assume_time=T0)
    assert set(positions.column("timestamp_utc").to_pylist()) == {T0}


def test_gatehouse_pghp_time_applies_to_the_next_message_only():
    path = data_file("nmea-edge-cases/gatehouse.nmea")
    positions, _, rejects, counts = read_all(source_from_path(path))
    assert positions.column("line_no").to_pylist() == [2]
    assert positions.column("timestamp_utc")[0].as_py() == datetime(2008, 5, 9, 0, 0, 0, 10_000, tzinfo=timezone.utc)
    assert counts.rejected == {"no_timestamp": 3, "bad_checksum": 1}
    bad = [r["line_no"] for r in rejects.to_pylist() if r["reason"] == "bad_checksum"]
    assert bad == [7]


def test_spire_style_pairs_on_one_line():
    path = data_file("nmea-edge-cases/gfw-spire-test.nmea")
    _, static, _, counts = read_all(source_from_path(path))
    assert counts.decoded == 2 and counts.static == 2
    rows = static.to_pylist()
    assert [r["line_no"] for r in rows] == [1, 2]
    pyais = pytest.importorskip("pyais")
    first, second = path.read_text().splitlines()[0].split("\\!")[1:]
    expected = pyais.decode("!" + first.split("\\")[0], "!" + second).mmsi
    assert {r["mmsi"] for r in rows} == {expected}
    assert rows[0]["timestamp_utc"] == datetime.fromtimestamp(1662052384, tz=timezone.utc)


def test_gfw_tag_block_milliseconds_and_source():
    path = data_file("nmea-edge-cases/gfw-sample.nmea")
    positions, static, _, _ = read_all(source_from_path(path))
    row = positions.to_pylist()[0]
    assert row["msg_type"] == 18
    assert row["receiver"] == "sdr-experiments"
    assert row["timestamp_utc"] == datetime(2020, 9, 4, 17, 12, 6, 500_000, tzinfo=timezone.utc)
    parts = static.to_pylist()
    assert parts[0]["name"] is not None and parts[0]["callsign"] is None  # 24 A: name only
    assert parts[1]["name"] is None and parts[1]["callsign"] is not None  # 24 B


def test_tag_block_group_without_source_on_part_two():
    path = data_file("nmea-edge-cases/mixed.txt")
    _, static, _, _ = read_all(source_from_path(path), assume_time=T0)
    by_line = {r["line_no"]: r for r in static.to_pylist()}
    assert 24 in by_line  # \g:1-2-27300 ... s:b003669710 then \g:2-2-27300 without s:
    pyais = pytest.importorskip("pyais")
    lines = path.read_text().splitlines()
    expected = pyais.decode(*(line.split("\\")[2] for line in lines[23:25]))
    assert (by_line[24]["mmsi"], by_line[24]["name"]) == (expected.mmsi, expected.shipname)


def test_trailing_unix_time_after_checksum():
    path = data_file("dma-labelled-cases/219165000_ssc_1.ais")
    positions, _, _, counts = read_all(source_from_path(path))
    assert counts.balanced
    first = positions.slice(0, 1).to_pylist()[0]
    assert first["line_no"] == 2
    assert first["timestamp_utc"] == datetime.fromtimestamp(1412524603, tz=timezone.utc)
    assert first["receiver"] == "MSSIS"  # no station given: the \\si: feed name stands in
