"""Scenario planning: ports, STS spots, the list of independent generation units and the registry.

Everything here is cheap and drawn from a scenario-level generator; each unit then has its own
generator seeded from (seed, unit index), so output does not depend on chunking.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from darkfleet.simulate import fleet
from darkfleet.simulate.geo import haversine_m, offset
from darkfleet.simulate.presets import BENIGN_KINDS, LATE_PLANTED_KINDS, PLANTED_KINDS, Config
from darkfleet.simulate.reception import CoverageHole, ReceptionModel
from darkfleet.simulate.routes import MAX_ABS_LAT, RouteCache, distance_to_port_m, marnet_vertices, push_offshore, select_ports

# Known STS transfer areas (Lloyd's List / Windward reporting, see docs/simulator.md)
STS_HUBS = {
    "laconian_gulf": (36.55, 22.70),
    "kalamata": (36.90, 22.02),
    "ceuta": (35.93, -5.18),
    "malaysia_eopl": (1.38, 104.62),
    "gulf_of_oman": (25.25, 56.60),
    "skagen": (57.78, 10.78),
}
TANKER_CLASSES = ["vlcc", "suezmax", "aframax", "panamax_tanker", "mr_tanker"]
TANKER_WEIGHTS = [0.12, 0.18, 0.30, 0.15, 0.25]
BACKGROUND_MIX = {  # share of background vessels per class (EMSA/UNCTAD fleet mix, simplified)
    "tanker": 0.24, "container": 0.14, "bulk": 0.2, "general_cargo": 0.12, "passenger": 0.05,
    "fishing": 0.1, "tug": 0.05, "pleasure": 0.1,
}
UNIT_CLASSES = {
    "moored_together": ["general_cargo", "general_cargo"],
    "bunkering": ["bulk", "bunker_tanker"],
    "tug_assist": ["container", "tug"],
    "coverage_hole": ["bulk", "general_cargo"],
    "spoof_shared_mmsi": ["tanker"],
}
PAIR_KINDS = {"sts_visible", "dark_sts", "dark_sts_both", "moored_together", "bunkering", "tug_assist", "coverage_hole"}


@dataclass
class Unit:
    index: int
    kind: str
    vessels: list[int]
    params: dict = field(default_factory=dict)


@dataclass
class Scenario:
    cfg: Config
    routes: RouteCache
    reception: ReceptionModel
    units: list[Unit]
    registry: dict[str, np.ndarray]  # one entry per hull, indexed by vessel
    extra_identities: dict[int, dict]  # hull -> new identity for identity-change units
    offshore_spots: np.ndarray  # (lat, lon) marnet vertices far from ports


def plan_scenario(cfg: Config) -> Scenario:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([cfg.seed, 0])))
    ports = select_ports(cfg.area, cfg.ports, rng)
    routes = RouteCache(ports)
    H = cfg.hours * 3600.0
    spots = _offshore_spots(cfg)
    used: list[tuple[float, float]] = []

    def fresh_spot(base: tuple[float, float] | None, gen: np.random.Generator = rng) -> tuple[float, float]:
        # Planted slow spots stay > 1.5 km apart so no two planted events meet by accident (500 m).
        for _ in range(200):
            if base is None:
                la, lo = spots[gen.integers(len(spots))]
                la, lo = offset(la, lo, gen.uniform(0, 360), gen.uniform(0, 1500))
            else:
                la, lo = offset(base[0], base[1], gen.uniform(0, 360), gen.uniform(0, 12_000))
            la, lo = push_offshore(float(la), float(lo))
            if not used or haversine_m(la, lo, *np.asarray(used).T).min() > 1500:
                used.append((la, lo))
                return la, lo
        raise RuntimeError("could not place a planted spot")

    units: list[Unit] = []
    classes: list[str] = []

    def add(kind: str, cls: list[str], **params) -> None:
        first = len(classes)
        classes.extend(cls)
        units.append(Unit(len(units), kind, list(range(first, first + len(cls))), params))

    hubs = [STS_HUBS[h] for h in cfg.hubs]
    for kind in PLANTED_KINDS:
        for j in range(cfg.planted_per_kind):
            n = 2 if kind in PAIR_KINDS else 1
            cls = list(rng.choice(TANKER_CLASSES, n, p=TANKER_WEIGHTS))
            params = {"t_event_s": float(rng.uniform(0.25, 0.55) * H)}
            if kind != "spoof_shared_mmsi":
                on_hub = kind.startswith("sts") and hubs and j % 2 == 0
                params["spot"] = fresh_spot(hubs[j % len(hubs)] if on_hub else None)
            add(kind, cls, **params)
    order = rng.permutation(len(routes))
    n_holes = max(1, cfg.benign_per_kind // 4)  # a hole silences every ship around a port: a few suffice
    hole_ports = order[: min(n_holes, len(order) - 1)]
    # Other look-alikes stay out of hole ports, so that they are heard.
    open_ports = [int(i) for i in order if i not in set(hole_ports.tolist())]
    for kind in BENIGN_KINDS:
        count = n_holes if kind == "coverage_hole" else cfg.benign_per_kind
        for j in range(count):
            port = int(hole_ports[j % len(hole_ports)]) if kind == "coverage_hole" else int(rng.choice(open_ports))
            add(kind, list(UNIT_CLASSES[kind]), port=port, t_event_s=float(rng.uniform(0.25, 0.55) * H))
    names = list(BACKGROUND_MIX)
    p = np.asarray(list(BACKGROUND_MIX.values()))
    n_bg = max(0, cfg.vessels - len(classes))
    for cls in rng.choice(names, n_bg, p=p / p.sum()):
        add("background", [str(cls)])
    classes = [str(rng.choice(TANKER_CLASSES, p=TANKER_WEIGHTS)) if c == "tanker" else str(c) for c in classes]

    holes = []
    for u in units:
        if u.kind == "coverage_hole":
            t0 = u.params["t_event_s"]
            holes.append(CoverageHole(float(routes.lat[u.params["port"]]), float(routes.lon[u.params["port"]]),
                                      40_000.0, t0, t0 + float(rng.uniform(7.5, 10.0)) * 3600.0))
    registry, extra = _registry(rng, classes, units)
    _add_late_units(cfg, units, registry, extra, fresh_spot)
    bbox = cfg.area or (-180.0, -80.0, 180.0, 80.0)
    margin = 3.0 if cfg.area else 0.0
    reception = ReceptionModel(cfg.seed, (bbox[0] - margin, bbox[1] - margin, bbox[2] + margin, bbox[3] + margin),
                               cfg.downsample_s, holes)
    return Scenario(cfg, routes, reception, units, registry, extra, spots)


def _add_late_units(cfg: Config, units: list[Unit], registry: dict[str, np.ndarray], extra: dict[int, dict],
                    fresh_spot) -> None:
    """Append the late planted kinds: own generator, own hulls after all others (see presets)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([cfg.seed, 2])))
    H = cfg.hours * 3600.0
    first_hull, late = len(registry["hull_id"]), []
    for kind in LATE_PLANTED_KINDS:
        for _ in range(cfg.planted_per_kind):
            params = {"t_event_s": float(rng.uniform(0.25, 0.55) * H), "spot": fresh_spot(None, rng)}
            late.append(Unit(len(units) + len(late), kind, [len(late)], params))
    if not late:
        return
    classes = [str(c) for c in rng.choice(TANKER_CLASSES, len(late), p=TANKER_WEIGHTS)]
    taken = {int(m) for m in registry["mmsi"]} | {int(e["mmsi"]) for e in extra.values() if "mmsi" in e}
    rows, _ = _registry(rng, classes, late, taken, registry["imo"])
    rows["hull_id"] = rows["hull_id"] + first_hull
    for key in registry:
        registry[key] = np.concatenate([registry[key], rows[key]])
    for u in late:
        u.vessels = [v + first_hull for v in u.vessels]
    units.extend(late)


