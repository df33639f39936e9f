"""Building blocks shared by behaviours: new plans, path cutting, port calls, trading voyages."""

from __future__ import annotations

import numpy as np

from darkfleet.simulate import fleet
from darkfleet.simulate.geo import haversine_m, lon_step, offset, wrap_lon
from darkfleet.simulate.plan import AT_ANCHOR, MOORED, Identity, Plan
from darkfleet.simulate.scenario import Scenario

ANCHORAGE_FROM_PORT_M = 6_000.0  # inside the 10 km "in port" radius of docs/truth.md
HARBOUR_SPEED_KN = 5.0
APPROACH_M = 3_000.0  # final slow approach to an offshore rendezvous
APPROACH_KN = 4.0
SPOT_CANDIDATE_PORTS = 6


def new_plan(scn: Scenario, v: int, rng: np.random.Generator, t_s: float, lat: float, lon: float,
             status: int, laden: bool | None = None) -> Plan:
    reg = scn.registry
    cls = fleet.CLASSES[str(reg["vessel_class"][v])]
    if laden is None:
        laden = bool(rng.random() < 0.5)
    plan = Plan(v, cls.ais_class, float(reg["length_m"][v]), float(reg["width_m"][v]))
    plan.start(t_s, lat, lon, status, cls.draught_laden_m if laden else cls.draught_ballast_m)
    plan.identities.append(Identity(-np.inf, int(reg["mmsi"][v]), int(reg["imo"][v]), str(reg["name"][v]),
                                    str(reg["callsign"][v]), int(reg["ship_type"][v]), str(reg["flag"][v])))
    return plan


def vclass(scn: Scenario, v: int) -> fleet.VesselClass:
    return fleet.CLASSES[str(scn.registry["vessel_class"][v])]


def service_speed(scn: Scenario, v: int, rng: np.random.Generator) -> float:
    return float(rng.uniform(*vclass(scn, v).speed_kn))


def path_length_m(path: np.ndarray) -> float:
    return float(haversine_m(path[:-1, 0], path[:-1, 1], path[1:, 0], path[1:, 1]).sum())


