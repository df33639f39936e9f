"""Preset sizes: regional plants enough of every behaviour for precision/recall to mean something."""

from __future__ import annotations

from collections import Counter

import pytest

from darkfleet.errors import ConfigError
from darkfleet.simulate.presets import PLANTED_KINDS, planted_vessels, resolve
from darkfleet.simulate.scenario import plan_scenario


def test_regional_plants_at_least_20_of_every_behaviour():
    cfg = resolve("regional")
    scn = plan_scenario(cfg)
    kinds = Counter(u.kind for u in scn.units)
    for kind in PLANTED_KINDS:
        assert kinds[kind] >= 20, kind
    for kind in ("moored_together", "bunkering", "tug_assist"):
        assert kinds[kind] >= 20, kind
    assert kinds["coverage_hole"] >= 4
    assert len(scn.registry["mmsi"]) == cfg.vessels
    assert len(scn.routes) == cfg.ports


def test_overrides_are_applied_and_checked():
    cfg = resolve("tiny", seed=5, vessels=100, hours=24, area=(20.0, 35.0, 28.0, 41.0))
    assert (cfg.seed, cfg.vessels, cfg.hours, cfg.area) == (5, 100, 24.0, (20.0, 35.0, 28.0, 41.0))
    with pytest.raises(ConfigError, match="unknown preset"):
        resolve("huge")
    with pytest.raises(ConfigError, match="at least"):
        resolve("regional", vessels=planted_vessels(resolve("regional")) - 1)
    with pytest.raises(ConfigError, match="W,S,E,N"):
        resolve("tiny", area=(30.0, 35.0, 20.0, 41.0))
