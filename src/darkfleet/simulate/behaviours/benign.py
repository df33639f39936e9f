"""Benign look-alikes that must not raise outside-port alerts: ships moored together, bunkering
at a port anchorage, tugs alongside, coverage holes, (and every anchorage wait: drifting at anchor)."""

from __future__ import annotations

import numpy as np

from darkfleet.simulate.behaviours.common import (
    berth_point, enter_port, leave_port, new_plan, service_speed, trade, vclass,
)
from darkfleet.simulate.geo import KN_TO_MPS, haversine_m, offset
from darkfleet.simulate.plan import MOORED, Plan
from darkfleet.simulate.scenario import Scenario, Unit

H = 3600.0
BARGE_KN = 8.0
TUG_KN = 9.0


def build_benign(scn: Scenario, unit: Unit, rng: np.random.Generator) -> tuple[list[Plan], list[dict]]:
    """Plans of the unit and its benign records (kind, plan indices, window, place)."""
    port, t_ev = unit.params["port"], unit.params["t_event_s"]
    a, b = unit.vessels
    if unit.kind == "moored_together":
        berth = berth_point(scn, port, rng)
        pa = arrive_in_port(scn, a, rng, port, t_ev, 0.0, float(rng.uniform(16, 30) * H), berth)
        side = offset(berth[0], berth[1], rng.uniform(0, 360), 40.0)
        t_b = t_ev + float(rng.uniform(1, 3) * H)
        pb = arrive_in_port(scn, b, rng, port, t_b, 0.0, float(rng.uniform(8, 14) * H), (float(side[0]), float(side[1])))
        t1 = min(pa.calls[0]["t1"], pb.calls[0]["t1"])  # calls[0]: the arrival planned here
        return [pa, pb], [_rec("moored_together", t_b, t1, berth)]
    if unit.kind == "bunkering":
        ship = arrive_in_port(scn, a, rng, port, t_ev, float(rng.uniform(8, 14) * H), float(rng.uniform(12, 24) * H),
                              align="anchor")
        anchor = next(s for s in ship.stays if s["kind"] == "anchorage")
        t0 = anchor["t0"] + float(rng.uniform(1, 3) * H)
        t1 = t0 + float(rng.uniform(2, 5) * H)
        alongside = offset(anchor["lat"], anchor["lon"], rng.uniform(0, 360), 60.0)
        barge = _shuttle(scn, b, rng, port, (float(alongside[0]), float(alongside[1])), t0, t1)
        return [ship, barge], [_rec("bunkering", t0, t1, (anchor["lat"], anchor["lon"]))]
    if unit.kind == "tug_assist":
        ship = arrive_in_port(scn, a, rng, port, t_ev, 0.0, float(rng.uniform(10, 24) * H))
        tug = _escort(scn, b, rng, port, ship)
        call = ship.calls[0]
        t_a = ship.t[ship.t.index(call["t0"]) - 1]  # alongside from the anchorage point to the berth
        return [ship, tug], [_rec("tug_assist", t_a, call["t0"], (ship.lat[-1], ship.lon[-1]))]
    # coverage_hole: two ships wait at the anchorage right through the planted reception outage.
    hole = next(h for h in scn.reception.holes if h.t0_s == t_ev)
    wait = hole.t1_s - hole.t0_s + 3 * H
    plans = [arrive_in_port(scn, v, rng, port, t_ev - 1.5 * H, wait, float(rng.uniform(8, 16) * H), align="anchor")
             for v in (a, b)]
    return plans, []


def _rec(kind: str, t0: float, t1: float, where: tuple[float, float]) -> dict:
    return {"kind": kind, "a": 0, "b": 1, "t0": t0, "t1": t1, "lat": float(where[0]), "lon": float(where[1])}


