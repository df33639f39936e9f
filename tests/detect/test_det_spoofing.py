import json
from datetime import timedelta

import numpy as np
import polars as pl
import pytest

from darkfleet.clean.prepare import prepare_positions
from darkfleet.clean.resample import resample_segments
from darkfleet.clean.segment import segment_positions, segment_table
from darkfleet.config import ResampleConfig, SegmentConfig, SpoofingConfig
from darkfleet.detect.pipeline import run_detection
from darkfleet.detect.spoofing import detect_spoofing
from det_tracks import OFFSHORE, T0, offset, positions, static_rows, track


def _spoofing(table):
    clean, no_fix, _ = prepare_positions(table)
    points = segment_positions(clean, SegmentConfig())
    grid = resample_segments(points, ResampleConfig())
    events = detect_spoofing(points, segment_table(points), no_fix, grid, SpoofingConfig())
    return events.with_columns(pl.col("details").str.json_path_match("$.kind").alias("kind"))


def test_one_report_teleport_is_a_position_jump():
    base = track(1, 3, 10)
    glitch = base.with_row_index().with_columns(
        pl.when(pl.col("index") == 40).then(pl.col("lon") + 55).otherwise(pl.col("lon")).alias("lon")
    ).drop("index")
    events = _spoofing(positions(glitch))
    assert events["kind"].to_list() == ["position_jump"]
    details = json.loads(events["details"][0])
    assert details["n_reports"] == 1 and details["implied_speed_kn"] > 1000


def test_two_transmitters_on_one_mmsi_are_a_shared_mmsi():
    a = track(7, 4, 10)
    b = track(7, 4, 10, start=offset(OFFSHORE, north_m=80_000), t0=T0 + timedelta(seconds=60))
    events = _spoofing(positions(a, b))
    assert events["kind"].to_list() == ["shared_mmsi"]
    assert json.loads(events["details"][0])["path_separation_m"] > 70_000


def test_a_late_receiver_retracing_the_track_is_not_a_shared_mmsi():
    a = track(7, 4, 10)
    late = a.with_columns(pl.col("timestamp_utc") + pl.duration(minutes=20))  # same reports stamped 20 min late
    events = _spoofing(positions(a, late.filter(pl.int_range(pl.len()) % 3 == 0)))
    assert "shared_mmsi" not in events["kind"].to_list()


def test_no_fix_reports_form_one_episode():
    base = track(3, 2, 5)
    no_fix = base.head(30).with_columns(pl.lit(91.0).alias("lat"), pl.lit(181.0).alias("lon"),
                                        pl.col("timestamp_utc") + pl.duration(hours=3))
    events = _spoofing(positions(base, no_fix))
    assert events["kind"].to_list() == ["no_fix"]
    assert json.loads(events["details"][0])["n_reports"] == 30


def test_circling_at_speed_is_a_circle_but_straight_sailing_is_not():
    n = 181  # 3 h every minute, one loop every 40 minutes at 10 kn
    t_s = np.arange(n) * 60.0
    radius_m = 10 * 1852 / 3600 * 40 * 60 / (2 * np.pi)
    angle = 2 * np.pi * t_s / (40 * 60)
    lat = OFFSHORE[0] + radius_m * np.cos(angle) / 111_195
    lon = OFFSHORE[1] + radius_m * np.sin(angle) / (111_195 * np.cos(np.radians(OFFSHORE[0])))
    circle = pl.DataFrame(
        {"mmsi": [9] * n, "timestamp_utc": [T0 + timedelta(seconds=float(s)) for s in t_s], "lat": lat, "lon": lon,
         "sog_kn": [10.0] * n}
    ).with_columns(pl.col("timestamp_utc").cast(pl.Datetime("us", "UTC")))
    events = _spoofing(positions(circle, track(10, 3, 10)))
    assert events["kind"].to_list() == ["circle"]
    assert events["mmsi"].to_list() == [9]


def test_a_fast_ferry_whose_sog_agrees_is_no_teleport_but_its_glitch_still_is():
    # 38 kn, heard in bursts: hops within a burst look slow (60 s floor), hops across the
    # missed minutes between bursts are above the 30 kn segmenter limit
    ferry = track(11, 2, 38, step_s=20.0).filter(pl.int_range(pl.len()) % 12 < 5)
    assert _spoofing(positions(ferry)).height == 0
    glitch = ferry.with_row_index().with_columns(
        pl.when(pl.col("index") == 52).then(pl.col("lon") + 55).otherwise(pl.col("lon")).alias("lon")
    ).drop("index")
    events = _spoofing(positions(glitch))
    assert events["kind"].to_list() == ["position_jump"]
    assert json.loads(events["details"][0])["n_reports"] == 1


def test_a_fast_track_whose_sog_says_slow_is_still_split():
    # 38 kn of movement while the transponder says 12 kn: nothing vouches for the hops
    fake = track(12, 1, 38, step_s=180.0, sog_kn=12.0)
    points = segment_positions(prepare_positions(positions(fake))[0], SegmentConfig())
    assert points["segment_id"].n_unique() > 1


