"""A vessel's planned trajectory: timed keyframes with the state that holds until the next one.

Behaviours build plans with a small per-vessel Python API (sail a path, hold station, switch AIS
off); :mod:`darkfleet.simulate.kinematics` then samples them at message times, vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from darkfleet.simulate.geo import KN_TO_MPS, haversine_m, offset, wrap_lon

# ITU-R M.1371 navigational status codes
UNDER_WAY = 0
AT_ANCHOR = 1
MOORED = 5
ENGAGED_IN_FISHING = 7


@dataclass
class Identity:
    """What the transponder broadcasts from ``from_s`` on (scenario seconds)."""

    from_s: float
    mmsi: int
    imo: int
    name: str
    callsign: str
    ship_type: int
    flag: str


@dataclass
class Plan:
    """Keyframes of one transmitter. State columns describe the segment starting at each keyframe."""

    vessel: int  # index into the registry (hull)
    ais_class: str
    length_m: float
    width_m: float
    t: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    status: list[int] = field(default_factory=list)
    draught_m: list[float] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    stays: list[dict] = field(default_factory=list)  # slow periods: port calls, anchorage, STS, loitering
    calls: list[dict] = field(default_factory=list)  # port calls (port index, lat, lon)
    spoof: list[dict] = field(default_factory=list)  # spoofing episodes applied after sampling
    dark: list[list] = field(default_factory=list)  # [t0, t1, cause]: AIS switched off
    visible_only: tuple[float, float] | None = None  # a second transmitter heard only in this window
    ghost: bool = False  # transmits another hull's identity (shared-MMSI spoofing)
    encounters: list[dict] = field(default_factory=list)  # alongside periods with another plan

    # -- building -------------------------------------------------------------------------------
    def start(self, t_s: float, lat: float, lon: float, status: int, draught_m: float) -> "Plan":
        self.keyframe(t_s, lat, lon, status, draught_m)
        return self

    @property
    def now(self) -> float:
        return self.t[-1]

    @property
    def here(self) -> tuple[float, float]:
        return self.lat[-1], self.lon[-1]

    def keyframe(self, t_s, lat, lon, status, draught_m) -> None:
        self.t.append(float(t_s))
        self.lat.append(float(lat))
        self.lon.append(float(lon))
        self.status.append(int(status))
        self.draught_m.append(float(draught_m))

    def set(self, *, status: int | None = None, draught_m: float | None = None) -> "Plan":
        """Change state from now on (a zero-length keyframe)."""
        self.keyframe(
            self.now,
            self.lat[-1],
            self.lon[-1],
            self.status[-1] if status is None else status,
            self.draught_m[-1] if draught_m is None else draught_m,
        )
        return self

    def sail(self, path: np.ndarray, speed_kn: float, status: int = UNDER_WAY) -> "Plan":
        """Sail the (lat, lon) polyline from the current position at ``speed_kn``."""
        lat0, lon0 = self.here
        # Keyframes keep longitudes in [-180, 180); interpolation takes the short way across 180.
        pts = np.vstack([[lat0, lon0], np.asarray(path, dtype=np.float64)])
        pts[:, 1] = wrap_lon(pts[:, 1])
        seg = haversine_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])
        times = self.now + np.cumsum(seg) / (speed_kn * KN_TO_MPS)
        self.status[-1] = status
        for tt, la, lo, d in zip(times, pts[1:, 0], pts[1:, 1], seg):
            if d > 0.5:
                self.keyframe(tt, la, lo, status, self.draught_m[-1])
        return self

    def hold(self, duration_s: float, status: int, rng: np.random.Generator, drift_m: float = 0.0) -> "Plan":
        """Stay put for ``duration_s``; at anchor the hull swings/drifts within ``drift_m`` of the spot."""
        lat0, lon0 = self.here
        self.status[-1] = status
        if drift_m <= 0:
            self.keyframe(self.now + duration_s, lat0, lon0, status, self.draught_m[-1])
            return self
        # Swinging at anchor: a slow walk every 20 min on a circle around the anchor.
        n = max(1, int(duration_s // 1200))
        times = self.now + np.linspace(duration_s / n, duration_s, n)
        ang = rng.uniform(0, 360) + np.cumsum(rng.normal(0, 25, n))
        rad = drift_m * np.sqrt(rng.uniform(0.2, 1.0, n))
        lat, lon = offset(lat0, lon0, ang, rad)
        for tt, la, lo in zip(times, lat, lon):
            self.keyframe(tt, la, lo, status, self.draught_m[-1])
        return self

    def stay(self, kind: str, duration_s: float, status: int, rng: np.random.Generator, drift_m: float = 0.0, **info) -> "Plan":
        """``hold`` and remember the slow period for the truth table."""
        t0 = self.now
        lat, lon = self.here
        self.hold(duration_s, status, rng, drift_m)
        self.stays.append({"kind": kind, "t0": t0, "t1": self.now, "lat": lat, "lon": lon, **info})
        return self

    def go_dark(self, cause: str) -> "Plan":
        self.dark.append([self.now, np.inf, cause])
        return self

    def go_live(self) -> "Plan":
        self.dark[-1][1] = self.now
        return self

    def shift(self, dt_s: float) -> "Plan":
        """Move the whole plan in time (behaviours build relative to an event, then anchor it)."""
        self.t = [x + dt_s for x in self.t]
        for rec in self.stays + self.calls:
            rec["t0"] += dt_s
            rec["t1"] += dt_s
        for rec in self.dark:
            rec[0] += dt_s
            rec[1] += dt_s
        return self

    def arrays(self) -> dict[str, np.ndarray]:
        t = np.asarray(self.t)
        if (np.diff(t) < 0).any():  # a behaviour scheduled something in the past: a simulator bug
            raise RuntimeError(f"plan of vessel {self.vessel} goes back in time at keyframe {int(np.argmin(np.diff(t)))}")
        return {
            "t": t,
            "lat": np.asarray(self.lat),
            "lon": np.asarray(self.lon),
            "status": np.asarray(self.status, dtype=np.int8),
            "draught_m": np.asarray(self.draught_m, dtype=np.float32),
        }
