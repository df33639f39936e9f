"""The truth table is physically consistent with the AIS the simulator emitted (tiny preset)."""

from __future__ import annotations

import json

import numpy as np
import polars as pl

from darkfleet.schema import EventType
from darkfleet.simulate.geo import haversine_m
from darkfleet.simulate.routes import IN_PORT_M, distance_to_port_m


def _kinds(truth: pl.DataFrame, event: str, key: str) -> set:
    rows = truth.filter(pl.col("event_type") == event)["details"].to_list()
    return {json.loads(d).get(key) for d in rows}


def test_every_planted_behaviour_and_look_alike_is_present(tiny_frames):
    truth, benign = tiny_frames["truth"], tiny_frames["benign"]
    assert set(truth["event_type"].unique()) == {e.value for e in EventType}
    assert _kinds(truth, "spoofing", "kind") == {"position_jump", "circle", "shared_mmsi", "no_fix", "grid_regular",
                                                 "sog_mismatch"}
    assert {"name", "mmsi", "imo_invalid", "imo_borrowed"} <= _kinds(truth, "identity_change", "field")
    assert {"deliberate", "dark_sts", "coverage"} <= _kinds(truth, "gap", "cause")
    assert _kinds(truth, "dark_sts", "both_dark") == {True, False}
    assert set(benign["kind"].unique()) == {"moored_together", "bunkering", "tug_assist", "coverage_hole", "anchor_drift"}


def test_tiny_is_small_enough_for_a_unit_test_fixture(tiny_frames):
    assert 40 <= tiny_frames["vessels"].height <= 80
    assert 50_000 <= tiny_frames["positions"].height <= 400_000


def _spoof_windows(truth: pl.DataFrame) -> pl.DataFrame:
    return truth.filter(pl.col("event_type") == "spoofing").select("mmsi", "start_utc", "end_utc")


def test_no_unintended_speed_above_30_kn(tiny_frames):
    pos = tiny_frames["positions"].sort("mmsi", "timestamp_utc")
    spoof = _spoof_windows(tiny_frames["truth"])
    # Exclude each spoofing episode plus an hour either side (the jump back is part of it).
    flagged = pos.join(spoof, on="mmsi", how="left").with_columns(
        in_ep=(pl.col("timestamp_utc") >= pl.col("start_utc") - pl.duration(hours=1))
        & (pl.col("timestamp_utc") <= pl.col("end_utc") + pl.duration(hours=1))
    ).group_by("mmsi", "timestamp_utc", "lat", "lon", "receiver", maintain_order=True).agg(pl.col("in_ep").any())
    f = flagged.sort("mmsi", "timestamp_utc").with_columns(
        dt=pl.col("timestamp_utc").diff().over("mmsi").dt.total_seconds(),
        lat0=pl.col("lat").shift().over("mmsi"), lon0=pl.col("lon").shift().over("mmsi"),
        ep0=pl.col("in_ep").shift().over("mmsi"),
    ).filter(pl.col("dt") >= 30)
    dist = haversine_m(f["lat0"].to_numpy(), f["lon0"].to_numpy(), f["lat"].to_numpy(), f["lon"].to_numpy())
    knots = dist / f["dt"].to_numpy() / 0.514444
    planted = (f["in_ep"] | f["ep0"].fill_null(False)).to_numpy()
    assert knots[~planted].max() <= 30.0
    assert knots[planted].max() > 100.0  # the planted jumps really are impossible


