"""Ground truth labelled from the AIS actually emitted (after reception loss), per docs/truth.md."""

from __future__ import annotations

import json

import numpy as np

from darkfleet.simulate.geo import haversine_m
from darkfleet.simulate.kinematics import sample
from darkfleet.simulate.plan import Plan
from darkfleet.simulate.routes import IN_PORT_M, distance_to_port_m

GAP_MIN_S = 6 * 3600.0
LOITER_MIN_S = 4 * 3600.0
ENCOUNTER_M = 500.0
ENCOUNTER_MIN_S = 2 * 3600.0
DRAUGHT_MIN_M = 1.0
PORT_ENTER_M, PORT_EXIT_M = 3_000.0, 4_000.0
GRID_S = 60.0


def _row(event_type, mmsi, other, t0, t1, lat, lon, **details) -> dict:
    return {"event_type": event_type, "mmsi": int(mmsi), "other_mmsi": None if other is None else int(other),
            "start_s": float(t0), "end_s": float(t1), "lat": float(lat), "lon": float(lon),
            "details": json.dumps(details, sort_keys=True)}


def label_unit(kind: str, plans: list[Plan], pos: list[dict], stat: list[dict], benign: list[dict]):
    """Truth rows and benign rows of one generation unit."""
    truth: list[dict] = []
    out_benign: list[dict] = []
    gaps_by_plan: list[list[dict]] = []
    for i, (plan, p) in enumerate(zip(plans, pos)):
        gaps = _gaps(plan, p, plans, pos)
        gaps_by_plan.append(gaps)
        if plan.ghost:
            truth += _spoofing(plan, p, ghost=True)
            continue
        truth += gaps
        out_benign += [{"kind": "coverage_hole", "mmsi": g["mmsi"], "other_mmsi": None, "start_s": g["start_s"],
                        "end_s": g["end_s"], "lat": g["lat"], "lon": g["lon"]}
                       for g in gaps if json.loads(g["details"])["cause"] == "coverage"]
        truth += _loitering(plan, p)
        truth += _spoofing(plan, p, ghost=False)
        truth += _identity(plan, p, stat[i])
        truth += _draught(plan, stat[i], gaps)
        truth += _port_visits(plan, p)
        out_benign += [{"kind": "anchor_drift", "mmsi": int(p["mmsi"][0]) if p["mmsi"].size else plan.identities[0].mmsi,
                        "other_mmsi": None, "start_s": s["t0"], "end_s": s["t1"], "lat": s["lat"], "lon": s["lon"]}
                       for s in plan.stays if s["kind"] == "anchorage" and s["t1"] - s["t0"] >= 2 * 3600]
        for enc in plan.encounters:
            truth += _encounter(plan, plans[enc["other"]], p, pos[enc["other"]], enc)
    truth += _dark_sts(kind, plans, pos, stat, gaps_by_plan)
    for rec in benign:
        a, b = plans[rec["a"]].identities[0].mmsi, plans[rec["b"]].identities[0].mmsi
        out_benign.append({"kind": rec["kind"], "mmsi": min(a, b), "other_mmsi": max(a, b), "start_s": rec["t0"],
                           "end_s": rec["t1"], "lat": rec["lat"], "lon": rec["lon"]})
    return truth, out_benign


def _clean(p: dict) -> np.ndarray:
    return ~p["spoofed"]


def _gaps(plan: Plan, p: dict, plans: list[Plan], pos: list[dict]) -> list[dict]:
    """Silences >= 6 h in everything heard under this transmitter's MMSIs (a clone fills gaps too)."""
    if plan.ghost:
        return []
    mmsis = {i.mmsi for i in plan.identities}
    rows = []
    for m in sorted(mmsis):
        stamps = np.concatenate([q["stamp_s"][q["mmsi"] == m] for q in pos])
        if stamps.size < 2:
            continue
        mine = p["mmsi"] == m
        stamps = np.sort(stamps)
        dt = np.diff(stamps)
        for j in np.flatnonzero(dt >= GAP_MIN_S):
            t0, t1 = stamps[j], stamps[j + 1]
            cause = "coverage"
            for d0, d1, c in plan.dark:
                if d0 < t1 and d1 > t0 and min(d1, t1) - max(d0, t0) > 0.5 * (t1 - t0):
                    cause = c
            before = np.flatnonzero(mine & (p["stamp_s"] <= t0))
            k = before[-1] if before.size else 0
            rows.append(_row("gap", m, None, t0, t1, p["lat"][k], p["lon"][k], cause=cause,
                             duration_h=round((t1 - t0) / 3600, 2)))
    return rows


