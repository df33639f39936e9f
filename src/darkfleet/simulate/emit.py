"""Turn one plan into the AIS messages that were actually received (positions and static)."""

from __future__ import annotations

import numpy as np

from darkfleet.simulate.geo import KN_TO_MPS, offset
from darkfleet.simulate.kinematics import sample
from darkfleet.simulate.plan import Plan
from darkfleet.simulate.reception import SAT_P, ReceptionModel, transmissions, transmitting

STATIC_PERIOD_MIN = 6  # ITU-R M.1371: static and voyage data every 6 min
CLOCK_JITTER_S = 0.4  # receiver clock error (s, standard deviation) before rounding to whole seconds
CIRCLE_SPEED_KN = 10.0
NO_FIX_LAT, NO_FIX_LON = 91.0, 181.0  # ITU "not available" values


def emit_positions(model: ReceptionModel, plan: Plan, hours: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Received position reports of one transmitter, in time order, with the true time kept as ``t_s``."""
    k = plan.arrays()
    t, station = transmissions(model, k, plan.ais_class, hours, rng, plan.dark, plan.visible_only)
    s = sample(k, t)
    n = t.size
    moving = s["sog_kn"] > 0.3
    sog = np.where(moving, np.maximum(s["sog_kn"] + rng.normal(0, 0.1, n), 0.0), s["sog_kn"])
    cog = np.where(moving, s["cog_deg"] + rng.normal(0, 1.0, n), s["cog_deg"]) % 360.0
    heading = np.rint(cog + rng.normal(0, 2.0, n)) % 360
    lat, lon = s["lat"], s["lon"]
    spoofed = np.zeros(n, dtype=bool)
    for ep in plan.spoof:
        inside = (t >= ep["t0"]) & (t < ep["t1"])
        if not inside.any() or ep["kind"] == "shared_mmsi":
            continue
        spoofed |= inside
        if ep["kind"] == "position_jump":
            jl, jo = offset(lat[inside], lon[inside], ep["bearing"], ep["jump_m"])
            lat, lon = lat.copy(), lon.copy()
            lat[inside], lon[inside] = jl, jo
        elif ep["kind"] == "circle":
            centre = offset(lat[inside][0], lon[inside][0], ep["bearing"], 50_000.0)
            omega = CIRCLE_SPEED_KN * KN_TO_MPS / ep["radius_m"]
            ang = np.degrees(omega * (t[inside] - ep["t0"]))
            cl, co = offset(centre[0], centre[1], ang, ep["radius_m"])
            lat, lon = lat.copy(), lon.copy()
            lat[inside], lon[inside] = cl, co
            sog = np.where(inside, CIRCLE_SPEED_KN, sog)
            cog = np.where(inside, (np.degrees(omega * (t - ep["t0"])) + 90.0) % 360.0, cog)
        elif ep["kind"] == "grid_regular":
            lat, lon = lat.copy(), lon.copy()
            lat[inside], lon[inside] = _synthetic_track(ep, t[inside], lat[inside][0], lon[inside][0])
            sog = np.where(inside, ep["speed_kn"], sog)
            cog = np.where(inside, ep["bearing"], cog)
        elif ep["kind"] == "sog_mismatch" and ep["pattern"] == "sog_frozen":
            sog = np.where(inside, 0.0, sog)
        elif ep["kind"] == "sog_mismatch":  # fix pinned where the episode began, SOG still the ship's
            lat = np.where(inside, lat[inside][0], lat)
            lon = np.where(inside, lon[inside][0], lon)
        elif ep["kind"] == "no_fix":
            lat = np.where(inside, NO_FIX_LAT, lat)
            lon = np.where(inside, NO_FIX_LON, lon)
    ident = np.searchsorted([i.from_s for i in plan.identities], t, side="right") - 1
    mmsi = np.asarray([i.mmsi for i in plan.identities], dtype=np.int64)[ident]
    # Receiver clocks drift a little; the reported time is what the station stamps.
    stamp = np.floor(t) + np.rint(rng.normal(0, CLOCK_JITTER_S, n))
    class_a = plan.ais_class == "A"
    return {
        "t_s": t,
        "stamp_s": stamp.astype(np.int64),
        "mmsi": mmsi,
        "lat": np.round(lat, 5),
        "lon": np.round(lon, 5),
        "sog_kn": np.round(sog, 1).astype(np.float32),
        "cog_deg": (np.round(cog, 1) % 360.0).astype(np.float32),
        "heading_deg": (heading if class_a else np.full(n, 511)).astype(np.int16),
        "nav_status": s["status"] if class_a else np.full(n, -1, np.int8),
        "msg_type": np.full(n, 1 if class_a else 18, np.int8),
        "station": station.astype(np.int32),
        "spoofed": spoofed,
        "identity": ident,
        "true_lat": s["lat"],
        "true_lon": s["lon"],
    }


def _synthetic_track(ep: dict, t: np.ndarray, lat0: float, lon0: float) -> tuple[np.ndarray, np.ndarray]:
    """A generated straight track from (lat0, lon0): snapped to a 0.001 deg lattice, or advancing
    one fixed step (at ``speed_kn`` for a 1-min report) per received report whatever the time between."""
    if ep["pattern"] == "lattice":
        la, lo = offset(lat0, lon0, ep["bearing"], ep["speed_kn"] * KN_TO_MPS * (t - t[0]))
        return np.round(la, 3), np.round(lo, 3)
    step_lat, step_lon = offset(lat0, lon0, ep["bearing"], ep["speed_kn"] * KN_TO_MPS * 60.0)
    k = np.unique(t, return_inverse=True)[1]  # a report heard by two stations is one step
    la0, lo0 = round(lat0, 5), round(lon0, 5)
    return la0 + k * round(float(step_lat) - lat0, 5), lo0 + k * round(float(step_lon) - lon0, 5)


def emit_static(model: ReceptionModel, plan: Plan, hours: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Static/voyage reports (type 5, or type 24 for Class B) every 6 min that were received."""
    k = plan.arrays()
    phase = int(rng.integers(STATIC_PERIOD_MIN))
    lo = max(0, int(np.ceil(k["t"][0] / 60.0)))
    hi = min(int(hours * 60), int(k["t"][-1] // 60))
    minutes = np.arange(lo + (phase - lo) % STATIC_PERIOD_MIN, hi, STATIC_PERIOD_MIN)
    t = minutes * 60.0 + rng.uniform(0, 60, minutes.size)
    s = sample(k, t)
    u1, u2, u3 = rng.random(t.size), rng.random(t.size), rng.random(t.size)
    first, _ = model.terrestrial(s["lat"], s["lon"], t, u1, u2)
    sat = (first < 0) & (u3 < SAT_P[plan.ais_class])
    got = ((first >= 0) | sat) & ~model.in_hole(s["lat"], s["lon"], t) & transmitting(t, plan.dark, plan.visible_only)
    t, draught, station = t[got], s["draught_m"][got], np.where(sat, -2, first)[got]
    ident = np.searchsorted([i.from_s for i in plan.identities], t, side="right") - 1
    ids = plan.identities
    class_a = plan.ais_class == "A"
    return {
        "t_s": t,
        "stamp_s": np.floor(t).astype(np.int64),
        "mmsi": np.asarray([i.mmsi for i in ids], dtype=np.int64)[ident],
        "imo": np.asarray([i.imo for i in ids], dtype=np.int64)[ident],
        "name": np.asarray([i.name for i in ids], dtype=object)[ident],
        "callsign": np.asarray([i.callsign for i in ids], dtype=object)[ident],
        "ship_type": np.asarray([i.ship_type for i in ids], dtype=np.int16)[ident],
        "draught_m": np.round(draught, 1).astype(np.float32) if class_a else np.full(t.size, np.nan, np.float32),
        "length_m": np.full(t.size, plan.length_m, np.float32),
        "width_m": np.full(t.size, plan.width_m, np.float32),
        "msg_type": np.full(t.size, 5 if class_a else 24, np.int8),
        "station": station.astype(np.int32),
        "identity": ident,
    }
