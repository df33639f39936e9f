"""Which AIS transmissions reach a receiver, when, and through which station.

Model (numbers and sources in docs/simulator.md): reporting intervals per ITU-R M.1371-5 table 1
(Class A 2-10 s under way by speed and turn, 3 min at anchor/moored; Class B CS 30 s above 2 kn,
3 min below); terrestrial stations at the reference ports with a 40 NM range and a reception
probability falling with distance; hourly station outages; sparse satellite detection offshore;
planted coverage holes where nothing is received; clock jitter; optional one-per-minute
down-sampling (keeping the first received message of each minute, as NOAA publishes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from darkfleet.ports import searoute_ports
from darkfleet.simulate.geo import chord_to_m, haversine_m, to_unit_xyz
from darkfleet.simulate.kinematics import sample, turning

TERRESTRIAL_RANGE_M = 74_000.0  # 40 NM, typical VHF ship-to-shore range
TERRESTRIAL_FULL_M = 30_000.0  # near a station almost every slot is decoded
TERRESTRIAL_P_NEAR = 0.92
STATION_OUTAGE_P_PER_HOUR = 0.02
SAT_P = {"A": 0.03, "B": 0.01}  # per-message satellite detection (slot collisions over dense areas)
GRID_DEG = 0.1


@dataclass(frozen=True)
class CoverageHole:
    """Nothing is received within ``radius_m`` of the centre between t0_s and t1_s."""

    lat: float
    lon: float
    radius_m: float
    t0_s: float
    t1_s: float


@dataclass
class ReceptionModel:
    seed: int
    bbox: tuple[float, float, float, float]  # W, S, E, N of the station grid
    downsample_s: int | None = 60
    holes: list[CoverageHole] = field(default_factory=list)

    def __post_init__(self) -> None:
        ports = searoute_ports()
        self.station_names = np.array(["T-" + str(p) for p in ports["port_id"].to_list()], dtype=object)
        tree = cKDTree(to_unit_xyz(ports["lat"].to_numpy(), ports["lon"].to_numpy()))
        w, s, e, n = self.bbox
        self._lat0, self._lon0 = s, w
        lats = np.arange(s, n + GRID_DEG, GRID_DEG) + GRID_DEG / 2
        lons = np.arange(w, e + GRID_DEG, GRID_DEG) + GRID_DEG / 2
        self._shape = (len(lats), len(lons))
        glat, glon = np.meshgrid(lats, lons, indexing="ij")
        d, i = tree.query(to_unit_xyz(glat.ravel(), glon.ravel()), k=2)
        # Two nearest stations per grid cell: the second one gives duplicate receptions.
        self._dist = chord_to_m(d).astype(np.float32)
        self._station = i.astype(np.int32)

    def _cells(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = np.floor((lat - self._lat0) / GRID_DEG).astype(np.int64)
        c = np.floor((lon - self._lon0) / GRID_DEG).astype(np.int64)
        inside = (r >= 0) & (r < self._shape[0]) & (c >= 0) & (c < self._shape[1])
        return np.where(inside, r * self._shape[1] + c, 0), inside

    def station_probs(self, lat, lon, t_s):
        """Two nearest stations per message and the probability each decodes it (0 when down)."""
        cell, inside = self._cells(lat, lon)
        dist, station = self._dist[cell], self._station[cell]
        p = np.where(dist < TERRESTRIAL_FULL_M, TERRESTRIAL_P_NEAR,
                     TERRESTRIAL_P_NEAR * (TERRESTRIAL_RANGE_M - dist) / (TERRESTRIAL_RANGE_M - TERRESTRIAL_FULL_M))
        p = np.where(inside[:, None], np.clip(p, 0.0, 1.0), 0.0)
        hour = np.floor(t_s / 3600.0).astype(np.int64)
        up = _hash_uniform(self.seed, station, hour[:, None]) >= STATION_OUTAGE_P_PER_HOUR
        return station, np.where(up, p, 0.0)

    def terrestrial(self, lat, lon, t_s, u1, u2):
        """Station index receiving each message (-1: none) and a duplicating second station (-1: none)."""
        station, p = self.station_probs(lat, lon, t_s)
        got1 = u1 < p[:, 0]
        got2 = u2 < p[:, 1]
        first = np.where(got1, station[:, 0], np.where(got2, station[:, 1], -1))
        second = np.where(got1 & got2, station[:, 1], -1)
        return first, second

    def in_hole(self, lat, lon, t_s) -> np.ndarray:
        dark = np.zeros(len(lat), dtype=bool)
        for h in self.holes:
            live = (t_s >= h.t0_s) & (t_s < h.t1_s)
            if live.any():
                dark[live] |= haversine_m(lat[live], lon[live], h.lat, h.lon) < h.radius_m
        return dark


def _hash_uniform(seed: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A reproducible uniform in [0, 1) from integer keys (splitmix64), independent of chunking."""
    mixed_seed = np.uint64((int(seed) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)  # wraps like uint64
    x = mixed_seed ^ (a.astype(np.uint64) * np.uint64(0xBF58476D1CE4E5B9))
    x = x ^ (b.astype(np.uint64) * np.uint64(0x94D049BB133111EB))
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def report_interval_s(ais_class: str, sog_kn: np.ndarray, status: np.ndarray, turn: np.ndarray) -> np.ndarray:
    """ITU-R M.1371-5 table 1 (Class A) and Class B CS reporting intervals."""
    if ais_class == "B":
        return np.where(sog_kn > 2.0, 30.0, 180.0)
    moving = np.where(sog_kn > 23.0, 2.0, np.where(sog_kn > 14.0, np.where(turn, 2.0, 6.0), np.where(turn, 10.0 / 3.0, 10.0)))
    stopped = (status == 1) | (status == 5)
    return np.where(stopped & (sog_kn <= 3.0), 180.0, moving)


def transmitting(t_s: np.ndarray, dark: list, visible_only: tuple[float, float] | None) -> np.ndarray:
    """False while the transponder is switched off (deliberate gaps) or outside a ghost's window."""
    on = np.ones(t_s.size, dtype=bool)
    for t0, t1, _cause in dark:
        on &= ~((t_s >= t0) & (t_s < t1))
    if visible_only is not None:
        on &= (t_s >= visible_only[0]) & (t_s < visible_only[1])
    return on


def transmissions(model: ReceptionModel, k: dict, ais_class: str, hours: float, rng: np.random.Generator,
                  dark: list, visible_only: tuple[float, float] | None = None):
    """Times (s) and receiving stations (-2 = satellite) of every received position report of one
    transmitter, sorted by time; duplicates from a second station included."""
    first_min = max(0, int(np.floor(k["t"][0] / 60.0)))
    last_min = min(int(hours * 60), int(np.ceil(k["t"][-1] / 60.0)))
    minutes = np.arange(first_min, last_min, dtype=np.int64)
    if minutes.size == 0:
        return np.empty(0), np.empty(0, np.int64)
    m0 = minutes * 60.0
    state = sample(k, m0 + 30.0)
    interval = report_interval_s(ais_class, state["sog_kn"], state["status"], turning(k, m0))
    phase = rng.uniform(0.0, 180.0)
    per_min = 60.0 / interval
    # Slow reporters (3 min) transmit on one minute in three: the minute their SOTDMA slot falls in.
    n = np.where(per_min >= 1.0, np.floor(per_min), ((minutes + int(phase // 60)) % 3 == 0).astype(float))
    n = n.astype(np.int64)
    if model.downsample_s and 60 % model.downsample_s == 0:
        t, first, second, sat = _first_each_bucket(model, state, m0, n, interval, per_min, phase, ais_class, rng,
                                                   model.downsample_s)
    else:
        t, first, second, sat = _every_message(model, state, m0, n, interval, per_min, phase, ais_class, rng)
    got = transmitting(t, dark, visible_only) & (t >= 0) & (t < hours * 3600.0)
    t, first, second, sat = t[got], first[got], second[got], sat[got]
    station = np.where(sat, -2, first)
    has_dup = second >= 0
    t_all = np.r_[t, t[has_dup]]
    st_all = np.r_[station, second[has_dup]]
    order = np.argsort(t_all, kind="stable")
    return t_all[order], st_all[order]


def _every_message(model, state, m0, n, interval, per_min, phase, ais_class, rng):
    """Every transmission of the minute grid, each received (or not) on its own."""
    rep = np.repeat(np.arange(m0.size), n)
    k_in_min = np.arange(rep.size) - np.repeat(np.cumsum(n) - n, n)
    t = m0[rep] + np.where(per_min[rep] >= 1.0, (phase % interval[rep]) + k_in_min * interval[rep], phase % 60.0)
    lat, lon = state["lat"][rep], state["lon"][rep]
    u1, u2, u3 = rng.random(t.size), rng.random(t.size), rng.random(t.size)
    first, second = model.terrestrial(lat, lon, t, u1, u2)
    sat = (first < 0) & (u3 < SAT_P[ais_class])
    heard = ((first >= 0) | sat) & ~model.in_hole(lat, lon, t)
    if model.downsample_s:
        # Keep the first received message of each down-sampling bucket, like NOAA's one-per-minute files.
        bucket = np.floor(t / model.downsample_s).astype(np.int64)
        idx = np.flatnonzero(heard)
        heard[idx[np.r_[False, bucket[idx][1:] == bucket[idx][:-1]]]] = False
    return t[heard], first[heard], second[heard], sat[heard]


def _first_each_bucket(model, state, m0, n, interval, per_min, phase, ais_class, rng, bucket_s: int):
    """First received message per down-sampling bucket (a divisor of 60 s) without materialising
    every slot: the number of lost transmissions before the first received one is geometric, so
    it is drawn directly (same law as :func:`_every_message`, several times less work)."""
    sub = 60 // bucket_s
    if sub > 1:  # one row per bucket, carrying its minute's state
        idx = np.repeat(np.arange(m0.size), sub)
        j = np.tile(np.arange(sub), m0.size)
        state = {k: v[idx] for k, v in state.items()}
        m0, n, interval, per_min = m0[idx], n[idx], interval[idx], per_min[idx]
    else:
        j = np.zeros(m0.size, dtype=np.int64)
    fast = per_min >= 1.0
    off0 = np.where(fast, phase % interval, phase % 60.0)
    lo, hi = j * bucket_s, (j + 1) * bucket_s
    # Slots of this minute (offset off0 + k * interval, k < n) that fall inside the bucket.
    k0 = np.where(fast, np.clip(np.ceil((lo - off0) / interval), 0, n), 0)
    k1 = np.where(fast, np.clip(np.ceil((hi - off0) / interval), 0, n), np.where((off0 >= lo) & (off0 < hi), n, 0))
    slots = k1 - k0
    station, p = model.station_probs(state["lat"], state["lon"], m0 + 30.0)
    p_terr = 1.0 - (1.0 - p[:, 0]) * (1.0 - p[:, 1])
    p_any = 1.0 - (1.0 - p_terr) * (1.0 - SAT_P[ais_class])
    p_any = np.where(model.in_hole(state["lat"], state["lon"], m0 + 30.0), 0.0, p_any)
    u = rng.random((m0.size, 4))
    with np.errstate(divide="ignore", invalid="ignore"):
        lost = np.floor(np.log(u[:, 0]) / np.log1p(-np.minimum(p_any, 1.0 - 1e-12)))
    heard = (p_any > 0) & (lost < slots)
    lost = np.where(heard, lost, 0.0)
    t = m0 + np.where(fast, off0 + (k0 + lost) * interval, off0)
    by_land = u[:, 1] < p_terr / np.where(p_any > 0, p_any, 1.0)
    use_first = u[:, 2] < p[:, 0] / np.where(p_terr > 0, p_terr, 1.0)
    first = np.where(by_land, np.where(use_first, station[:, 0], station[:, 1]), -1)
    second = np.where(by_land & use_first & (u[:, 3] < p[:, 1]), station[:, 1], -1)
    sat = ~by_land
    return t[heard], first[heard], second[heard], sat[heard]
