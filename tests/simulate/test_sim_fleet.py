"""Registry identities: MMSI MIDs, IMO check digits, uniqueness, reflag rows."""

from __future__ import annotations

import numpy as np
import polars as pl

from darkfleet.simulate import fleet


def test_imo_check_digit_matches_known_hulls():
    # Real IMO numbers from the shared data README (FRIO, STOC MARCIA, LOTUS) and OFAC samples.
    real = np.array([9596985, 9390305, 9297137, 9187629, 9486910])
    assert fleet.imo_is_valid(real).all()
    assert not fleet.imo_is_valid(real + 1).any()


def test_generated_imos_are_distinct_and_valid():
    rng = np.random.default_rng(1)
    imos = fleet.make_imos(rng, 5000)
    assert len(set(imos.tolist())) == 5000
    assert fleet.imo_is_valid(imos).all()


def test_registry_mmsi_mid_matches_flag_and_is_unique(tiny_frames):
    v = tiny_frames["vessels"]
    assert v["mmsi"].n_unique() == v.height
    mids = (v["mmsi"] // 1_000_000).to_list()
    for mid, flag in zip(mids, v["flag"].to_list()):
        assert mid in fleet.MIDS[flag], (mid, flag)
    assert v["mmsi"].is_between(200_000_000, 799_999_999).all()


def test_registry_imos_valid_for_ships_and_absent_for_small_craft(tiny_frames):
    v = tiny_frames["vessels"]
    ships = v.filter(~pl.col("vessel_class").is_in(["pleasure", "fishing", "tug"]))
    assert fleet.imo_is_valid(ships["imo"].to_numpy()).all()
    small = v.filter(pl.col("vessel_class").is_in(["pleasure", "fishing", "tug"]))
    assert (small["imo"] == 0).all()


def test_reflagged_hull_has_two_rows_with_one_imo(tiny_frames):
    v = tiny_frames["vessels"]
    reflag = tiny_frames["truth"].filter(pl.col("details").str.contains('"field": "mmsi"'))
    assert reflag.height >= 1
    for new, old in zip(reflag["mmsi"].to_list(), reflag["other_mmsi"].to_list()):
        rows = v.filter(pl.col("mmsi").is_in([new, old]))
        assert rows.height == 2
        assert rows["imo"].n_unique() == 1
        assert rows["flag"].n_unique() == 2
