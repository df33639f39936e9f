"""What the report inlines: events ranked by vessel risk, windowed tracks with silences kept."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from darkfleet.report.payload import ReportLimits, collect_payload


@pytest.fixture(scope="module")
def payload(scene_db):
    con = duckdb.connect(str(scene_db), read_only=True)
    try:
        yield collect_payload(con)
    finally:
        con.close()


def test_vessels_ranked_by_risk_with_decoded_factors(payload):
    scores = [v["risk_score"] for v in payload["vessels"]]
    assert scores == sorted(scores, reverse=True)
    top = payload["vessels"][0]
    assert top["name"] == "OCEAN VOYAGER" and top["n_events"] == 3
    assert sum(f["points"] for f in top["risk_factors"]) == top["risk_score"]
    assert top["sanctions"][0]["imo"] == 9187629


def test_events_of_riskiest_vessel_come_first(payload):
    assert [e["event_id"] for e in payload["events"][:3]] == ["dark-0001", "gap-0001", "draught-0001"]
    dark = payload["events"][0]
    assert dark["end_ms"] - dark["start_ms"] == 12 * 3_600_000
    assert dark["details"]["partner_name"] == "SEA PEARL"


def test_dark_sts_tracks_cover_both_vessels_and_flag_the_silence(payload):
    tracks = {t["mmsi"]: t for t in payload["tracks"]["dark-0001"]}
    assert set(tracks) == {636012345, 273456789}
    dark = tracks[636012345]
    t = np.array(dark["t_ms"])
    assert np.all(np.diff(t) > 0)
    gaps = np.flatnonzero(dark["gap_before"])
    assert gaps.size == 1 and t[gaps[0]] - t[gaps[0] - 1] == 12 * 3_600_000
    event = payload["events"][0]
    pad = 6 * 3_600_000
    assert t[0] >= event["start_ms"] - pad and t[-1] <= event["end_ms"] + pad
    assert not any(tracks[273456789]["gap_before"])  # the partner kept transmitting


def test_long_tracks_are_thinned_but_keep_gap_edges(scene_db):
    con = duckdb.connect(str(scene_db), read_only=True)
    try:
        small = collect_payload(con, ReportLimits(max_points_per_track=40))
    finally:
        con.close()
    dark = next(t for t in small["tracks"]["dark-0001"] if t["mmsi"] == 636012345)
    assert len(dark["t_ms"]) <= 40 + 3  # the stride plus the last point and both gap edges
    gap_at = dark["gap_before"].index(True)
    assert dark["t_ms"][gap_at] - dark["t_ms"][gap_at - 1] == 12 * 3_600_000


def test_draught_series_shows_the_jump(payload):
    series = payload["draught"]["636012345"]
    assert series["draught_m"] == pytest.approx([11.5, 14.7])


def test_detail_limit_bounds_inlined_tracks(scene_db):
    con = duckdb.connect(str(scene_db), read_only=True)
    try:
        limited = collect_payload(con, ReportLimits(max_detail_events=2, max_events=4))
    finally:
        con.close()
    assert len(limited["events"]) == 4
    assert set(limited["tracks"]) == {"dark-0001", "gap-0001"}
