"""Field layouts per message type, "not available" values, units, text and ETA rules."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from nmea_support import (
    T0,
    armour,
    field,
    position_bits,
    read_text,
    sentence,
    split_sentences,
    static5_bits,
    tagged,
    text6,
)


def _one(bits: str, **options):
    return read_text(sentence(*armour(bits)) + "\n", assume_time=T0, **options)


def test_type1_not_available_values_become_null():
    bits = position_bits(235000001, 91.0, 181.0, sog10=1023, cog10=3600, heading=511, status=15)
    positions, _, _, _ = _one(bits)
    row = positions.to_pylist()[0]
    assert [row[k] for k in ("lat", "lon", "sog_kn", "cog_deg", "heading_deg", "nav_status")] == [None] * 6
    assert row["mmsi"] == 235000001 and row["msg_type"] == 1


def test_type1_values_and_negative_coordinates():
    bits = position_bits(235000002, -33.8688, -151.2093, sog10=1022, cog10=3599, heading=359, status=5,
                         msg_type=3)
    row = _one(bits)[0].to_pylist()[0]
    assert row["lat"] == pytest.approx(-33.8688, abs=1e-6) and row["lon"] == pytest.approx(-151.2093, abs=1e-6)
    assert row["sog_kn"] == pytest.approx(102.2) and row["cog_deg"] == pytest.approx(359.9)
    assert (row["heading_deg"], row["nav_status"], row["msg_type"]) == (359, 5, 3)


def test_type18_class_b():
    bits = (field(18, 6) + field(0, 2) + field(338000001, 30) + field(0, 8) + field(87, 10) + field(0, 1)
            + field(round(-70.5 * 600000), 28) + field(round(41.25 * 600000), 27) + field(1800, 12)
            + field(511, 9) + field(0, 6) + "0" * 28)
    row = _one(bits)[0].to_pylist()[0]
    assert (row["msg_type"], row["sog_kn"], row["cog_deg"], row["heading_deg"]) == (18, pytest.approx(8.7), 180.0, None)
    assert row["lat"] == pytest.approx(41.25) and row["lon"] == pytest.approx(-70.5)
    assert row["nav_status"] is None


def test_type19_gives_a_position_and_a_static_row():
    bits = (field(19, 6) + field(0, 2) + field(338000002, 30) + field(0, 8) + field(55, 10) + field(0, 1)
            + field(round(10.0 * 600000), 28) + field(round(55.0 * 600000), 27) + field(900, 12)
            + field(90, 9) + field(0, 6) + field(0, 4) + text6("SEA WOLF", 20) + field(37, 8)
            + field(10, 9) + field(5, 9) + field(2, 6) + field(3, 6) + "0" * 11)
    positions, static, _, counts = _one(bits)
    assert positions.column("msg_type").to_pylist() == [19] and counts.decoded == 1
    row = static.to_pylist()[0]
    assert (row["name"], row["ship_type"], row["length_m"], row["width_m"]) == ("SEA WOLF", 37, 15.0, 5.0)
    assert row["imo"] is None and row["callsign"] is None


def test_type27_long_range_units():
    bits = (field(27, 6) + field(0, 2) + field(563000001, 30) + field(0, 1) + field(0, 1) + field(1, 4)
            + field(round(103.85 * 600), 18) + field(round(1.29 * 600), 17) + field(12, 6) + field(270, 9)
            + field(0, 1) + field(0, 1))
    row = _one(bits)[0].to_pylist()[0]
    assert row["lat"] == pytest.approx(1.29, abs=1 / 600) and row["lon"] == pytest.approx(103.85, abs=1 / 600)
    assert (row["sog_kn"], row["cog_deg"], row["nav_status"], row["msg_type"]) == (12.0, 270.0, 1, 27)
    na = (field(27, 6) + field(0, 2) + field(563000001, 30) + "00" + field(15, 4) + field(181 * 600, 18)
          + field(91 * 600, 17) + field(63, 6) + field(511, 9) + "00")
    row = _one(na)[0].to_pylist()[0]
    assert [row[k] for k in ("lat", "lon", "sog_kn", "cog_deg", "nav_status")] == [None] * 5


def test_type9_sar_aircraft_speed_in_whole_knots():
    bits = (field(9, 6) + field(0, 2) + field(111232511, 30) + field(300, 12) + field(140, 10) + field(0, 1)
            + field(round(12.5 * 600000), 28) + field(round(56.0 * 600000), 27) + field(450, 12) + "0" * 40)
    row = _one(bits)[0].to_pylist()[0]
    assert (row["msg_type"], row["sog_kn"], row["cog_deg"], row["heading_deg"]) == (9, 140.0, 45.0, None)


def test_type24_parts_become_separate_static_rows():
    part_a = field(24, 6) + field(0, 2) + field(338000003, 30) + field(0, 2) + text6("LITTLE BOAT", 20)
    part_b = (field(24, 6) + field(0, 2) + field(338000003, 30) + field(1, 2) + field(36, 8) + "0" * 42
              + text6("WDC1234", 7) + field(8, 9) + field(2, 9) + field(1, 6) + field(2, 6) + "0" * 6)
    aux_b = (field(24, 6) + field(0, 2) + field(981234567, 30) + field(1, 2) + field(36, 8) + "0" * 42
             + text6("AUX", 7) + field(338000003, 30) + "0" * 6)
    bad_part = field(24, 6) + field(0, 2) + field(338000003, 30) + field(2, 2) + "0" * 120
    text = "\n".join(sentence(*armour(b)) for b in (part_a, part_b, aux_b, bad_part)) + "\n"
    _, static, rejects, counts = read_text(text, assume_time=T0)
    a, b, aux = static.to_pylist()
    assert (a["name"], a["callsign"], a["ship_type"], a["length_m"]) == ("LITTLE BOAT", None, None, None)
    assert (b["name"], b["callsign"], b["ship_type"], b["length_m"], b["width_m"]) == (None, "WDC1234", 36, 10.0, 3.0)
    assert aux["length_m"] is None  # auxiliary craft: the field holds the mothership MMSI
    assert counts.rejected == {"bad_field": 1}


def test_type5_static_fields_imo_check_and_text_trimming():
    bits = static5_bits(244000001, 9074729, "PDAB", " EVER  GIVEN ", 80, dims=(300, 100, 30, 29),
                        eta=(6, 15, 14, 30), draught10=145, destination="ROTTERDAM@@@garbage")
    _, static, _, _ = read_text("\n".join(tagged(s, 1_709_294_400) for s in split_sentences(bits)) + "\n")
    row = static.to_pylist()[0]
    assert (row["imo"], row["imo_valid"], row["callsign"], row["name"]) == (9074729, True, "PDAB", "EVER  GIVEN")
    assert (row["ship_type"], row["draught_m"], row["length_m"], row["width_m"]) == (80, pytest.approx(14.5), 400.0, 59.0)
    assert row["destination"] == "ROTTERDAM"
    assert row["eta_utc"] == datetime(2024, 6, 15, 14, 30, tzinfo=timezone.utc)
    assert row["timestamp_utc"] == datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_type5_not_available_and_invalid_imo():
    bits = static5_bits(244000002, 1234568, "", "", 0, dims=(0, 0, 0, 0), eta=(0, 0, 24, 60), draught10=0,
                        destination="")
    _, static, _, _ = _one("".join(bits))
    row = static.to_pylist()[0]
    assert (row["imo"], row["imo_valid"]) == (1234568, False)
    for key in ("name", "callsign", "ship_type", "draught_m", "destination", "eta_utc", "length_m", "width_m"):
        assert row[key] is None, key
    no_imo = static5_bits(244000003, 0, "X", "Y", 70)
    row = _one(no_imo)[1].to_pylist()[0]
    assert (row["imo"], row["imo_valid"]) == (None, None)


@pytest.mark.parametrize(
    ("sent_utc", "eta", "expected"),
    [
        (1_733_011_200, (1, 10, 8, 0), datetime(2025, 1, 10, 8, 0, tzinfo=timezone.utc)),  # Dec 2024 -> Jan next year
        (1_709_294_400, (2, 20, 6, 0), datetime(2024, 2, 20, 6, 0, tzinfo=timezone.utc)),  # recent past stays
        (1_709_294_400, (2, 30, 6, 0), None),  # 30 February
        (1_709_294_400, (13, 1, 0, 0), None),
    ],
)
def test_eta_year_comes_from_the_message_time(sent_utc, eta, expected):
    bits = static5_bits(244000004, 0, "X", "Y", 70, eta=eta)
    _, static, _, _ = read_text("\n".join(tagged(s, sent_utc) for s in split_sentences(bits)) + "\n")
    assert static.column("eta_utc")[0].as_py() == expected