def _kinds(*frames):
    return _spoofing(positions(*frames))["kind"].to_list()


def test_positions_sailing_while_sog_says_stopped_is_a_sog_mismatch():
    events = _spoofing(positions(track(21, 3, 12, step_s=30.0, sog_kn=0.0)))
    assert events["kind"].to_list() == ["sog_mismatch"]
    details = json.loads(events["details"][0])
    assert details["reported_sog_kn"] == 0 and 11.5 < details["implied_speed_kn"] < 12.5
    assert details["duration_h"] >= 2.5 and details["thin_min"] == 5


def test_sog_of_15_kn_on_a_fix_that_does_not_move_is_a_sog_mismatch():
    assert _kinds(track(22, 2, 0, step_s=30.0, sog_kn=15.0)) == ["sog_mismatch"]


def test_gps_jitter_gaps_and_log_speed_are_no_sog_mismatch():
    rng = np.random.default_rng(4)
    moored = track(23, 4, 0, step_s=10.0, sog_kn=0.0)
    jitter_deg = 15 / 111_195  # +-15 m fixes every 10 s
    moored = moored.with_columns(pl.col("lat") + rng.normal(0, jitter_deg, moored.height),
                                 pl.col("lon") + rng.normal(0, jitter_deg, moored.height))
    # heard 10 min in every 50 (silences interpolate nothing), SOG from the log 3 kn off the GPS speed
    patchy = track(24, 6, 12, step_s=60.0, sog_kn=15.0).filter(pl.int_range(pl.len()) % 50 < 10)
    assert _kinds(moored, patchy) == []


def _lattice(frame: pl.DataFrame, q: float = 0.001) -> pl.DataFrame:
    return frame.with_columns((pl.col("lat") / q).round(0) * q, (pl.col("lon") / q).round(0) * q)


def test_positions_snapped_to_a_coarse_lattice_are_grid_regular():
    rng = np.random.default_rng(5)
    real = track(31, 2, 12, step_s=60.0)
    real = real.with_columns(pl.col("lat") + rng.normal(0, 2e-5, real.height))  # a real fix's noise
    fake = _lattice(track(31, 1, 12, step_s=60.0, start=(real["lat"][-1], real["lon"][-1]),
                          t0=real["timestamp_utc"][-1] + timedelta(seconds=60)))
    events = _spoofing(positions(real, fake))
    assert events["kind"].to_list() == ["grid_regular"]
    details = json.loads(events["details"][0])
    assert details["pattern"] == "lattice" and details["n_reports"] >= 50


def test_a_source_that_rounds_every_position_is_not_grid_regular():
    assert _kinds(_lattice(track(32, 3, 12, step_s=60.0))) == []


def test_one_step_repeated_whatever_the_time_between_reports_is_grid_regular():
    rng = np.random.default_rng(6)
    n = 60
    t_s = np.cumsum(rng.choice([60.0, 120.0, 180.0], n))
    step = 0.00211, 0.00137
    fake = pl.DataFrame({
        "mmsi": [33] * n, "timestamp_utc": [T0 + timedelta(seconds=float(s)) for s in t_s],
        "lat": OFFSHORE[0] + np.arange(n) * step[0], "lon": OFFSHORE[1] + np.arange(n) * step[1], "sog_kn": [12.0] * n,
    }).with_columns(pl.col("timestamp_utc").cast(pl.Datetime("us", "UTC")))
    kinds = _kinds(fake)
    assert "grid_regular" in kinds
    grid = _spoofing(positions(fake)).filter(pl.col("kind") == "grid_regular")
    assert json.loads(grid["details"][0])["pattern"] == "constant_step"


def test_a_straight_track_at_a_regular_rate_is_not_grid_regular():
    # constant velocity, one report a minute, positions at AIS resolution (1/600000 deg): the
    # rounded steps repeat in runs, but so does the time between reports
    straight = track(34, 4, 11.3, course_deg=90.0, step_s=60.0)  # due east: the latitude never changes
    straight = straight.with_columns((pl.col("lat") * 600_000).round(0) / 600_000, (pl.col("lon") * 600_000).round(0) / 600_000)
    assert _kinds(straight) == []


@pytest.mark.parametrize("ship_type, one_track", [(40, True), (70, False)])
def test_36_kn_craft_without_sog_is_one_track_only_as_high_speed_craft(ship_type, one_track):
    # the detect pipeline passes each vessel's latest static ship type to the segmenter
    craft = track(5, 1.5, 36.0, start=OFFSHORE).with_columns(pl.lit(None, dtype=pl.Float32).alias("sog_kn"))
    result = run_detection(positions(craft), static_rows([{"mmsi": 5, "timestamp_utc": T0, "ship_type": ship_type}]))
    assert (result.summary["segments"] == 1) is one_track
    if one_track:
        assert result.events.filter(pl.col("event_type") == "spoofing").height == 0