def _loitering(plan: Plan, p: dict) -> list[dict]:
    rows = []
    for s in plan.stays:
        if s["t1"] - s["t0"] < LOITER_MIN_S or distance_to_port_m(s["lat"], s["lon"])[0] <= IN_PORT_M:
            continue
        inside = (p["t_s"] >= s["t0"]) & (p["t_s"] <= s["t1"]) & _clean(p)
        if inside.sum() < 2:
            continue
        ts = p["stamp_s"][inside]
        if ts.max() - ts.min() >= LOITER_MIN_S:
            rows.append(_row("loitering", p["mmsi"][inside][0], None, ts.min(), ts.max(), s["lat"], s["lon"],
                             planted=s["kind"]))
    return rows


def _spoofing(plan: Plan, p: dict, ghost: bool) -> list[dict]:
    rows = []
    if ghost:
        if p["t_s"].size:
            rows.append(_row("spoofing", p["mmsi"][0], None, p["stamp_s"].min(), p["stamp_s"].max(),
                             p["lat"][0], p["lon"][0], kind="shared_mmsi", transmitter="clone"))
        return rows
    for ep in plan.spoof:
        if ep["kind"] == "shared_mmsi":
            continue
        inside = (p["t_s"] >= ep["t0"]) & (p["t_s"] < ep["t1"])
        if inside.any():
            i = np.flatnonzero(inside)
            rows.append(_row("spoofing", p["mmsi"][i[0]], None, p["stamp_s"][i].min(), p["stamp_s"][i].max(),
                             p["true_lat"][i[0]], p["true_lon"][i[0]], kind=ep["kind"],
                             **({"pattern": ep["pattern"]} if "pattern" in ep else {})))
    return rows


def _identity(plan: Plan, p: dict, st: dict) -> list[dict]:
    from darkfleet.simulate.fleet import imo_is_valid

    rows = []
    for j in range(1, len(plan.identities)):
        old, new = plan.identities[j - 1], plan.identities[j]
        if new.mmsi != old.mmsi:
            field, src = "mmsi", p
        elif new.imo != old.imo:
            field = "imo_invalid" if not imo_is_valid(np.array([new.imo]))[0] else "imo_borrowed"
            src = st
        else:
            field = next(f for f in ("name", "callsign", "flag", "ship_type") if getattr(new, f) != getattr(old, f))
            src = st
        # The first message that shows the new identity: a static report, or for a new MMSI
        # whichever of position or static report came first.
        sources = [p, st] if field == "mmsi" else [src]
        firsts = [(q["stamp_s"][i].min(), q["t_s"][i[np.argmin(q["stamp_s"][i])]])
                  for q in sources if (i := np.flatnonzero(q["identity"] == j)).size]
        if not firsts:
            continue
        t, t_true = min(firsts)
        where = sample(plan.arrays(), np.array([t_true]))
        key = "imo" if field.startswith("imo") else field
        details = {"field": field, "old": getattr(old, key), "new": getattr(new, key)}
        if field == "mmsi":
            details.update(old_flag=old.flag, new_flag=new.flag, old_callsign=old.callsign, new_callsign=new.callsign)
        rows.append(_row("identity_change", new.mmsi, old.mmsi if field == "mmsi" else None, t, t,
                         where["lat"][0], where["lon"][0], **details))
    return rows


def _draught(plan: Plan, st: dict, gaps: list[dict]) -> list[dict]:
    d, ts = st["draught_m"], st["stamp_s"]
    ok = ~np.isnan(d)
    d, ts, tt, mm = d[ok], ts[ok], st["t_s"][ok], st["mmsi"][ok]
    if d.size < 2:
        return []
    change = np.flatnonzero(np.abs(np.diff(d)) >= DRAUGHT_MIN_M) + 1
    if not change.size:
        return []
    where = sample(plan.arrays(), tt[change])
    outside = distance_to_port_m(where["lat"], where["lon"]) > IN_PORT_M
    rows = []
    for j, c in enumerate(change):
        if not outside[j]:
            continue
        across = any(g["start_s"] >= ts[c - 1] - 1 and g["end_s"] <= ts[c] + 1 for g in gaps)
        rows.append(_row("draught_change", mm[c], None, ts[c - 1], ts[c], where["lat"][j], where["lon"][j],
                         old_m=float(d[c - 1]), new_m=float(d[c]), change_m=round(float(d[c] - d[c - 1]), 1),
                         across_gap=across))
    return rows


