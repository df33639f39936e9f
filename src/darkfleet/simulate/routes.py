"""Sea routes between real ports along searoute's maritime network (marnet), cached per port pair.

Routes are computed once per (origin, destination) pair of a limited port set, so that tens of
thousands of vessels share a few hundred routing calls.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np
import polars as pl
from scipy.spatial import cKDTree

from darkfleet.errors import ConfigError
from darkfleet.ports import searoute_ports
from darkfleet.simulate.geo import chord_to_m, haversine_m, m_to_chord, offset, to_unit_xyz, bearing_deg

# Ports farther than this from any marnet vertex are river/inland ports: their approach could cross land.
MAX_PORT_TO_NETWORK_M = 25_000.0
IN_PORT_M = 10_000.0
MAX_ABS_LAT = 62.0  # docs/truth.md: "outside port" = farther than 10 km from every port point


@lru_cache(maxsize=1)
def marnet_vertices() -> np.ndarray:
    """Every vertex of searoute's maritime network as (lat, lon) rows."""
    data = json.loads(resources.files("searoute").joinpath("data/marnet_searoute.geojson").read_text())
    lines = []
    for f in data["features"]:
        g = f["geometry"]
        lines += g["coordinates"] if g["type"] == "MultiLineString" else [g["coordinates"]]
    coords = [c for line in lines for c in line]
    lonlat = np.unique(np.round(np.asarray(coords, dtype=np.float64), 6), axis=0)
    return lonlat[:, ::-1].copy()


@lru_cache(maxsize=1)
def _marnet_tree() -> cKDTree:
    v = marnet_vertices()
    return cKDTree(to_unit_xyz(v[:, 0], v[:, 1]))


@lru_cache(maxsize=1)
def _port_tree() -> tuple[cKDTree, np.ndarray]:
    ports = searoute_ports()
    lat, lon = ports["lat"].to_numpy(), ports["lon"].to_numpy()
    return cKDTree(to_unit_xyz(lat, lon)), np.column_stack([lat, lon])


def distance_to_network_m(lat, lon) -> np.ndarray:
    d, _ = _marnet_tree().query(to_unit_xyz(np.atleast_1d(lat), np.atleast_1d(lon)))
    return chord_to_m(d)


def distance_to_port_m(lat, lon) -> np.ndarray:
    """Distance to the nearest port of the shared reference set (``darkfleet.ports``)."""
    tree, _ = _port_tree()
    d, _ = tree.query(to_unit_xyz(np.atleast_1d(lat), np.atleast_1d(lon)))
    return chord_to_m(d)


def ports_within(lat, lon, radius_m: float) -> list[int]:
    tree, _ = _port_tree()
    return tree.query_ball_point(to_unit_xyz(np.atleast_1d(lat), np.atleast_1d(lon))[0], float(m_to_chord(radius_m)))


def select_ports(area: tuple[float, float, float, float] | None, n: int, rng: np.random.Generator) -> pl.DataFrame:
    """Up to ``n`` distinct ports inside ``area`` (W, S, E, N) that sit close to the sea network."""
    ports = searoute_ports().unique(subset=["lat", "lon"], keep="first", maintain_order=True)
    if area is not None:
        w, s, e, nn = area
        ports = ports.filter(pl.col("lat").is_between(s, nn) & pl.col("lon").is_between(w, e))
    ports = ports.filter(pl.col("lat").abs() < MAX_ABS_LAT)  # ice-bound Arctic/Antarctic routes
    # The Caspian Sea is not connected to the ocean network.
    ports = ports.filter(~(pl.col("lon").is_between(46.0, 55.5) & pl.col("lat").is_between(36.0, 47.5)))
    lat, lon = ports["lat"].to_numpy(), ports["lon"].to_numpy()
    ports = ports.filter(pl.Series(distance_to_network_m(lat, lon) < MAX_PORT_TO_NETWORK_M))
    # Ports closer than 15 km to an already chosen one would merge into one harbour.
    order = rng.permutation(ports.height)
    keep: list[int] = []
    lat, lon = ports["lat"].to_numpy(), ports["lon"].to_numpy()
    for i in order:
        if keep and haversine_m(lat[i], lon[i], lat[keep], lon[keep]).min() < 15_000:
            continue
        keep.append(int(i))
        if len(keep) == n:
            break
    if len(keep) < 2:
        raise ConfigError(f"area {area} holds fewer than 2 usable ports; choose a larger --area", area=area)
    return ports[sorted(keep)]


