"""Line framing, validation rejects, metadata, multipart reassembly and strict mode."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from nmea_support import (
    T0,
    armour,
    checksum,
    field,
    position_bits,
    read_text,
    sentence,
    split_sentences,
    static5_bits,
    tagged,
)

from darkfleet.errors import StrictModeError
from darkfleet.schema import RAW_CAP

POS = sentence(*armour(position_bits(244000001, 52.5, 4.25)))
STATIC_PARTS = split_sentences(static5_bits(244000001, 9074729, "PDAB", "EVER GIVEN", 80))


def _replace_checksum(line: str, new: str) -> str:
    return line[: line.rindex("*") + 1] + new


def test_valid_sentence_decodes_with_assumed_time():
    positions, _, _, counts = read_text(POS + "\n", assume_time=T0)
    row = positions.to_pylist()[0]
    assert (row["mmsi"], row["lat"], row["lon"]) == (244000001, pytest.approx(52.5), pytest.approx(4.25))
    assert row["timestamp_utc"] == T0 and row["line_no"] == 1 and row["source_id"] == 7
    assert counts.decoded == 1


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (_replace_checksum(POS, "00"), "bad_checksum"),
        (POS[: POS.rindex("*")], "bad_checksum"),
        (_replace_checksum(POS, "G1"), "bad_checksum"),
        ("!" + (b := "AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0,7") + "*" + checksum(b), "bad_field_count"),
        ("!" + (b := "AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,6") + "*" + checksum(b), "bad_fill_bits"),
        ("!" + (b := "AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,") + "*" + checksum(b), "bad_fill_bits"),
        ("!" + (b := "AIVDM,1,1,,A,15M67FC000G?ufbEXFepT@3n00Sa,0") + "*" + checksum(b), "bad_armour"),
        ("!" + (b := "AIVDM,1,1,,A,15M67FC000G?ufbE,0") + "*" + checksum(b), "short_payload"),
        ("!" + (b := "AIVDM,1,1,,A,,0") + "*" + checksum(b), "short_payload"),
        ("!" + (b := "AIVDM,0,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0") + "*" + checksum(b), "bad_fragment"),
        ("!" + (b := "AIVDM,2,3,1,A,15M67FC000G?ufbE`FepT@3n00Sa,0") + "*" + checksum(b), "bad_fragment"),
        ("hello world", "not_nmea"),
        ("\\c:17000x,s:x*00\\" + POS, "bad_timestamp"),
        ("\\c:1700000000,s:x*00" + POS, "bad_tag_block"),
        ("\\nokey*00\\" + POS, "bad_tag_block"),
        ("$PGHP,1,2010,13,11,11,46,11,390,231,45,992190934,1,2B*" + checksum("PGHP,1,2010,13,11,11,46,11,390,231,45,992190934,1,2B"), "bad_metadata"),
        ("$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*00", "bad_checksum"),
        ("x" * 1500, "line_too_long"),
    ],
)
def test_reject_reasons(line, reason):
    _, _, rejects, counts = read_text(line + "\n", assume_time=T0)
    assert counts.rejected == {reason: 1}
    row = rejects.to_pylist()[0]
    assert (row["line_no"], row["reason"]) == (1, reason)
    assert row["raw"] == line[:RAW_CAP]


def test_skips_are_counted_with_reasons():
    text = "\n# comment\n   \n$GPGGA,184353.07,1929.045,S,02410.506,E,1,04,2.6,100.00,M,-33.9,M,,0000*6D\n"
    text += sentence(*armour(field(4, 6) + "0" * 162)) + "\n"
    _, _, rejects, counts = read_text(text, assume_time=T0)
    assert counts.skipped == {"blank": 2, "comment": 1, "other_sentence": 1, "type_4": 1}
    assert rejects.num_rows == 0 and counts.lines_read == 5


def test_binary_garbage_and_invalid_utf8_become_rejects():
    data = b"\xff\xfe\x00garbage\n!AIVDM,\xc3\x28,1\n" + POS.encode() + b"\r\n"
    from nmea_support import read_all, source_from_bytes

    positions, _, rejects, counts = read_all(source_from_bytes(data), assume_time=T0)
    assert counts.lines_read == 3 and counts.decoded == 1 and counts.balanced
    assert rejects.column("reason").to_pylist() == ["not_nmea", "bad_checksum"]
    assert all(raw.isascii() for raw in rejects.column("raw").to_pylist())


def test_very_long_line_without_newline_is_capped_and_rejected_once():
    from nmea_support import read_all, source_from_bytes

    data = b"!" + b"A" * 5_000_000 + b"\n" + POS.encode() + b"\n"
    _, _, rejects, counts = read_all(source_from_bytes(data), assume_time=T0, batch_lines=10)
    assert counts.rejected == {"line_too_long": 1} and counts.decoded == 1
    assert len(rejects.column("raw")[0].as_py()) == RAW_CAP
    assert counts.lines_read == 2


def test_tag_block_time_seconds_and_milliseconds_and_source():
    text = tagged(POS, 1_700_000_000, "rx-north") + "\n" + tagged(POS, 1_700_000_000_250, "rx-south") + "\n"
    positions, _, _, _ = read_text(text)
    rows = positions.to_pylist()
    assert rows[0]["timestamp_utc"] == datetime.fromtimestamp(1_700_000_000, tz=timezone.utc)
    assert rows[1]["timestamp_utc"] == datetime.fromtimestamp(1_700_000_000.25, tz=timezone.utc)
    assert [r["receiver"] for r in rows] == ["rx-north", "rx-south"]


def test_pghp_gives_time_and_station_to_all_fragments_of_the_next_message():
    body = "PGHP,1,2014,10,5,15,57,32,248,219,,2190077,1,3C"
    text = f"\\si:AISD*3F\\\n${body}*{checksum(body)}\n" + "\n".join(STATIC_PARTS) + "\n" + POS + "\n"
    positions, static, _, counts = read_text(text)
    assert counts.skipped == {"metadata": 2} and counts.rejected == {"no_timestamp": 1}
    row = static.to_pylist()[0]
    assert row["timestamp_utc"] == datetime(2014, 10, 5, 15, 57, 32, 248_000, tzinfo=timezone.utc)
    assert row["line_no"] == 3 and row["name"] == "EVER GIVEN"
    assert positions.num_rows == 0  # the $PGHP was used up by the static message


def test_interleaved_multipart_groups_and_a_missing_part():
    a = split_sentences(static5_bits(211000001, 0, "AAA", "ALPHA", 70), seq="1", channel="A")
    b = split_sentences(static5_bits(211000002, 0, "BBB", "BRAVO", 80), seq="2", channel="A")
    c = split_sentences(static5_bits(211000003, 0, "CCC", "CHARLIE", 80), seq="3", channel="A")
    lines = [a[0], b[0], POS, a[1], c[0], b[1]]  # c never gets its second part
    _, static, rejects, counts = read_text("\n".join(lines) + "\n", assume_time=T0)
    assert sorted(static.column("name").to_pylist()) == ["ALPHA", "BRAVO"]
    assert {r["name"]: r["line_no"] for r in static.to_pylist()} == {"ALPHA": 1, "BRAVO": 2}
    assert counts.decoded == 5 and counts.rejected == {"orphan_fragment": 1}
    assert rejects.column("line_no").to_pylist() == [5]


def test_same_sequence_id_from_two_receivers_is_not_mixed_up():
    a = split_sentences(static5_bits(211000001, 0, "AAA", "ALPHA", 70), seq="4", channel="B")
    b = split_sentences(static5_bits(211000002, 0, "BBB", "BRAVO", 80), seq="4", channel="B")
    lines = [tagged(a[0], 1_700_000_000, "rx1"), tagged(b[0], 1_700_000_001, "rx2"),
             tagged(a[1], 1_700_000_000, "rx1"), tagged(b[1], 1_700_000_001, "rx2")]
    _, static, _, counts = read_text("\n".join(lines) + "\n")
    assert {r["name"]: (r["mmsi"], r["line_no"]) for r in static.to_pylist()} == {
        "ALPHA": (211000001, 1), "BRAVO": (211000002, 2)}
    assert counts.rejected == {}


def test_fragment_arriving_after_the_window_makes_orphans():
    parts = STATIC_PARTS
    text = "\n".join([parts[0]] + ["# filler"] * 70 + [parts[1]]) + "\n"
    _, static, rejects, counts = read_text(text, assume_time=T0)
    assert static.num_rows == 0
    assert counts.rejected == {"orphan_fragment": 2}
    assert rejects.column("line_no").to_pylist() == [1, 72]


def test_duplicate_first_part_orphans_the_older_group():
    parts = STATIC_PARTS
    _, static, rejects, counts = read_text("\n".join([parts[0], parts[0], parts[1]]) + "\n", assume_time=T0)
    assert static.num_rows == 1 and static.column("line_no").to_pylist() == [2]
    assert rejects.column("line_no").to_pylist() == [1]


def test_strict_mode_raises_at_the_first_reject():
    text = POS + "\n" + _replace_checksum(POS, "00") + "\n" + POS + "\n"
    with pytest.raises(StrictModeError) as info:
        read_text(text, assume_time=T0, strict=True)
    assert info.value.context["line_no"] == 2
    assert "bad_checksum" in info.value.message
    positions, _, _, counts = read_text(text, assume_time=T0)
    assert counts.rejected == {"bad_checksum": 1} and positions.num_rows == 2


def test_vdo_and_other_talkers():
    payload, fill = armour(position_bits(257000001, 60.0, 5.0))
    lines = [sentence(payload, fill, talker=t) for t in ("AI", "BS", "AB", "SA")]
    lines.append(lines[0].replace("VDM", "VDO")[: lines[0].rindex("*") + 1] + checksum(lines[0][1:lines[0].rindex("*")].replace("VDM", "VDO")))
    positions, _, _, counts = read_text("\n".join(lines) + "\n", assume_time=T0)
    assert positions.num_rows == 5 and counts.decoded == 5


def test_truncated_gzip_is_an_input_error_naming_the_file():
    import gzip
    import io

    from darkfleet.errors import InputError
    from darkfleet.ingest.batch import Source
    from nmea_support import read_all

    packed = gzip.compress(((POS + "\n") * 5000).encode())[:-200]
    source = Source(name="cut.nmea.gz", source_id=1, open=lambda: gzip.GzipFile(fileobj=io.BytesIO(packed)))
    with pytest.raises(InputError) as info:
        read_all(source, assume_time=T0)
    assert info.value.context["path"] == "cut.nmea.gz"