def _port_visits(plan: Plan, p: dict) -> list[dict]:
    """Entry at the first message within 3 km, exit at the first message beyond 4 km (hysteresis)."""
    rows = []
    ok = _clean(p)
    if ok.sum() == 0:
        return rows
    lat, lon, ts, mm = p["lat"][ok], p["lon"][ok], p["stamp_s"][ok], p["mmsi"][ok]
    calls = {(round(c["port_lat"], 6), round(c["port_lon"], 6)) for c in plan.calls if "port_lat" in c}
    for plat, plon in sorted(calls):
        d = haversine_m(lat, lon, plat, plon)
        event = np.where(d < PORT_ENTER_M, 1, np.where(d > PORT_EXIT_M, 0, -1))
        last = np.maximum.accumulate(np.where(event >= 0, np.arange(d.size), -1))
        inside = np.where(last >= 0, event[np.maximum(last, 0)] == 1, False)
        edges = np.diff(np.r_[0, inside.astype(np.int8), 0])
        for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
            end = ts[e] if e < ts.size else ts[-1]
            rows.append(_row("port_visit", mm[s], None, ts[s], end, plat, plon, open_end=bool(e >= ts.size),
                             open_start=bool(s == 0)))
    return rows


def _encounter(a: Plan, b: Plan, pa: dict, pb: dict, enc: dict) -> list[dict]:
    """Contact from the first to the last instant within 500 m, as both vessels' AIS shows it."""
    grid = np.arange(enc["t0"] - 3 * 3600, enc["t1"] + 3 * 3600, GRID_S)
    sa, sb = sample(a.arrays(), grid), sample(b.arrays(), grid)
    close = haversine_m(sa["lat"], sa["lon"], sb["lat"], sb["lon"]) <= ENCOUNTER_M
    if not close.any():
        return []
    t0, t1 = grid[np.flatnonzero(close)[0]], grid[np.flatnonzero(close)[-1]]
    ina = (pa["t_s"] >= t0) & (pa["t_s"] <= t1) & _clean(pa)
    inb = (pb["t_s"] >= t0) & (pb["t_s"] <= t1) & _clean(pb)
    if not ina.any() or not inb.any():
        return []
    start = max(pa["stamp_s"][ina].min(), pb["stamp_s"][inb].min())
    end = min(pa["stamp_s"][ina].max(), pb["stamp_s"][inb].max())
    if end - start < ENCOUNTER_MIN_S:
        return []
    ma, mb = int(pa["mmsi"][ina][0]), int(pb["mmsi"][inb][0])
    i = np.flatnonzero(close)[0]
    return [_row("encounter", min(ma, mb), max(ma, mb), start, end, sa["lat"][i], sa["lon"][i])]


def _dark_sts(kind: str, plans: list[Plan], pos: list[dict], stat: list[dict], gaps: list[list[dict]]) -> list[dict]:
    if not kind.startswith("dark_sts"):
        return []
    rows = []
    for i, plan in enumerate(plans):
        other = plans[1 - i]
        for g in gaps[i]:
            if json.loads(g["details"])["cause"] != "dark_sts":
                continue
            st = stat[i]
            before = st["draught_m"][st["stamp_s"] <= g["start_s"]]
            after = st["draught_m"][st["stamp_s"] >= g["end_s"]]
            change = float(after[0] - before[-1]) if before.size and after.size else None
            sts = next(s for s in plan.stays if s["kind"] == "sts")
            rows.append(_row("dark_sts", g["mmsi"], other.identities[0].mmsi, g["start_s"], g["end_s"],
                             sts["lat"], sts["lon"], both_dark=kind == "dark_sts_both",
                             draught_change_m=None if change is None else round(change, 1)))
    return rows