def push_offshore(lat: float, lon: float, min_port_m: float = 15_000.0) -> tuple[float, float]:
    """Move a spot straight away from the nearest port until it is ``min_port_m`` from every port."""
    tree, pts = _port_tree()
    for _ in range(20):
        d, i = tree.query(to_unit_xyz(np.atleast_1d(lat), np.atleast_1d(lon)))
        if chord_to_m(d)[0] >= min_port_m:
            break
        away = bearing_deg(pts[i[0], 0], pts[i[0], 1], lat, lon)
        lat, lon = (float(x) for x in offset(lat, lon, away, 3_000.0))
    return lat, lon


class RouteError(RuntimeError):
    """searoute's network has no path between two points (e.g. an enclosed sea)."""


class RouteCache:
    """Marnet paths between ports of one scenario, each computed once."""

    def __init__(self, ports: pl.DataFrame) -> None:
        self.lat = ports["lat"].to_numpy()
        self.lon = ports["lon"].to_numpy()
        self.names = ports["name"].to_list()
        self.ids = ports["port_id"].to_list()
        self._paths: dict[tuple[int, int], np.ndarray] = {}
        self._partners: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self.lat)

    def partner(self, i: int, rng: np.random.Generator) -> int:
        """A trading partner of port ``i``: a fixed set of nearby and distant ports per port,
        so the number of distinct routes (routing calls) stays small whatever the fleet size."""
        return int(rng.choice(self.partners_of(i)))

    def partners_of(self, i: int) -> list[int]:
        if i not in self._partners:
            d = haversine_m(self.lat[i], self.lon[i], self.lat, self.lon)
            near = [int(j) for j in np.argsort(d)[1:5]]
            own = np.random.Generator(np.random.PCG64(np.random.SeedSequence([len(self.lat), i])))
            far = [int(j) for j in own.choice(len(self.lat), size=min(4, len(self.lat)), replace=False) if j != i]
            self._partners[i] = [j for j in sorted(set(near + far)) if self._reachable(i, j)]
            if not self._partners[i]:
                raise RouteError(f"port {self.names[i]} has no sea route to any other port")
        return self._partners[i]

    def absorb(self, paths: dict, partners: dict) -> None:
        """Merge routes computed elsewhere (another process) into this cache."""
        self._paths.update(paths)
        self._partners.update(partners)

    def _reachable(self, i: int, j: int) -> bool:
        try:
            self.path(i, j)
        except RouteError:
            return False
        return True

    def path(self, i: int, j: int) -> np.ndarray:
        """(lat, lon) rows from port ``i`` to port ``j``: marnet vertices, ports at both ends.

        Always routed from the lower port index, so the cache content does not depend on
        which direction (or which process) asked first."""
        if i > j:
            return self.path(j, i)[::-1]
        if (i, j) not in self._paths:
            self._paths[(i, j)] = self._route((self.lat[i], self.lon[i]), (self.lat[j], self.lon[j]))
        return self._paths[(i, j)]

    def to_point(self, i: int, lat: float, lon: float) -> np.ndarray:
        """Port ``i`` to an offshore point (STS spot, loitering area); cached by rounded point."""
        key = (i, -1 - int(round(lat * 100)) * 100_000 - int(round(lon * 100)))
        if key not in self._paths:
            self._paths[key] = self._route((self.lat[i], self.lon[i]), (lat, lon))
        return self._paths[key]

    @staticmethod
    def _route(a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
        import searoute

        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "no path found": handled below
            feat = searoute.searoute([a[1], a[0]], [b[1], b[0]], restrictions=[])
        coords = np.asarray(feat["geometry"]["coordinates"], dtype=np.float64).reshape(-1, 2)[:, ::-1]
        if len(coords) == 0:
            raise RouteError(f"no sea route between {a} and {b}")
        path = np.vstack([[a], coords, [b]])
        # Drop repeated vertices so every segment has a length (bearings, speeds defined).
        step = np.r_[True, haversine_m(path[:-1, 0], path[:-1, 1], path[1:, 0], path[1:, 1]) > 1.0]
        return path[step]
