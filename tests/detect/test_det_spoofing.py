import json
from datetime import timedelta

import numpy as np
import polars as pl

from darkfleet.clean.prepare import prepare_positions
from darkfleet.clean.resample import resample_segments
from darkfleet.clean.segment import segment_positions, segment_table
from darkfleet.config import ResampleConfig, SegmentConfig, SpoofingConfig
from darkfleet.detect.spoofing import detect_spoofing
from det_tracks import OFFSHORE, T0, offset, positions, track


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
