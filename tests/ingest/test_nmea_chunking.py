"""Chunk boundaries never change the output: tiny batches equal one big batch."""

from __future__ import annotations

import pyarrow as pa
import pytest
from nmea_support import (
    T0,
    armour,
    checksum,
    data_file,
    position_bits,
    read_all,
    sentence,
    source_from_bytes,
    source_from_path,
    split_sentences,
    static5_bits,
)


def _assert_same(a, b):
    for table_a, table_b in zip(a[:3], b[:3]):
        assert table_a.equals(table_b)
    assert a[3].to_json() == b[3].to_json()


def _tricky_text() -> bytes:
    """Multipart groups interleaved, split across lines, $PGHP before fragments, orphans."""
    s1 = split_sentences(static5_bits(211000001, 9074729, "AAA", "ALPHA", 70), seq="1")
    s2 = split_sentences(static5_bits(211000002, 0, "BBB", "BRAVO", 80), seq="2")
    s3 = split_sentences(static5_bits(211000003, 0, "CCC", "CHARLIE", 80), seq="3")
    pos = [sentence(*armour(position_bits(230000000 + k, 60 + k / 100, 20.0))) for k in range(12)]
    body = "PGHP,1,2014,10,5,15,57,32,248,219,,2190077,1,3C"
    pghp = f"${body}*{checksum(body)}"
    lines = [pos[0], pghp, s1[0], pos[1], "", s2[0], s1[1], "# c", pghp, pos[2], s3[0], pos[3],
             s2[1], pghp, "\\si:AISD*3F\\", pos[4]]
    lines += [f"# filler {k}" for k in range(70)] + [s3[1]]  # too late: both parts orphaned
    lines += [pos[5], pghp, s1[0], s1[1], pos[6], "garbage", pghp]
    return ("\r\n".join(lines)).encode()  # CRLF, no final newline


@pytest.mark.parametrize("batch_lines", [1, 2, 3, 7, 50])
def test_small_batches_equal_one_batch_synthetic(batch_lines):
    data = _tricky_text()
    whole = read_all(source_from_bytes(data), assume_time=T0, batch_lines=1_000_000)
    assert whole[3].lines_read == data.count(b"\n") + 1
    assert whole[3].rejected["orphan_fragment"] == 2 and whole[3].static == 3
    _assert_same(read_all(source_from_bytes(data), assume_time=T0, batch_lines=batch_lines), whole)


@pytest.mark.realdata
@pytest.mark.parametrize(
    "name", ["dma-nmea-2010-06-11-stream.txt", "nmea-edge-cases/mixed.txt", "nmea-edge-cases/gfw-spire-test.nmea",
             "dma-labelled-cases/538004030_drift_1.ais"]
)
def test_small_batches_equal_one_batch_real(name):
    path = data_file(name)
    whole = read_all(source_from_path(path))
    small = read_all(source_from_path(path), batch_lines=7)
    _assert_same(small, whole)


def test_batches_are_bounded_and_each_balanced():
    data = "\n".join(sentence(*armour(position_bits(230000001, 60.0, 20.0))) for _ in range(1000)).encode()
    from darkfleet.ingest.batch import ReadOptions
    from darkfleet.ingest.nmea import read_nmea

    batches = list(read_nmea(source_from_bytes(data), ReadOptions(batch_lines=100, assume_time=T0)))
    assert len(batches) == 10
    assert all(b.counts.balanced and b.counts.lines_read == 100 for b in batches)
    lines = pa.concat_arrays([b.positions.column("line_no").combine_chunks() for b in batches]).to_pylist()
    assert lines == list(range(1, 1001))


@pytest.mark.parametrize("min_lines", [5, 20])
def test_two_thread_halves_equal_sequential(monkeypatch, min_lines):
    from darkfleet.ingest.nmea import reader

    data = _tricky_text() * 3
    sequential = read_all(source_from_bytes(data), assume_time=T0)
    monkeypatch.setattr(reader, "PARALLEL_MIN_LINES", min_lines)
    _assert_same(read_all(source_from_bytes(data), assume_time=T0), sequential)
    _assert_same(read_all(source_from_bytes(data), assume_time=T0, batch_lines=37), sequential)


@pytest.mark.realdata
def test_two_thread_halves_equal_sequential_real(monkeypatch):
    from darkfleet.ingest.nmea import reader

    path = data_file("dma-nmea-2010-06-11-stream.txt")
    sequential = read_all(source_from_path(path))
    monkeypatch.setattr(reader, "PARALLEL_MIN_LINES", 1000)
    _assert_same(read_all(source_from_path(path)), sequential)


def test_chunks_bounded_in_bytes_give_the_same_output(monkeypatch):
    from darkfleet.ingest.nmea import reader

    data = _tricky_text() * 2
    whole = read_all(source_from_bytes(data), assume_time=T0)
    monkeypatch.setattr(reader, "_MAX_CHUNK_BYTES", 300)
    _assert_same(read_all(source_from_bytes(data), assume_time=T0), whole)
