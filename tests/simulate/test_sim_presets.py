"""Preset sizes: regional plants enough of every behaviour for precision/recall to mean something."""

from __future__ import annotations

from collections import Counter

import pytest

from darkfleet.errors import ConfigError
import numpy as np

from darkfleet.simulate import scenario
from darkfleet.simulate.presets import LATE_PLANTED_KINDS, PLANTED_KINDS, planted_vessels, resolve
from darkfleet.simulate.scenario import plan_scenario


def test_regional_plants_at_least_20_of_every_behaviour():
    cfg = resolve("regional")
    scn = plan_scenario(cfg)
    kinds = Counter(u.kind for u in scn.units)
    for kind in PLANTED_KINDS + LATE_PLANTED_KINDS:
        assert kinds[kind] >= 20, kind
    for kind in ("moored_together", "bunkering", "tug_assist"):
        assert kinds[kind] >= 20, kind
    assert kinds["coverage_hole"] >= 4
    assert len(scn.registry["mmsi"]) == cfg.vessels + len(LATE_PLANTED_KINDS) * cfg.planted_per_kind
    assert len(scn.routes) == cfg.ports


def test_late_kinds_change_no_other_unit_or_hull(monkeypatch):
    cfg = resolve("tiny", seed=3)
    with_late = plan_scenario(cfg)
    monkeypatch.setattr(scenario, "LATE_PLANTED_KINDS", ())
    without = plan_scenario(cfg)
    n_units, n_hulls = len(without.units), len(without.registry["mmsi"])
    assert len(with_late.units) == n_units + len(LATE_PLANTED_KINDS) * cfg.planted_per_kind
    assert [(u.index, u.kind, u.vessels, u.params) for u in with_late.units[:n_units]] == [
        (u.index, u.kind, u.vessels, u.params) for u in without.units
    ]
    for key, values in without.registry.items():
        assert np.array_equal(with_late.registry[key][:n_hulls], values), key
    late = with_late.registry
    assert len(set(late["mmsi"].tolist())) == len(late["mmsi"])
    assert len(set(late["imo"][late["imo"] > 0].tolist())) == int((late["imo"] > 0).sum())


def test_overrides_are_applied_and_checked():
    cfg = resolve("tiny", seed=5, vessels=100, hours=24, area=(20.0, 35.0, 28.0, 41.0))
    assert (cfg.seed, cfg.vessels, cfg.hours, cfg.area) == (5, 100, 24.0, (20.0, 35.0, 28.0, 41.0))
    with pytest.raises(ConfigError, match="unknown preset"):
        resolve("huge")
    with pytest.raises(ConfigError, match="at least"):
        resolve("regional", vessels=planted_vessels(resolve("regional")) - 1)
    with pytest.raises(ConfigError, match="W,S,E,N"):
        resolve("tiny", area=(30.0, 35.0, 20.0, 41.0))
