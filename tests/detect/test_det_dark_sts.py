import json
from datetime import timedelta

import polars as pl

from darkfleet.detect.pipeline import run_detection
from det_tracks import OFFSHORE, T0, offset, positions, static_rows, track


def _scenario(with_draught_change: bool):
    """Tanker A sails east, goes dark 14 h, meets slow B 40 km ahead, reappears; B loiters, AIS on."""
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
        {"mmsi": 1, "timestamp_utc": back_at + timedelta(minutes=5), "draught_m": after},
        {"mmsi": 1, "timestamp_utc": back_at + timedelta(hours=1), "draught_m": after},
    ])
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


def test_without_cargo_evidence_no_dark_sts():
    events = _scenario(with_draught_change=False)
    assert events.filter(pl.col("event_type") == "dark_sts").height == 0
    assert events.filter(pl.col("event_type") == "gap").height == 1
