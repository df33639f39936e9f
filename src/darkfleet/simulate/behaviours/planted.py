"""Planted dark-fleet behaviour: visible and dark STS transfers, loitering, deliberate gaps,
draught changes at sea, spoofing and identity changes."""

from __future__ import annotations

import numpy as np

from darkfleet.simulate.behaviours.background import merchant
from darkfleet.simulate.behaviours.common import arrive_at_spot, depart_spot, service_speed, vclass
from darkfleet.simulate.geo import haversine_m, offset
from darkfleet.simulate.plan import AT_ANCHOR, UNDER_WAY, Identity, Plan
from darkfleet.simulate.presets import LATE_PLANTED_KINDS
from darkfleet.simulate.scenario import Scenario, Unit

ALONGSIDE_M = 80.0  # centre-to-centre distance of two tankers moored alongside (beams ~45-60 m)
H = 3600.0


def build_planted(scn: Scenario, unit: Unit, rng: np.random.Generator) -> list[Plan]:
    kind = unit.kind
    if kind == "sts_visible":
        return _sts(scn, unit, rng, dark=0)
    if kind == "dark_sts":
        return _sts(scn, unit, rng, dark=1)
    if kind == "dark_sts_both":
        return _sts(scn, unit, rng, dark=2)
    if kind == "loitering":
        return [_loiter(scn, unit, rng)]
    return [_passing(scn, unit, rng)] if not kind.startswith("spoof_shared") else _shared_mmsi(scn, unit, rng)


def _sts(scn: Scenario, unit: Unit, rng: np.random.Generator, dark: int) -> list[Plan]:
    """Two tankers meet at ``spot``: A (the mother ship) waits, B comes alongside, cargo moves B -> A.

    ``dark``: 0 both visible; 1 B approaches and leaves dark; 2 both dark.
    """
    a, b = unit.vessels
    spot = unit.params["spot"]
    until = scn.cfg.hours * H
    t_meet = unit.params["t_event_s"]
    max_dur = 36.0 if scn.cfg.hours > 100 else 12.0
    alongside_s = float(rng.uniform(3.0, max_dur) * H)
    wait_a = float(rng.uniform(0.5, 6.0) * H)
    speed_a, speed_b = service_speed(scn, a, rng), service_speed(scn, b, rng)
    dark_m = float(rng.uniform(60_000, 120_000))
    cause = "dark_sts"
    pa = arrive_at_spot(scn, a, rng, spot, t_meet - wait_a, speed_a, laden=False,
                        dark_before_m=dark_m if dark == 2 else None, dark_cause=cause)
    pa.stay("sts", wait_a + alongside_s, AT_ANCHOR, rng, partner=1)
    alongside_at = offset(spot[0], spot[1], rng.uniform(0, 360), ALONGSIDE_M)
    pb = arrive_at_spot(scn, b, rng, (float(alongside_at[0]), float(alongside_at[1])), t_meet, speed_b, laden=True,
                        dark_before_m=dark_m if dark else None, dark_cause=cause)
    pb.stay("sts", alongside_s, AT_ANCHOR, rng, partner=0)
    # Cargo transferred: the mother ship loads, the shuttle discharges (reported at the next static message).
    pa.set(draught_m=vclass(scn, a).draught_laden_m)
    pb.set(draught_m=vclass(scn, b).draught_ballast_m)
    pa.encounters.append({"other": 1, "t0": t_meet, "t1": t_meet + alongside_s})
    depart_spot(scn, pb, rng, speed_b, until, live_after_m=dark_m if dark else None)
    pa.hold(float(rng.uniform(0.2, 1.0) * H), AT_ANCHOR, rng)
    pa.stays[-1]["t1"] = pa.now
    depart_spot(scn, pa, rng, speed_a, until, live_after_m=dark_m if dark == 2 else None)
    return [pa, pb]


def _loiter(scn: Scenario, unit: Unit, rng: np.random.Generator) -> Plan:
    """A tanker drifting offshore for 6-30 h with AIS on (waiting for orders or a partner)."""
    v = unit.vessels[0]
    speed = service_speed(scn, v, rng)
    plan = arrive_at_spot(scn, v, rng, unit.params["spot"], unit.params["t_event_s"], speed, laden=True)
    max_h = 30.0 if scn.cfg.hours > 100 else 14.0
    plan.stay("loiter", float(rng.uniform(6.0, max_h) * H), UNDER_WAY, rng, drift_m=400.0)
    depart_spot(scn, plan, rng, speed, scn.cfg.hours * H)
    return plan