def arrive_in_port(scn: Scenario, v: int, rng: np.random.Generator, port: int, at_s: float, wait_s: float,
                   berth_s: float, berth: tuple[float, float] | None = None, align: str = "berth") -> Plan:
    """A ship that reaches ``port`` (its anchorage if ``align='anchor'``, else its berth) at ``at_s``."""
    origin = scn.routes.partner(port, rng)
    speed = service_speed(scn, v, rng)
    start = berth_point(scn, origin, rng)
    plan = new_plan(scn, v, rng, 0.0, start[0], start[1], MOORED)
    plan.hold(float(rng.uniform(4, 12) * H), MOORED, rng)
    rest = leave_port(plan, scn.routes.path(origin, port))
    draught = vclass(scn, v).draught_laden_m
    enter_port(scn, plan, rest, port, speed, rng, wait_s, berth_s, draught, berth)
    ref = next(s["t0"] for s in plan.stays if s["kind"] == "anchorage") if align == "anchor" else plan.calls[-1]["t0"]
    plan.shift(at_s - ref)
    plan.t[0] = min(plan.t[0], -H)  # moored at the origin since before the scenario starts
    trade(scn, plan, rng, port, speed, scn.cfg.hours * H)
    return plan


def _shuttle(scn: Scenario, v: int, rng: np.random.Generator, port: int, to: tuple[float, float],
             t0: float, t1: float) -> Plan:
    """A bunker barge: moored in port, goes alongside a ship at ``to`` from t0 to t1, comes back."""
    berth = berth_point(scn, port, rng)
    transit = float(haversine_m(berth[0], berth[1], to[0], to[1])) / (BARGE_KN * KN_TO_MPS)
    plan = new_plan(scn, v, rng, -24 * H, berth[0], berth[1], MOORED, laden=True)
    plan.stay("berth", t0 - transit + 24 * H, MOORED, rng, port=port)
    plan.sail(np.asarray([to]), BARGE_KN)
    plan.stay("bunkering", t1 - t0, MOORED, rng, port=port)
    plan.set(draught_m=vclass(scn, v).draught_ballast_m)
    plan.sail(np.asarray([berth]), BARGE_KN)
    plan.stay("berth", max(0.0, scn.cfg.hours * H - plan.now) + H, MOORED, rng, port=port)
    plan.calls.append({"port": port, "t0": plan.t[0], "t1": plan.now})
    return plan


def _escort(scn: Scenario, v: int, rng: np.random.Generator, port: int, ship: Plan) -> Plan:
    """A tug meets ``ship`` at the anchorage point and runs alongside it to the berth."""
    call = ship.calls[0]  # the arrival the tug assists (later calls come from trading on)
    i_berth = ship.t.index(call["t0"])
    i_anchor = i_berth - 1  # the anchorage point: start of the harbour leg
    berth = berth_point(scn, port, rng)
    meet = offset(ship.lat[i_anchor], ship.lon[i_anchor], rng.uniform(0, 360), 30.0)
    transit = float(haversine_m(berth[0], berth[1], meet[0], meet[1])) / (TUG_KN * KN_TO_MPS)
    plan = new_plan(scn, v, rng, -24 * H, berth[0], berth[1], MOORED)
    plan.stay("berth", ship.t[i_anchor] - transit + 24 * H, MOORED, rng, port=port)
    plan.sail(np.asarray([[float(meet[0]), float(meet[1])]]), TUG_KN)
    for i in range(i_anchor + 1, i_berth + 1):  # keyframes of one harbour leg (a handful)
        la, lo = offset(ship.lat[i], ship.lon[i], 90.0, 30.0)
        plan.keyframe(ship.t[i], float(la), float(lo), 0, plan.draught_m[-1])
    plan.sail(np.asarray([berth]), 6.0)
    plan.stay("berth", max(0.0, scn.cfg.hours * H - plan.now) + H, MOORED, rng, port=port)
    plan.calls.append({"port": port, "t0": plan.t[0], "t1": plan.now})
    return plan
