import json
from datetime import timedelta

import polars as pl

from darkfleet.detect.pipeline import run_detection
from det_tracks import OFFSHORE, T0, offset, positions, static_rows, track


def _scenario(with_draught_change: bool, new_draught_after=timedelta(minutes=5), msg_type: int | None = 5):
    """Tanker A sails east, goes dark 14 h, meets slow B 40 km ahead, reappears (its new draught
    first reported ``new_draught_after`` that); B loiters, AIS on."""
    a_before = track(1, 3, 12)
    dark_from = T0 + timedelta(hours=3)
    back_at = dark_from + timedelta(hours=14)
    a_after = track(1, 3, 12, t0=back_at, start=offset(OFFSHORE, east_m=3 * 12 * 1852 + 10_000))
    meet = offset(OFFSHORE, east_m=3 * 12 * 1852 + 40_000, north_m=5_000)
    b = track(2, 20, 0.3, start=meet, t0=T0 + timedelta(hours=5))
    after = 6.5 if with_draught_change else 11.5
    static = static_rows([
        {"mmsi": 1, "timestamp_utc": T0, "draught_m": 11.5, "ship_type": 80, "length_m": 250.0},
        {"mmsi": 1, "timestamp_utc": T0 + timedelta(hours=1), "draught_m": 11.5},
        # a late new draught: the reports heard after the gap before it still give the old one
        *([{"mmsi": 1, "timestamp_utc": back_at + timedelta(minutes=2), "draught_m": 11.5}]
          if new_draught_after > timedelta(minutes=5) else []),
        {"mmsi": 1, "timestamp_utc": back_at + new_draught_after, "draught_m": after},
        {"mmsi": 1, "timestamp_utc": back_at + new_draught_after + timedelta(hours=1), "draught_m": after},
    ], msg_type=msg_type)
    return run_detection(positions(a_before, a_after, b), static).events


def test_gap_with_reachable_loitering_partner_and_cargo_change_is_dark_sts():
    events = _scenario(with_draught_change=True)
    dark = events.filter(pl.col("event_type") == "dark_sts")
    assert dark.height == 1
    row = dark.row(0, named=True)
    assert (row["mmsi"], row["other_mmsi"]) == (1, 2)
    assert row["start_utc"] == T0 + timedelta(hours=3)
    details = json.loads(row["details"])
    assert details["draught_change_m"] == -5.0
    assert details["alongside_h"] >= 2 and details["both_dark"] is False
    # the evidence it rests on is reported too
    assert set(events["event_type"]) >= {"gap", "loitering", "draught_change", "dark_sts"}


def test_a_new_draught_shown_late_by_an_export_still_counts_a_static_message_does_not():
    """Exports such as MarineCadastre CSV repeat the last static values received on every
    position row: the old draught shown after the gap may be stale. A static message (type 5)
    with the old draught after the gap says the cargo had not moved."""
    late = timedelta(hours=3)
    for msg_type in (1, None):
        events = _scenario(True, late, msg_type)
        assert events.filter(pl.col("event_type") == "dark_sts").select("mmsi", "other_mmsi").rows() == [(1, 2)]
        change = events.filter(pl.col("event_type") == "draught_change")
        assert [json.loads(d)["across_gap"] for d in change["details"]] == [True]
    events = _scenario(True, late, 5)
    assert events.filter(pl.col("event_type") == "dark_sts").height == 0
    assert [json.loads(d)["across_gap"] for d in events.filter(pl.col("event_type") == "draught_change")["details"]] == [False]
    # beyond carried_static_lag_h (6 h) the change is as likely what A did after the gap
    assert _scenario(True, timedelta(hours=8), 1).filter(pl.col("event_type") == "dark_sts").height == 0


def test_without_cargo_evidence_no_dark_sts():
    events = _scenario(with_draught_change=False)
    assert events.filter(pl.col("event_type") == "dark_sts").height == 0
    assert events.filter(pl.col("event_type") == "gap").height == 1


USTKA = (54.583333, 16.866667)  # a port of the default set, ~80 km south of OFFSHORE


def _tanker_static(mmsi: int, before_m: float, after_m: float, changed_at, t_end) -> list[dict]:
    return [
        {"mmsi": mmsi, "timestamp_utc": T0, "draught_m": before_m, "ship_type": 80, "length_m": 250.0},
        {"mmsi": mmsi, "timestamp_utc": T0 + timedelta(minutes=30), "draught_m": before_m},
        {"mmsi": mmsi, "timestamp_utc": changed_at, "draught_m": after_m},
        {"mmsi": mmsi, "timestamp_utc": t_end, "draught_m": after_m},
    ]


