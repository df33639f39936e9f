"""The byte-scanning helpers and the piece bounds behind the parallel NMEA decode."""

from __future__ import annotations

import numpy as np
import pytest
from nmea_support import T0, armour, position_bits, read_all, sentence, source_from_bytes, split_sentences, static5_bits

from darkfleet.ingest.nmea.linefeed import _split
from darkfleet.ingest.nmea.pieces import piece_bounds
from darkfleet.ingest.nmea.scan import count_byte, find_byte


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 1000, 4099])
def test_find_and_count_bytes_match_numpy_on_random_bytes(size):
    rng = np.random.default_rng(size)
    # few distinct values: newlines next to 0x0B and 0x09, the bytes a SWAR trick confuses
    buf = rng.choice(np.array([10, 11, 9, 33, 65], np.uint8), size=size)
    want = np.flatnonzero(buf == 10)
    found, n = find_byte(buf, 10, size + 1)
    assert np.array_equal(found[:n], want)
    capped, m = find_byte(buf, 10, 3)
    assert m == min(3, want.size) and np.array_equal(capped[:m], want[:3])
    assert count_byte(buf, 0, size, 33) == int((buf == 33).sum())
    assert count_byte(buf, size // 3, size // 2, 33) == int((buf[size // 3: size // 2] == 33).sum())


def test_split_keeps_a_last_line_without_newline_only_at_eof():
    buf = np.frombuffer(b"!a\n\n!!b\n!c", np.uint8)
    starts, ends, bangs, final = _split(buf, 100, False)
    assert (starts.tolist(), ends.tolist(), bangs, final) == ([0, 3, 4], [2, 3, 7], 3, False)
    starts, ends, bangs, final = _split(buf, 100, True)
    assert (starts.tolist(), ends.tolist(), bangs, final) == ([0, 3, 4, 8], [2, 3, 7, 10], 4, True)
    starts, ends, bangs, final = _split(buf, 2, True)
    assert (ends.tolist(), bangs, final) == ([2, 3], 1, False)


def _lines_of(text: str):
    buf = np.frombuffer(text.encode(), np.uint8)
    starts, ends, _, _ = _split(buf, 10**6, True)
    return buf, starts, ends


def test_piece_bounds_fall_just_after_a_single_fragment_sentence():
    pos = sentence(*armour(position_bits(230000001, 60.0, 20.0)))
    first, second = split_sentences(static5_bits(211000001, 0, "AAA", "ALPHA", 70))
    text = "\n".join([pos, first, second] * 30)  # a single sentence on every third line
    buf, starts, ends = _lines_of(text)
    bounds = piece_bounds(buf, starts, ends, 4).tolist()
    assert bounds[0] == 0 and bounds[-1] == starts.size and bounds == sorted(set(bounds))
    assert all(b % 3 == 1 for b in bounds[1:-1])  # the line before each inner bound is `pos`
    assert len(bounds) == 5


def test_piece_bounds_without_single_sentences_stay_plain_and_increasing():
    text = "\n".join(split_sentences(static5_bits(211000001, 0, "AAA", "ALPHA", 70)) * 10)
    buf, starts, ends = _lines_of(text)
    bounds = piece_bounds(buf, starts, ends, 8).tolist()
    assert bounds[0] == 0 and bounds[-1] == starts.size and bounds == sorted(set(bounds))


def test_pieces_that_guess_wrong_still_give_the_sequential_output(monkeypatch):
    from darkfleet.ingest.nmea import reader

    # only multipart groups: every bound splits a group, so every guess is wrong
    parts = [split_sentences(static5_bits(211000000 + k, 0, "AAA", "ALPHA", 70), seq=str(k % 10)) for k in range(60)]
    data = "\n".join(line for pair in parts for line in pair).encode()
    sequential = read_all(source_from_bytes(data), assume_time=T0)
    monkeypatch.setattr(reader, "PARALLEL_MIN_LINES", 7)
    pieces = read_all(source_from_bytes(data), assume_time=T0)
    for a, b in zip(pieces[:3], sequential[:3]):
        assert a.equals(b)
    assert pieces[3].to_json() == sequential[3].to_json() and sequential[3].static == 60


class _FailingStream:
    """Gives ``good`` bytes, then fails like a truncated gzip member."""

    def __init__(self, good: bytes) -> None:
        self.good = good

    def read(self, n: int) -> bytes:
        if not self.good:
            raise EOFError("compressed file ended before the end-of-stream marker")
        out, self.good = self.good[:n], self.good[n:]
        return out


def test_read_ahead_serves_bytes_in_order_and_raises_an_error_where_it_was_met():
    from darkfleet.ingest.nmea.linefeed import ReadAhead

    ahead = ReadAhead(_FailingStream(b"0123456789"))
    ahead.prefetch(64)  # meets the error: keeps it for later
    window = bytearray(4)
    got = [bytes(window[: ahead.readinto(memoryview(window))]) for _ in range(3)]
    assert got == [b"0123", b"4567", b"89"]
    with pytest.raises(EOFError):
        ahead.readinto(memoryview(window))