def cut(path: np.ndarray, at_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Split a polyline ``at_m`` metres from its start; the split point ends one part and starts the other."""
    seg = haversine_m(path[:-1, 0], path[:-1, 1], path[1:, 0], path[1:, 1])
    cum = np.r_[0.0, np.cumsum(seg)]
    at_m = float(np.clip(at_m, 0.0, cum[-1]))
    i = int(np.clip(np.searchsorted(cum, at_m, side="right") - 1, 0, len(seg) - 1))
    f = 0.0 if seg[i] == 0 else (at_m - cum[i]) / seg[i]
    p = np.array([path[i, 0] + f * (path[i + 1, 0] - path[i, 0]),
                  float(wrap_lon(path[i, 1] + f * lon_step(path[i, 1], path[i + 1, 1])))])
    return np.vstack([path[: i + 1], p]), np.vstack([p, path[i + 1 :]])


def berth_point(scn: Scenario, port: int, rng: np.random.Generator) -> tuple[float, float]:
    la, lo = offset(scn.routes.lat[port], scn.routes.lon[port], rng.uniform(0, 360), rng.uniform(50, 600))
    return float(la), float(lo)


def leave_port(plan: Plan, path: np.ndarray) -> np.ndarray:
    """Harbour speed out to the anchorage; returns the rest of ``path`` (still to sail)."""
    length = path_length_m(path)
    head, tail = cut(path, min(ANCHORAGE_FROM_PORT_M, length / 3))
    plan.set(status=0)
    plan.sail(head[1:], HARBOUR_SPEED_KN)
    return tail


def enter_port(scn: Scenario, plan: Plan, path: np.ndarray, port: int, speed_kn: float, rng: np.random.Generator,
               wait_s: float, berth_s: float, draught_after: float, berth: tuple[float, float] | None = None) -> None:
    """Sail ``path`` (ending at ``port``), wait at the anchorage, berth, change draught while moored."""
    length = path_length_m(path)
    head, _ = cut(path, length - min(ANCHORAGE_FROM_PORT_M, length / 3))
    plan.sail(head[1:], speed_kn)
    if wait_s > 0:
        plan.stay("anchorage", wait_s, AT_ANCHOR, rng, drift_m=150.0, port=port)
    berth = berth or berth_point(scn, port, rng)
    plan.sail(np.asarray([berth]), HARBOUR_SPEED_KN)
    t0 = plan.now
    plan.stay("berth", berth_s / 2, MOORED, rng, port=port)
    plan.set(draught_m=draught_after)
    plan.hold(berth_s / 2, MOORED, rng)
    plan.stays[-1]["t1"] = plan.now
    plan.calls.append({"port": port, "t0": t0, "t1": plan.now})


def next_draught(scn: Scenario, v: int, plan: Plan) -> float:
    """Cargo ships alternate laden and ballast legs; loading happens at the berth."""
    cls = vclass(scn, v)
    return cls.draught_ballast_m if plan.draught_m[-1] >= cls.draught_laden_m else cls.draught_laden_m


def trade(scn: Scenario, plan: Plan, rng: np.random.Generator, port: int, speed_kn: float, until_s: float) -> None:
    """Port-to-port voyages from ``port`` (already berthed there) until the scenario ends."""
    while plan.now < until_s:
        dst = scn.routes.partner(port, rng)
        rest = leave_port(plan, scn.routes.path(port, dst))
        wait = float(rng.uniform(2, 14) * 3600) if rng.random() < 0.4 else 0.0
        enter_port(scn, plan, rest, dst, speed_kn, rng, wait, float(rng.uniform(10, 36) * 3600),
                   next_draught(scn, plan.vessel, plan))
        port = dst


def nearby_port(scn: Scenario, lat: float, lon: float, rng: np.random.Generator) -> int:
    d = haversine_m(lat, lon, scn.routes.lat, scn.routes.lon)
    order = np.argsort(d)[:SPOT_CANDIDATE_PORTS]
    return int(rng.choice(order))


def arrive_at_spot(scn: Scenario, v: int, rng: np.random.Generator, spot: tuple[float, float], arrive_s: float,
                   speed_kn: float, laden: bool, dark_before_m: float | None = None, final_stop: bool = True,
                   dark_cause: str = "deliberate") -> Plan:
    """A plan that leaves a nearby port and reaches ``spot`` exactly at ``arrive_s``.

    With ``dark_before_m`` the transponder goes off that far before the spot (dark approach).
    """
    origin = nearby_port(scn, spot[0], spot[1], rng)
    path = scn.routes.to_point(origin, *spot)
    berth = berth_point(scn, origin, rng)
    plan = new_plan(scn, v, rng, 0.0, berth[0], berth[1], MOORED, laden)
    plan.hold(float(rng.uniform(6, 24) * 3600), MOORED, rng)
    plan.calls.append({"port": origin, "t0": -np.inf, "t1": plan.now})
    length = path_length_m(path)
    head, tail = cut(path, length - (APPROACH_M if final_stop else 0.0))
    if dark_before_m is not None:
        lit, dark = cut(head, max(0.0, path_length_m(head) - dark_before_m))
        plan.sail(leave_port(plan, lit)[1:], speed_kn)
        plan.go_dark(dark_cause)
        plan.sail(dark[1:], speed_kn)
    else:
        plan.sail(leave_port(plan, head)[1:], speed_kn)
    if final_stop:
        plan.sail(tail[1:], APPROACH_KN)
    plan.shift(arrive_s - plan.now)
    plan.t[0] = min(plan.t[0], -3600.0)  # moored at the origin since before the scenario starts
    plan.calls[0]["t0"] = plan.t[0]
    return plan


def depart_spot(scn: Scenario, plan: Plan, rng: np.random.Generator, speed_kn: float, until_s: float,
                live_after_m: float | None = None) -> None:
    """Leave an offshore spot for a nearby port and keep trading; optionally switch AIS back on en route."""
    lat, lon = plan.here
    dst = nearby_port(scn, lat, lon, rng)
    path = scn.routes.to_point(dst, lat, lon)[::-1].copy()
    path[0] = (lat, lon)
    if live_after_m is not None:
        dark, lit = cut(path, min(live_after_m, path_length_m(path) * 0.8))
        plan.sail(dark[1:], speed_kn)
        plan.go_live()
        path = lit
    enter_port(scn, plan, path, dst, speed_kn, rng, 0.0, float(rng.uniform(10, 30) * 3600),
               next_draught(scn, plan.vessel, plan))
    trade(scn, plan, rng, dst, speed_kn, until_s)