def test_encounter_partners_are_within_500_m_at_the_same_instants(tiny_frames):
    pos, truth = tiny_frames["positions"], tiny_frames["truth"]
    enc = truth.filter(pl.col("event_type") == "encounter")
    assert enc.height >= 1
    for row in enc.iter_rows(named=True):
        span = pl.col("timestamp_utc").is_between(row["start_utc"], row["end_utc"])
        a = pos.filter((pl.col("mmsi") == row["mmsi"]) & span).sort("timestamp_utc")
        b = pos.filter((pl.col("mmsi") == row["other_mmsi"]) & span).sort("timestamp_utc")
        pairs = a.join_asof(b, on="timestamp_utc", strategy="nearest", tolerance="10m", suffix="_b").drop_nulls("lat_b")
        assert pairs.height >= 3
        d = haversine_m(pairs["lat"].to_numpy(), pairs["lon"].to_numpy(), pairs["lat_b"].to_numpy(), pairs["lon_b"].to_numpy())
        assert d.max() <= 500.0
        assert (row["end_utc"] - row["start_utc"]).total_seconds() >= 2 * 3600
        assert pairs["sog_kn"].median() < 2.0 and pairs["sog_kn_b"].median() < 2.0


def test_a_truth_gap_has_no_message_of_that_vessel(tiny_frames):
    pos, truth = tiny_frames["positions"], tiny_frames["truth"]
    gaps = truth.filter(pl.col("event_type") == "gap")
    assert gaps.height >= 3
    for row in gaps.iter_rows(named=True):
        own = pos.filter(pl.col("mmsi") == row["mmsi"])
        inside = own.filter((pl.col("timestamp_utc") > row["start_utc"]) & (pl.col("timestamp_utc") < row["end_utc"]))
        assert inside.height == 0
        assert own.filter(pl.col("timestamp_utc") == row["start_utc"]).height >= 1
        assert own.filter(pl.col("timestamp_utc") == row["end_utc"]).height >= 1
        assert (row["end_utc"] - row["start_utc"]).total_seconds() >= 6 * 3600


def test_every_silence_of_six_hours_is_in_the_truth(tiny_frames):
    pos, truth = tiny_frames["positions"], tiny_frames["truth"]
    silences = (pos.sort("mmsi", "timestamp_utc")
                .with_columns(prev=pl.col("timestamp_utc").shift().over("mmsi"))
                .filter((pl.col("timestamp_utc") - pl.col("prev")) >= pl.duration(hours=6)))
    gaps = truth.filter(pl.col("event_type") == "gap")
    assert silences.height == gaps.height
    joined = silences.join(gaps, left_on=["mmsi", "prev"], right_on=["mmsi", "start_utc"], how="anti")
    assert joined.height == 0


def test_loitering_is_slow_and_outside_port(tiny_frames):
    pos, truth = tiny_frames["positions"], tiny_frames["truth"]
    for row in truth.filter(pl.col("event_type") == "loitering").iter_rows(named=True):
        own = pos.filter((pl.col("mmsi") == row["mmsi"])
                         & pl.col("timestamp_utc").is_between(row["start_utc"], row["end_utc"]))
        assert own["sog_kn"].median() < 2.0
        assert (distance_to_port_m(own["lat"].to_numpy(), own["lon"].to_numpy()) > IN_PORT_M).all()
        assert (row["end_utc"] - row["start_utc"]).total_seconds() >= 4 * 3600


def test_draught_changes_are_in_the_static_reports(tiny_frames):
    static, truth = tiny_frames["static"], tiny_frames["truth"]
    rows = truth.filter(pl.col("event_type") == "draught_change")
    assert rows.height >= 3
    for row in rows.iter_rows(named=True):
        det = json.loads(row["details"])
        own = static.filter(pl.col("mmsi") == row["mmsi"])
        before = own.filter(pl.col("timestamp_utc") == row["start_utc"])["draught_m"]
        after = own.filter(pl.col("timestamp_utc") == row["end_utc"])["draught_m"]
        assert before[0] == np.float32(det["old_m"]) and after[0] == np.float32(det["new_m"])
        assert abs(det["new_m"] - det["old_m"]) >= 1.0


