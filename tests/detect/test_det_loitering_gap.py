import json
from datetime import timedelta

import polars as pl

from darkfleet.clean.prepare import prepare_positions
from darkfleet.clean.segment import segment_positions
from darkfleet.config import GapConfig, LoiteringConfig, SegmentConfig
from darkfleet.detect.gap import detect_gaps
from darkfleet.detect.loitering import detect_loitering
from darkfleet.detect.stages import annotate_ports
from det_tracks import COWES, OFFSHORE, T0, offset, positions, track


def _points(table, ports):
    clean, _, _ = prepare_positions(table)
    return annotate_ports(segment_positions(clean, SegmentConfig()), ports, 10_000)


def test_five_slow_hours_offshore_is_loitering_with_port_distance(ports):
    table = positions(pl.concat([track(1, 2, 12), track(1, 5, 0.8, t0=T0 + timedelta(hours=2, minutes=2),
                                                                     start=offset(OFFSHORE, east_m=44_450))]))
    events = detect_loitering(_points(table, ports), LoiteringConfig(), ports)
    assert events.height == 1
    row = events.row(0, named=True)
    assert abs((row["end_utc"] - row["start_utc"]).total_seconds() / 3600 - 5) < 0.2
    details = json.loads(row["details"])
    assert details["port_distance_m"] > 20_000 and details["nearest_port"]
    assert details["median_speed_kn"] < 1


def test_three_slow_hours_or_slow_in_port_is_not_loitering(ports):
    assert detect_loitering(_points(positions(track(1, 3, 0.5)), ports), LoiteringConfig(), ports).height == 0
    in_port = positions(track(1, 8, 0.0, start=offset(COWES, north_m=2000)))
    assert detect_loitering(_points(in_port, ports), LoiteringConfig(), ports).height == 0


def test_a_gap_splits_loitering_but_sparse_reception_does_not(ports):
    # 3 h + 3 h slow with a 7 h gap between: no 4 h run with AIS on
    table = positions(pl.concat([track(1, 3, 0.2), track(1, 3, 0.2, t0=T0 + timedelta(hours=10))]))
    assert detect_loitering(_points(table, ports), LoiteringConfig(), ports).height == 0
    # heard only every 2 h while anchored for 10 h: still loitering
    sparse = positions(track(1, 10, 0.0, step_s=7200))
    events = detect_loitering(_points(sparse, ports), LoiteringConfig(), ports)
    assert events.height == 1 and json.loads(events["details"][0])["n_reports"] == 6


def _with_neighbours(target_gap_h: float, neighbours: bool):
    """Vessel 1 sails east and falls silent for ``target_gap_h``; optionally others keep reporting on its path."""
    before = track(1, 2, 10)
    resume = T0 + timedelta(hours=2 + target_gap_h)
    after = track(1, 2, 10, t0=resume, start=offset(OFFSHORE, east_m=10 * 1852 * (2 + target_gap_h)))
    frames = [before, after]
    if neighbours:
        for k in range(20):  # anchored vessels every ~12 km along its path
            along_m = 10 * 1852 * (2 + k * target_gap_h / 20)
            frames.append(track(100 + k, 4 + target_gap_h, 0.0, start=offset(OFFSHORE, east_m=along_m, north_m=300)))
    clean, _, _ = prepare_positions(positions(*frames))
    return clean


def test_gap_reports_duration_distance_and_reception(ports):
    events = detect_gaps(_with_neighbours(13, neighbours=True), GapConfig(), ports)
    gap = events.filter(pl.col("mmsi") == 1)
    assert gap.height == 1
    details = json.loads(gap["details"][0])
    assert abs(details["duration_h"] - 13) < 0.05
    assert abs(details["distance_m"] - 13 * 10 * 1852) < 2000
    assert abs(details["implied_speed_kn"] - 10) < 0.2
    assert details["reception_fraction"] >= 0.5
    assert details["likely_disabling"] is True


def test_gap_where_nobody_is_heard_is_not_a_likely_disabling(ports):
    events = detect_gaps(_with_neighbours(13, neighbours=False), GapConfig(), ports)
    details = json.loads(events["details"][0])
    assert details["reception_fraction"] == 0.0
    assert details["likely_disabling"] is False


def test_short_silences_are_not_gaps(ports):
    assert detect_gaps(_with_neighbours(5, neighbours=False), GapConfig(), ports).height == 0