def _passing(scn: Scenario, unit: Unit, rng: np.random.Generator) -> Plan:
    """A tanker on passage through an offshore spot at ``t_event_s``, where something happens."""
    v = unit.vessels[0]
    until = scn.cfg.hours * H
    kind = unit.kind
    t_ev = unit.params["t_event_s"]
    speed = service_speed(scn, v, rng)
    plan = arrive_at_spot(scn, v, rng, unit.params["spot"], t_ev, speed, laden=bool(rng.random() < 0.5),
                          final_stop=False)
    if kind == "deliberate_gap":
        plan.go_dark("deliberate")
        max_h = 72.0 if scn.cfg.hours > 100 else max(6.5, min(24.0, scn.cfg.hours * 0.3))
        plan.stay("dark_drift", float(rng.uniform(6.0, max_h) * H), UNDER_WAY, rng, drift_m=500.0)
        plan.go_live()
    elif kind == "draught_change":
        cls = vclass(scn, v)
        plan.set(draught_m=cls.draught_ballast_m if plan.draught_m[-1] >= cls.draught_laden_m else cls.draught_laden_m)
    elif kind in LATE_PLANTED_KINDS:
        plan.spoof.append(_late_spoof(kind, t_ev, rng))
    elif kind.startswith("spoof_"):
        duration = {"spoof_position_jump": rng.uniform(0.2, 0.5), "spoof_circle": rng.uniform(3.0, 6.0),
                    "spoof_no_fix": rng.uniform(1.0, 3.0)}[kind] * H
        plan.spoof.append({"kind": kind.removeprefix("spoof_"), "t0": t_ev, "t1": t_ev + duration,
                           "bearing": float(rng.uniform(0, 360)), "jump_m": float(rng.uniform(200e3, 600e3)),
                           "radius_m": float(rng.uniform(2000, 4000))})
    elif kind.startswith("identity_"):
        old = plan.identities[-1]
        new = dict(old.__dict__)
        new.update({k: val for k, val in scn.extra_identities[v].items() if k in new})
        new["from_s"] = t_ev
        plan.identities.append(Identity(**new))
    depart_spot(scn, plan, rng, speed, until)
    return plan


def _late_spoof(kind: str, t_ev: float, rng: np.random.Generator) -> dict:
    """A synthetic track (``grid_regular``: positions on a 0.001 deg lattice, or one fixed step per
    report) or a reported SOG at odds with the positions (``sog_mismatch``: SOG stuck at 0 while
    sailing, or the fix pinned while SOG says under way). 2-3.5 h: shorter than a loitering run,
    so a stuck SOG of 0 is not also loitering."""
    patterns = ["lattice", "constant_step"] if kind == "spoof_grid_regular" else ["sog_frozen", "fix_frozen"]
    return {"kind": kind.removeprefix("spoof_"), "t0": t_ev, "t1": t_ev + float(rng.uniform(2.0, 3.5)) * H,
            "pattern": str(rng.choice(patterns)), "bearing": float(rng.uniform(0, 360)),
            "speed_kn": float(rng.uniform(8.0, 14.0))}


def _shared_mmsi(scn: Scenario, unit: Unit, rng: np.random.Generator) -> list[Plan]:
    """Two transmitters with one identity: the real tanker, and a second hull far away that is
    heard only during the episode (a copied or cloned transponder)."""
    v = unit.vessels[0]
    until = scn.cfg.hours * H
    real = merchant(scn, v, rng, int(rng.integers(len(scn.routes))), service_speed(scn, v, rng), until)
    t0 = unit.params["t_event_s"]
    t1 = t0 + float(rng.uniform(6.0, 14.0) * H)
    # The clone sails from the port farthest from where the real hull is at the episode start.
    i = min(int(np.searchsorted(real.t, t0)), len(real.t) - 1)
    far = int(np.argmax(haversine_m(real.lat[i], real.lon[i], scn.routes.lat, scn.routes.lon)))
    ghost = merchant(scn, v, rng, far, service_speed(scn, v, rng), until)
    ghost.visible_only = (t0, t1)
    ghost.ghost = True
    real.spoof.append({"kind": "shared_mmsi", "t0": t0, "t1": t1})
    return [real, ghost]
