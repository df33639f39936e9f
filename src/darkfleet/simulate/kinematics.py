"""Sample a plan's keyframes at arbitrary message times (vectorised over all times of a vessel)."""

from __future__ import annotations

import numpy as np

from darkfleet.simulate.geo import KN_TO_MPS, bearing_deg, haversine_m, lon_step, wrap_lon


def segment_kinematics(k: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Speed (kn) and course (deg) of each keyframe segment; the last keyframe holds station."""
    dt = np.diff(k["t"])
    dist = haversine_m(k["lat"][:-1], k["lon"][:-1], k["lat"][1:], k["lon"][1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        sog = np.where(dt > 0, dist / np.where(dt > 0, dt, 1.0) / KN_TO_MPS, 0.0)
    cog = bearing_deg(k["lat"][:-1], k["lon"][:-1], k["lat"][1:], k["lon"][1:])
    # A moving segment's course carries over to zero-length keyframes that follow it.
    return np.r_[sog, 0.0], np.r_[cog, cog[-1] if cog.size else 0.0]


def sample(k: dict[str, np.ndarray], times_s: np.ndarray) -> dict[str, np.ndarray]:
    """Position and state at ``times_s`` by linear interpolation between keyframes."""
    t = k["t"]
    idx = np.clip(np.searchsorted(t, times_s, side="right") - 1, 0, len(t) - 1)
    nxt = np.minimum(idx + 1, len(t) - 1)
    span = t[nxt] - t[idx]
    frac = np.where(span > 0, (times_s - t[idx]) / np.where(span > 0, span, 1.0), 0.0)
    frac = np.clip(frac, 0.0, 1.0)
    lat = k["lat"][idx] + frac * (k["lat"][nxt] - k["lat"][idx])
    lon = k["lon"][idx] + frac * lon_step(k["lon"][idx], k["lon"][nxt])
    sog, cog = segment_kinematics(k)
    return {
        "lat": lat,
        "lon": wrap_lon(lon),
        "sog_kn": sog[idx],
        "cog_deg": cog[idx],
        "status": k["status"][idx],
        "draught_m": k["draught_m"][idx],
        "seg": idx,
    }


def turning(k: dict[str, np.ndarray], minute_start_s: np.ndarray) -> np.ndarray:
    """True where the course changes by more than 5 degrees within the minute (ITU 'changing course')."""
    a = sample(k, minute_start_s)["cog_deg"]
    b = sample(k, minute_start_s + 60.0)["cog_deg"]
    return np.abs(((b - a) + 180.0) % 360.0 - 180.0) > 5.0
