"""The vectorised NMEA encoder against an independent decoder (pyais)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from darkfleet.simulate import nmea_encode as ne

pyais = pytest.importorskip("pyais")


def _checksum_ok(sentence: str) -> bool:
    body, cs = sentence[1:].split("*")
    x = 0
    for ch in body.encode():
        x ^= ch
    return f"{x:02X}" == cs


@settings(max_examples=25, deadline=None)
@given(
    mmsi=st.integers(200_000_000, 775_999_999),
    lat=st.integers(-90 * 100_000, 90 * 100_000),
    lon=st.integers(-180 * 100_000, 180 * 100_000),
    sog=st.integers(0, 1022),
    cog=st.integers(0, 3599),
    heading=st.integers(0, 359),
    nav=st.integers(0, 15),
    second=st.integers(0, 59),
)
def test_type1_fields_decode_back(mmsi, lat, lon, sog, cog, heading, nav, second):
    payload, fill = ne.encode_position_a(np.array([mmsi]), np.array([nav]), np.array([sog / 10]), np.array([lon / 1e5]),
                                         np.array([lat / 1e5]), np.array([cog / 10]), np.array([heading]), np.array([second]))
    sentence = ne.sentences(payload, fill)[0].as_py()
    assert _checksum_ok(sentence)
    msg = pyais.decode(sentence)
    assert (msg.msg_type, msg.mmsi, msg.status, msg.heading, msg.second) == (1, mmsi, nav, heading, second)
    assert msg.lat == pytest.approx(lat / 1e5, abs=1e-9) and msg.lon == pytest.approx(lon / 1e5, abs=1e-9)
    assert msg.speed == pytest.approx(sog / 10) and msg.course == pytest.approx(cog / 10)


def test_type18_and_no_fix_sentinels():
    payload, fill = ne.encode_position_b(np.array([338148873, 235000001]), np.array([5.5, 0.0]), np.array([181.0, -4.5]),
                                         np.array([91.0, 50.25]), np.array([0.0, 359.9]), np.array([511, 511]), np.array([5, 59]))
    msgs = [pyais.decode(s) for s in ne.sentences(payload, fill).to_pylist()]
    assert [m.msg_type for m in msgs] == [18, 18]
    assert (msgs[0].lat, msgs[0].lon, msgs[0].speed) == (91.0, 181.0, 5.5)
    assert msgs[1].course == pytest.approx(359.9) and msgs[1].heading == 511


def test_type5_two_parts_decode_with_sequence_id():
    payload, fill = ne.encode_static_5(np.array([636012345]), np.array([9187629]), np.array(["A8LU7"]),
                                       np.array(["NS Leader"]), np.array([80]), np.array([228.0]), np.array([42.0]),
                                       np.array([14.5]))
    assert payload.shape == (1, 71) and fill == 2
    one = ne.sentences(payload[:, :60], 0, 2, 1, np.array([7]))[0].as_py()
    two = ne.sentences(payload[:, 60:], fill, 2, 2, np.array([7]))[0].as_py()
    assert one.startswith("!AIVDM,2,1,7,A,") and two.startswith("!AIVDM,2,2,7,A,")
    assert _checksum_ok(one) and _checksum_ok(two)
    m = pyais.decode(one, two)
    assert (m.mmsi, m.imo, m.callsign, m.shipname, m.ship_type) == (636012345, 9187629, "A8LU7", "NS LEADER", 80)
    assert (m.to_bow + m.to_stern, m.to_port + m.to_starboard, m.draught) == (228, 42, 14.5)


def test_type24_parts():
    (a, fa), (b, fb) = ne.encode_static_24(np.array([338148873]), np.array(["WDC1234"]), np.array(["CAZADOR"]),
                                           np.array([37]), np.array([14.0]), np.array([5.0]))
    ma = pyais.decode(ne.sentences(a, fa)[0].as_py())
    mb = pyais.decode(ne.sentences(b, fb)[0].as_py())
    assert (ma.partno, ma.shipname) == (0, "CAZADOR")
    assert (mb.partno, mb.callsign, mb.ship_type, mb.to_bow + mb.to_stern) == (1, "WDC1234", 37, 14)


def test_tag_block_checksum_and_fields():
    tags = ne.tag_blocks(np.array([1, 0]), np.array(["SAT", "T-GRPIR"], dtype=object), np.array([1767571200, 1767571261]))
    for text, station, unix in zip(tags.to_pylist(), ["T-GRPIR", "SAT"], [1767571200, 1767571261]):
        assert text.startswith("\\") and text.endswith("\\")
        assert _checksum_ok("!" + text[1:-1].replace("\\", ""))
        assert text[1:-1].split("*")[0] == f"s:{station},c:{unix}"