def test_new_draught_reported_while_approaching_a_port_is_cargo_evidence():
    """A reappears 6 km off a port (inside the 10 km in-port radius, so no draught_change event)
    and reports its new draught before it gets there: the port call cannot explain it."""
    a_before = track(1, 2, 12, course_deg=180, start=offset(USTKA, north_m=120_000))
    back_at = T0 + timedelta(hours=16)
    a_after = track(1, 1.5, 6, course_deg=180, start=offset(USTKA, north_m=6_000), t0=back_at)
    b = track(2, 16, 0.3, start=offset(USTKA, north_m=45_000), t0=T0 + timedelta(hours=2))
    static = static_rows(_tanker_static(1, 11.5, 6.5, back_at + timedelta(minutes=5), back_at + timedelta(hours=1)))
    events = run_detection(positions(a_before, a_after, b), static).events
    assert events.filter(pl.col("event_type") == "draught_change").height == 0
    dark = events.filter(pl.col("event_type") == "dark_sts")
    assert dark.select("mmsi", "other_mmsi").rows() == [(1, 2)]
    assert json.loads(dark["details"][0])["draught_change_m"] == -5.0


def _both_dark(b_silent_after_min: float, b_silent_east_m: float) -> pl.DataFrame:
    """Tankers 1 and 3 go dark on their way to a meeting point and reappear 14 h later; 1
    discharges, 3 loads. When and where 3 falls silent (after and east of 1) is the variable."""
    meet = offset(OFFSHORE, north_m=-30_000)
    silent_1 = T0 + timedelta(hours=2)
    silent_3 = silent_1 + timedelta(minutes=b_silent_after_min)
    a_before = track(1, 2, 10, course_deg=180, start=offset(meet, north_m=61_000))
    a_after = track(1, 1, 10, course_deg=180, start=offset(meet, north_m=-30_000), t0=silent_1 + timedelta(hours=14))
    b_silent_at = offset(offset(meet, north_m=24_000), east_m=b_silent_east_m)
    b_before = track(3, 2, 10, course_deg=270, start=offset(b_silent_at, east_m=37_040), t0=silent_3 - timedelta(hours=2))
    b_after = track(3, 1, 10, course_deg=90, start=offset(meet, east_m=30_000), t0=silent_3 + timedelta(hours=14))
    static = static_rows(
        _tanker_static(1, 11.5, 6.5, silent_1 + timedelta(hours=14, minutes=5), silent_1 + timedelta(hours=15))
        + _tanker_static(3, 7.0, 12.0, silent_3 + timedelta(hours=14, minutes=5), silent_3 + timedelta(hours=15))
    )
    return run_detection(positions(a_before, a_after, b_before, b_after), static).events


def test_both_dark_pair_with_opposite_cargo_is_one_event_per_dark_vessel():
    dark = _both_dark(b_silent_after_min=90, b_silent_east_m=25_000).filter(pl.col("event_type") == "dark_sts")
    assert sorted(dark.select("mmsi", "other_mmsi").rows()) == [(1, 3), (3, 1)]
    assert all(json.loads(d)["both_dark"] and json.loads(d)["partner_draught_opposite"] for d in dark["details"])


def test_vessels_falling_silent_together_are_a_reception_outage_not_a_both_dark_meeting():
    events = _both_dark(b_silent_after_min=2, b_silent_east_m=300)
    assert events.filter(pl.col("event_type") == "gap").height == 2
    assert events.filter(pl.col("event_type") == "dark_sts").height == 0


def test_partner_slow_before_and_after_its_own_silence_at_the_same_spot_is_one_slow_period():
    """B loiters 4.5 h, is unheard 6.5 h, loiters 7 h more at the same spot: two loitering events.
    Neither alone coincides with A's 11.6 h alongside window (IoU 0.15, 0.19); together they do."""
    a_before = track(1, 3, 12)
    back_at = T0 + timedelta(hours=17)
    a_after = track(1, 3, 12, t0=back_at, start=offset(OFFSHORE, east_m=3 * 12 * 1852 + 10_000))
    meet = offset(OFFSHORE, east_m=3 * 12 * 1852 + 40_000, north_m=5_000)
    b = pl.concat([track(2, 4.5, 0.3, start=meet, t0=T0 + timedelta(hours=2)),
                   track(2, 7, 0.3, start=meet, t0=T0 + timedelta(hours=13))])
    static = static_rows(_tanker_static(1, 11.5, 6.5, back_at + timedelta(minutes=5), back_at + timedelta(hours=1)))
    events = run_detection(positions(a_before, a_after, b), static).events
    assert events.filter((pl.col("event_type") == "loitering") & (pl.col("mmsi") == 2)).height == 2
    dark = events.filter(pl.col("event_type") == "dark_sts")
    assert dark.select("mmsi", "other_mmsi").rows() == [(1, 2)]
    assert json.loads(dark["details"][0])["coincidence"] >= 0.6
