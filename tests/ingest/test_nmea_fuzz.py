"""Hostile input: random bytes and mutated real lines never raise and always balance."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nmea_support import T0, armour, position_bits, read_all, sentence, source_from_bytes, split_sentences, static5_bits

REAL_LINES = [
    sentence(*armour(position_bits(244000001, 52.5, 4.25))),
    *split_sentences(static5_bits(244000001, 9074729, "PDAB", "EVER GIVEN", 80)),
    "$PGHP,1,2010,6,11,11,46,12,386,219,24,992190924,1,12*20",
    "\\si:AISD*3F\\",
    "\\c:1662052384,s:FM112*00\\!AIVDM,2,1,1,A,502CuBh0000000000000000000000000000000000000040Ht00000000000,0*37"
    "\\c:1662052384,s:FM112*00\\!AIVDM,2,2,1,A,00000000000,2*25",
    "!AIVDM,1,1,,B,33A0iB100118tfLO:FjPFR?:1P00,0*51,1412524603",
    "\\g:1-2-27300,n:636994,s:b003669710,c:1428621738*5F\\!SAVDM,2,1,2,B,55Mw@A7J1adAL@?;7WPl58F0U<h4pB222222220t1PN5553fN4g?`4iSp5Rc,0*26",
    "\\g:2-2-27300,n:636995*15\\!SAVDM,2,2,2,B,iP`88888880,2*5E",
    "# comment",
    "",
]

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(data: bytes, **options) -> None:
    positions, static, rejects, counts = read_all(source_from_bytes(data), **options)
    assert counts.balanced
    expected_lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    assert counts.lines_read == expected_lines
    assert rejects.num_rows == sum(counts.rejected.values())
    assert positions.num_rows == counts.positions and static.num_rows == counts.static
    assert all(raw is None or len(raw) <= 256 for raw in rejects.column("raw").to_pylist())


@_SETTINGS
@given(st.binary(max_size=3000), st.sampled_from([3, 1000]))
def test_random_bytes(data, batch_lines):
    _check(data, batch_lines=batch_lines)


@st.composite
def mutated_nmea(draw) -> bytes:
    lines = draw(st.lists(st.sampled_from(REAL_LINES), min_size=1, max_size=40))
    text = bytearray("\n".join(lines).encode())
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["flip", "insert", "delete"]))
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        if kind == "flip" and text:
            text[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            text[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif text:
            del text[at]
    return bytes(text)


@_SETTINGS
@given(mutated_nmea(), st.sampled_from([1, 7, 1000]), st.booleans())
def test_mutated_real_lines(data, batch_lines, with_time):
    _check(data, batch_lines=batch_lines, assume_time=T0 if with_time else None)


@_SETTINGS
@given(mutated_nmea())
def test_chunking_never_changes_mutated_input(data):
    small = read_all(source_from_bytes(data), batch_lines=3, assume_time=T0)
    whole = read_all(source_from_bytes(data), assume_time=T0)
    for a, b in zip(small[:3], whole[:3]):
        assert a.equals(b)
    assert small[3].to_json() == whole[3].to_json()