def test_identity_changes_show_in_the_static_reports(tiny_frames):
    static, truth, pos = tiny_frames["static"], tiny_frames["truth"], tiny_frames["positions"]
    for row in truth.filter(pl.col("event_type") == "identity_change").iter_rows(named=True):
        det = json.loads(row["details"])
        own = static.filter(pl.col("mmsi") == row["mmsi"])
        column = {"name": "name", "imo_invalid": "imo", "imo_borrowed": "imo"}.get(det["field"])
        if column is None:  # reflagging: the new MMSI first appears at the change, the old one stops
            first_new = min(static.filter(pl.col("mmsi") == row["mmsi"])["timestamp_utc"].min(),
                            pos.filter(pl.col("mmsi") == row["mmsi"])["timestamp_utc"].min())
            assert first_new == row["start_utc"]
            last_old = pos.filter(pl.col("mmsi") == row["other_mmsi"])["timestamp_utc"].max()
            assert last_old <= row["start_utc"]
            continue
        assert own.filter(pl.col("timestamp_utc") < row["start_utc"])[column].unique().to_list() == [det["old"]]
        assert own.filter(pl.col("timestamp_utc") >= row["start_utc"])[column].unique().to_list() == [det["new"]]


def test_no_accidental_encounters_outside_port(tiny_frames):
    """Brute force: every pair slow and within 500 m for 2 h outside port must be a planted encounter."""
    pos, truth = tiny_frames["positions"], tiny_frames["truth"]
    spoof = set(_spoof_windows(truth)["mmsi"].to_list())
    grid = (pos.filter(~pl.col("mmsi").is_in(list(spoof)) & (pl.col("lat") < 90))
            .with_columns(slot=pl.col("timestamp_utc").dt.truncate("10m"))
            .group_by("mmsi", "slot").agg(pl.col("lat").mean(), pl.col("lon").mean(), pl.col("sog_kn").median()))
    grid = grid.filter(pl.col("sog_kn") < 2.0)
    grid = grid.filter(pl.Series(distance_to_port_m(grid["lat"].to_numpy(), grid["lon"].to_numpy()) > IN_PORT_M))
    pairs = grid.join(grid, on="slot", suffix="_b").filter(pl.col("mmsi") < pl.col("mmsi_b"))
    d = haversine_m(pairs["lat"].to_numpy(), pairs["lon"].to_numpy(), pairs["lat_b"].to_numpy(), pairs["lon_b"].to_numpy())
    close = pairs.filter(pl.Series(d <= 500.0)).group_by("mmsi", "mmsi_b").len().filter(pl.col("len") >= 12)
    planted = {(r["mmsi"], r["other_mmsi"]) for r in truth.filter(pl.col("event_type") == "encounter").iter_rows(named=True)}
    found = {(r["mmsi"], r["mmsi_b"]) for r in close.iter_rows(named=True)}
    assert found == planted


def test_benign_pairs_really_are_together_in_port(tiny_frames):
    pos, benign = tiny_frames["positions"], tiny_frames["benign"]
    limits = {"moored_together": 150.0, "bunkering": 500.0, "tug_assist": 150.0}
    pairs = benign.filter(pl.col("other_mmsi").is_not_null())
    assert set(pairs["kind"].unique()) == set(limits)
    for row in pairs.iter_rows(named=True):
        span = pl.col("timestamp_utc").is_between(row["start_utc"], row["end_utc"])
        a = pos.filter((pl.col("mmsi") == row["mmsi"]) & span).sort("timestamp_utc")
        b = pos.filter((pl.col("mmsi") == row["other_mmsi"]) & span).sort("timestamp_utc")
        pairs_ab = a.join_asof(b, on="timestamp_utc", strategy="nearest", tolerance="3m", suffix="_b").drop_nulls("lat_b")
        assert pairs_ab.height >= 2, row["kind"]
        d = haversine_m(pairs_ab["lat"].to_numpy(), pairs_ab["lon"].to_numpy(),
                        pairs_ab["lat_b"].to_numpy(), pairs_ab["lon_b"].to_numpy())
        assert np.median(d) <= limits[row["kind"]], row["kind"]
        assert distance_to_port_m(np.array([row["lat"]]), np.array([row["lon"]]))[0] <= IN_PORT_M
        if row["kind"] == "tug_assist":
            assert (row["end_utc"] - row["start_utc"]).total_seconds() < 3600
