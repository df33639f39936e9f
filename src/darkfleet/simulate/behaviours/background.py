"""Background traffic: merchant voyages, ferries, fishing trips, tugs and pleasure craft."""

from __future__ import annotations

import numpy as np

from darkfleet.simulate.behaviours.common import (
    berth_point, cut, enter_port, leave_port, new_plan, path_length_m, service_speed, trade, vclass,
)
from darkfleet.simulate.geo import haversine_m
from darkfleet.simulate.plan import ENGAGED_IN_FISHING, MOORED, Plan
from darkfleet.simulate.scenario import Scenario, Unit

FISHING_SPEED_KN = 3.5  # trawling speed; above the 2 kn loitering threshold on purpose


def build_background(scn: Scenario, unit: Unit, rng: np.random.Generator) -> list[Plan]:
    v = unit.vessels[0]
    cls = str(scn.registry["vessel_class"][v])
    until = scn.cfg.hours * 3600.0
    home = int(rng.integers(len(scn.routes)))
    if cls == "fishing":
        return [_local_trips(scn, v, rng, home, until, fishing=True)]
    if cls in ("pleasure", "tug"):
        return [_local_trips(scn, v, rng, home, until, fishing=False)]
    speed = service_speed(scn, v, rng)
    if cls == "passenger":
        return [_ferry(scn, v, rng, home, speed, until)]
    return [merchant(scn, v, rng, home, speed, until)]


def merchant(scn: Scenario, v: int, rng: np.random.Generator, home: int, speed_kn: float, until_s: float) -> Plan:
    """A cargo ship or tanker caught somewhere in its voyage cycle at the scenario start."""
    first = scn.routes.partner(home, rng)
    cycle_s = path_length_m(scn.routes.path(home, first)) / (speed_kn * 0.5144) + 24 * 3600
    start = -float(rng.uniform(0.0, cycle_s))
    berth = berth_point(scn, home, rng)
    plan = new_plan(scn, v, rng, start, berth[0], berth[1], MOORED)
    plan.stay("berth", float(rng.uniform(2, 24) * 3600), MOORED, rng, port=home)
    plan.calls.append({"port": home, "t0": start, "t1": plan.now})
    rest = leave_port(plan, scn.routes.path(home, first))
    enter_port(scn, plan, rest, first, speed_kn, rng, 0.0, float(rng.uniform(10, 36) * 3600),
               vclass(scn, v).draught_laden_m)
    trade(scn, plan, rng, first, speed_kn, until_s)
    return plan


def _ferry(scn: Scenario, v: int, rng: np.random.Generator, home: int, speed_kn: float, until_s: float) -> Plan:
    """A ferry shuttling between its home port and the nearest other port, short turnarounds."""
    d = haversine_m(scn.routes.lat[home], scn.routes.lon[home], scn.routes.lat, scn.routes.lon)
    d[home] = np.inf
    other = int(np.argmin(d))
    berths = {p: berth_point(scn, p, rng) for p in (home, other)}
    plan = new_plan(scn, v, rng, -float(rng.uniform(0, 6 * 3600)), *berths[home], MOORED)
    port = home
    while plan.now < until_s:
        plan.stay("berth", float(rng.uniform(1, 3) * 3600), MOORED, rng, port=port)
        plan.calls.append({"port": port, "t0": plan.stays[-1]["t0"], "t1": plan.now})
        dst = other if port == home else home
        rest = leave_port(plan, scn.routes.path(port, dst))
        head, _ = cut(rest, path_length_m(rest) - 6000.0)
        plan.sail(head[1:], speed_kn)
        plan.sail(np.asarray([berths[dst]]), 5.0)
        port = dst
    return plan


def _local_trips(scn: Scenario, v: int, rng: np.random.Generator, home: int, until_s: float, fishing: bool) -> Plan:
    """Out along the port's approach route and back: fishing grounds, day sails, tug jobs."""
    cls = vclass(scn, v)
    berth = berth_point(scn, home, rng)
    plan = new_plan(scn, v, rng, -float(rng.uniform(0, 12 * 3600)), berth[0], berth[1], MOORED)
    reach_m = {True: 60_000.0, False: 12_000.0}[fishing] if cls.name != "tug" else 7_000.0
    while plan.now < until_s:
        plan.stay("berth", float(rng.uniform(4, 16) * 3600), MOORED, rng, port=home)
        plan.calls.append({"port": home, "t0": plan.stays[-1]["t0"], "t1": plan.now})
        path = scn.routes.path(home, scn.routes.partner(home, rng))
        out, _ = cut(path, min(reach_m * rng.uniform(0.5, 1.0), path_length_m(path) * 0.45))
        speed = float(rng.uniform(*cls.speed_kn))
        plan.set(status=0)
        plan.sail(out[1:], speed)
        if fishing:
            # Trawl back and forth along the last part of the track, slowly but not loitering.
            tow, _ = cut(out[::-1], min(8_000.0, path_length_m(out) / 2))
            for _ in range(int(rng.integers(2, 5))):
                plan.sail(tow[1:], FISHING_SPEED_KN, status=ENGAGED_IN_FISHING)
                plan.sail(tow[::-1][1:], FISHING_SPEED_KN, status=ENGAGED_IN_FISHING)
        plan.set(status=0)
        plan.sail(out[::-1][1:], speed)
        plan.sail(np.asarray([berth]), 5.0)
    return plan
