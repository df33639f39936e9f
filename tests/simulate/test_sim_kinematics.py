"""Plans sampled at message times: speeds, courses and the antimeridian."""

from __future__ import annotations

import numpy as np

from darkfleet.simulate.geo import haversine_m
from darkfleet.simulate.kinematics import sample
from darkfleet.simulate.plan import UNDER_WAY, Plan


def _plan_across_180() -> Plan:
    plan = Plan(vessel=0, ais_class="A", length_m=250.0, width_m=44.0)
    plan.start(0.0, 40.0, 179.5, UNDER_WAY, 14.5)
    plan.sail(np.array([[40.0, -179.5], [40.2, -179.0]]), 12.0)
    return plan


def test_crossing_the_antimeridian_takes_the_short_way():
    plan = _plan_across_180()
    k = plan.arrays()
    assert (np.abs(k["lon"]) <= 180).all()
    times = np.arange(0.0, k["t"][-1], 60.0)
    s = sample(k, times)
    assert (np.abs(s["lon"]) <= 180).all()
    step = haversine_m(s["lat"][:-1], s["lon"][:-1], s["lat"][1:], s["lon"][1:])
    # 12 kn for a minute is 370 m: no step may jump round the globe.
    assert step.max() < 400.0
    assert np.allclose(s["sog_kn"], 12.0, atol=0.01)
    assert abs(s["cog_deg"][0] - 90.0) < 1.0


def test_holding_station_reports_zero_speed_and_keeps_time_order():
    plan = _plan_across_180()
    rng = np.random.default_rng(0)
    plan.hold(3600.0, 1, rng)
    k = plan.arrays()
    s = sample(k, np.array([k["t"][-1] - 10.0]))
    assert s["sog_kn"][0] == 0.0 and s["status"][0] == 1
    assert (np.diff(k["t"]) >= 0).all()