def _offshore_spots(cfg: Config) -> np.ndarray:
    v = marnet_vertices()
    if cfg.area:
        w, s, e, n = cfg.area
        v = v[(v[:, 0] > s) & (v[:, 0] < n) & (v[:, 1] > w) & (v[:, 1] < e)]
    far = (distance_to_port_m(v[:, 0], v[:, 1]) > 30_000) & (np.abs(v[:, 0]) < MAX_ABS_LAT)
    return v[far]


def _registry(rng: np.random.Generator, classes: list[str], units: list[Unit], taken: set[int] | None = None,
              taken_imos: np.ndarray | None = None):
    n = len(classes)
    cls = np.asarray(classes)
    planted = np.zeros(n, dtype=bool)
    shadow = np.zeros(n, dtype=bool)
    for u in units:
        if u.kind in PLANTED_KINDS or u.kind in LATE_PLANTED_KINDS:
            planted[u.vessels] = True
            shadow[u.vessels] = u.kind.startswith(("dark_sts", "spoof", "identity")) or rng.random() < 0.3
    flags = np.where(shadow, rng.choice(fleet.SHADOW_FLAGS, n), rng.choice(fleet.MAINSTREAM_FLAGS, n))
    taken = set() if taken is None else taken
    mmsi = fleet.make_mmsis(rng, flags, taken)
    imo = fleet.make_imos(rng, n, taken_imos)
    small = np.isin(cls, ["pleasure", "fishing", "tug"])
    imo = np.where(small, 0, imo)  # small craft have no IMO number
    owners = fleet.make_companies(rng, n)
    managers = fleet.make_companies(rng, n)
    length = np.array([rng.uniform(*fleet.CLASSES[c].length_m) for c in classes]).round()
    width = np.array([rng.uniform(*fleet.CLASSES[c].width_m) for c in classes]).round()
    reg = {
        "hull_id": np.arange(n), "vessel_class": cls, "flag": flags, "mmsi": mmsi, "imo": imo,
        "name": fleet.make_names(rng, n), "callsign": fleet.make_callsigns(rng, n),
        "owner": owners, "manager": managers, "length_m": length, "width_m": width,
        "ship_type": np.array([fleet.CLASSES[c].ship_type for c in classes]),
        "sanctioned": shadow & (rng.random(n) < 0.6),
    }
    extra: dict[int, dict] = {}
    for u in units:
        v = u.vessels[0]
        if u.kind == "identity_reflag":
            flag = str(rng.choice([f for f in fleet.SHADOW_FLAGS if f != flags[v]]))
            extra[v] = {"flag": flag, "mmsi": int(fleet.make_mmsis(rng, np.array([flag]), taken)[0]),
                        "callsign": str(fleet.make_callsigns(rng, 1)[0])}
        elif u.kind == "identity_rename":
            extra[v] = {"name": str(fleet.make_names(rng, 1)[0])}
        elif u.kind == "identity_imo_invalid":
            extra[v] = {"imo": int(imo[v] // 10 * 10 + (imo[v] % 10 + 1 + rng.integers(8)) % 10)}
        elif u.kind == "identity_imo_borrowed":
            donors = np.flatnonzero((imo > 0) & ~planted & np.isin(cls, TANKER_CLASSES))
            donor = int(rng.choice(donors)) if donors.size else int((v + 1) % n)
            extra[v] = {"imo": int(imo[donor]), "donor_mmsi": int(mmsi[donor])}
    return reg, extra
