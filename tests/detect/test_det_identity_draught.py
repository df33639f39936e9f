import json
from datetime import timedelta


from darkfleet.clean.prepare import prepare_positions, prepare_static
from darkfleet.config import DraughtConfig, IdentityConfig
from darkfleet.detect.draught import detect_draught_changes
from darkfleet.detect.events import empty_events
from darkfleet.detect.identity import detect_identity_changes
from darkfleet.detect.ports_index import PortIndex
from det_tracks import COWES, T0, offset, positions, static_rows, track

IMO_OK = 9074729  # valid check digit
IMO_OK2 = 9321483
IMO_BAD = 9074728


def _static(rows):
    return prepare_static(static_rows(rows))


def _row(mmsi, hours, **values):
    return {"mmsi": mmsi, "timestamp_utc": T0 + timedelta(hours=hours), **values}


def _fields(events):
    return sorted(json.loads(d)["field"] for d in events["details"])


def test_name_and_callsign_changes_but_not_padding_or_case():
    rows = [
        _row(1, 0, name="OCEAN STAR", callsign="ABCD", imo=IMO_OK),
        _row(1, 1, name="ocean  star@@", callsign="ABCD", imo=IMO_OK),  # same after normalising
        _row(1, 2, name="SEA PEARL", callsign="WXYZ", imo=IMO_OK),
    ]
    events = detect_identity_changes(_static(rows), IdentityConfig())
    assert _fields(events) == ["callsign", "name"]
    name = [json.loads(d) for d in events["details"] if json.loads(d)["field"] == "name"][0]
    assert (name["old"], name["new"]) == ("OCEAN STAR", "SEA PEARL")
    assert set(events["start_utc"].to_list()) == {T0 + timedelta(hours=2)}


def test_reflagging_borrowed_and_invalid_imos():
    rows = [
        _row(636000001, 0, imo=IMO_OK), _row(636000001, 5, imo=IMO_OK),
        _row(229000002, 9, imo=IMO_OK),  # same IMO, new MMSI with another MID after the old one fell silent
        _row(311000003, 0, imo=IMO_OK2), _row(311000003, 9, imo=IMO_OK2),
        _row(352000004, 4, imo=IMO_OK2),  # uses IMO_OK2 while 311000003 still does
        _row(538000005, 1, imo=IMO_BAD),
    ]
    events = detect_identity_changes(_static(rows), IdentityConfig())
    by_field = {json.loads(d)["field"]: (m, o) for d, m, o in events.select("details", "mmsi", "other_mmsi").iter_rows()}
    assert by_field["flag"] == (229000002, 636000001)
    assert by_field["imo_borrowed"][0] == 352000004
    assert by_field["imo_invalid"][0] == 538000005
    assert len(events) == 3


def _draught_case(values, at=None, length_m=200.0):
    at = at or (55.3, 16.8)
    rows = [_row(1, h, draught_m=d, length_m=length_m) for h, d in values]
    pos = prepare_positions(positions(track(1, 30, 0.0, start=at)))[0]
    return detect_draught_changes(_static(rows), pos, DraughtConfig(), PortIndex.default(), empty_events(), empty_events())


def test_confirmed_draught_change_at_sea_is_reported():
    events = _draught_case([(0, 8.0), (3, 8.0), (10, 11.5), (12, 11.5)])
    assert events.height == 1
    details = json.loads(events["details"][0])
    assert details["change_m"] == 3.5 and details["across_gap"] is False
    assert events["start_utc"][0] == T0 + timedelta(hours=3)
    assert events["end_utc"][0] == T0 + timedelta(hours=10)


def test_unconfirmed_small_in_port_or_vlcc_changes_are_not():
    assert _draught_case([(0, 8.0), (10, 11.5), (12, 8.0)]).height == 0  # a one-report typo
    assert _draught_case([(0, 8.0), (10, 8.6), (12, 8.6)]).height == 0  # below 1 m
    assert _draught_case([(0, 8.0), (10, 11.5), (12, 11.5)], at=offset(COWES, north_m=1000)).height == 0
    assert _draught_case([(0, 18.0), (10, 20.0), (12, 20.0)], length_m=330).height == 0  # VLCC needs 3 m
    assert _draught_case([(0, 16.0), (10, 20.0), (12, 20.0)], length_m=330).height == 1
