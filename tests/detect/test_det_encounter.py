import json

import polars as pl

from darkfleet.clean.prepare import prepare_positions
from darkfleet.clean.resample import resample_segments
from darkfleet.clean.segment import segment_positions
from darkfleet.config import EncounterConfig, ResampleConfig, SegmentConfig, load_config
from darkfleet.detect.encounter import close_pairs, detect_encounters
from darkfleet.detect.geo import haversine_m
from darkfleet.detect.stages import annotate_ports
from det_tracks import COWES, OFFSHORE, T0, offset, positions, track
from datetime import timedelta


def _grid(table, ports):
    clean, _, _ = prepare_positions(table)
    pts = segment_positions(clean, SegmentConfig())
    return annotate_ports(resample_segments(pts, ResampleConfig()), ports, 10_000)


def test_two_drifting_vessels_meet_for_three_hours(ports):
    grid = _grid(positions(track(111, 3, 0.5), track(222, 3, 0.5, start=offset(OFFSHORE, north_m=200))), ports)
    events = detect_encounters(grid, EncounterConfig(), ports)
    assert events.height == 1
    row = events.row(0, named=True)
    assert (row["mmsi"], row["other_mmsi"]) == (111, 222)
    assert row["in_port"] is False
    assert row["end_utc"] - row["start_utc"] == timedelta(hours=3)
    details = json.loads(row["details"])
    assert abs(details["median_distance_m"] - 200) < 5
    assert details["median_speed_kn"] < 2


def test_too_short_too_far_or_too_fast_is_not_an_encounter(ports):
    short = positions(track(111, 1.5, 0.5), track(222, 1.5, 0.5, start=offset(OFFSHORE, north_m=200)))
    far = positions(track(111, 3, 0.5), track(222, 3, 0.5, start=offset(OFFSHORE, north_m=700)))
    fast = positions(track(111, 3, 10), track(222, 3, 10, start=offset(OFFSHORE, north_m=200)))
    for table in (short, far, fast):
        assert detect_encounters(_grid(table, ports), EncounterConfig(), ports).height == 0


def test_encounter_near_a_port_is_kept_and_marked_in_port(ports):
    near = offset(COWES, north_m=3000)
    grid = _grid(positions(track(5, 3, 0, start=near), track(6, 3, 0, start=offset(near, east_m=100))), ports)
    events = detect_encounters(grid, EncounterConfig(), ports)
    assert events["in_port"].to_list() == [True]


def test_runs_less_than_four_hours_apart_merge(ports):
    # A lies still 8 h; B alongside 2.5 h, moves 3 km off for 2.5 h (still reporting), comes back 2.5 h
    a = track(1, 8, 0)
    alongside = offset(OFFSHORE, east_m=100)
    away = offset(OFFSHORE, east_m=3000)
    b = pl.concat([
        track(2, 2.5, 0, start=alongside),
        track(2, 2.5, 0, start=away, t0=T0 + timedelta(hours=2, minutes=40)),
        track(2, 2.5, 0, start=alongside, t0=T0 + timedelta(hours=5, minutes=20)),
    ])
    events = detect_encounters(_grid(positions(a, b), ports), EncounterConfig(), ports)
    assert events.height == 1
    assert json.loads(events["details"][0])["n_runs"] == 2
    assert events["end_utc"][0] - events["start_utc"][0] == timedelta(hours=7, minutes=50)


def test_tanker_sts_preset_needs_parallel_hulls(ports):
    config = load_config(preset="tanker_sts").encounter
    # moored alongside: not moving, heads opposite (parallel hulls) or crossed
    parallel = positions(track(1, 3, 0, course_deg=10), track(2, 3, 0, course_deg=190, start=offset(OFFSHORE, east_m=60)))
    crossed = positions(track(1, 3, 0, course_deg=10), track(2, 3, 0, course_deg=100, start=offset(OFFSHORE, east_m=60)))
    assert detect_encounters(_grid(parallel, ports), config, ports).height == 1
    assert detect_encounters(_grid(crossed, ports), config, ports).height == 0


def test_spatial_hash_finds_exactly_the_brute_force_pairs():
    import numpy as np

    rng = np.random.default_rng(3)
    n = 600
    lat = 60 + rng.uniform(0, 0.05, n)
    lon = 5 + rng.uniform(0, 0.1, n)
    grid = pl.DataFrame(
        {
            "timestamp_utc": pl.Series([T0] * n, dtype=pl.Datetime("us", "UTC")),
            "mmsi": np.arange(n, dtype=np.int64),
            "lat": lat,
            "lon": lon,
            "speed_kn": np.zeros(n),
            "cog_deg": np.zeros(n),
            "heading_deg": np.zeros(n),
        }
    )
    found = set(close_pairs(grid, 500).select("mmsi", "other_mmsi").iter_rows())
    d = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    i, j = np.nonzero(np.triu(d <= 500, k=1))
    assert found == set(zip(i.tolist(), j.tolist()))
    assert len(found) > 100
