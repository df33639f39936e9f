"""Track thinning for display: Douglas-Peucker at a tolerance tied to the map zoom.

Pure functions on NumPy arrays (no I/O). A silence is never simplified away: the fixes on
both sides of a gap are always kept, so the map can draw the gap dashed at every zoom.
"""

from __future__ import annotations

import numpy as np
from numba import njit

TILE_PX = 256
TOLERANCE_PX = 1.5  # below this a vertex change is invisible on screen


def tolerance_deg(zoom: int) -> float:
    """Degrees spanned by ``TOLERANCE_PX`` screen pixels at a web-map zoom level."""
    return 360.0 / (TILE_PX * 2.0**zoom) * TOLERANCE_PX


@njit(cache=True)
def _douglas_peucker(x: np.ndarray, y: np.ndarray, keep: np.ndarray, tolerance: float) -> None:
    # iterative (explicit stack) so a 100k-point track cannot overflow recursion
    n = x.size
    stack = np.empty((max(n, 2), 2), dtype=np.int64)
    top = 0
    stack[0, 0] = 0
    stack[0, 1] = n - 1
    top = 1
    while top > 0:
        top -= 1
        a = stack[top, 0]
        b = stack[top, 1]
        if b <= a + 1:
            continue
        dx = x[b] - x[a]
        dy = y[b] - y[a]
        norm = np.sqrt(dx * dx + dy * dy)
        worst = -1.0
        worst_i = -1
        for i in range(a + 1, b):
            if norm == 0.0:
                d = np.sqrt((x[i] - x[a]) ** 2 + (y[i] - y[a]) ** 2)
            else:
                d = abs(dy * (x[i] - x[a]) - dx * (y[i] - y[a])) / norm
            if d > worst:
                worst = d
                worst_i = i
        if worst > tolerance:
            keep[worst_i] = True
            stack[top, 0] = a
            stack[top, 1] = worst_i
            stack[top + 1, 0] = worst_i
            stack[top + 1, 1] = b
            top += 2


def simplify_mask(lon_deg: np.ndarray, lat_deg: np.ndarray, gap_before: np.ndarray, tolerance: float) -> np.ndarray:
    """Boolean mask of the points to keep; runs between gaps are simplified independently."""
    n = lon_deg.size
    keep = np.zeros(n, dtype=np.bool_)
    if n == 0:
        return keep
    # x is scaled by cos(lat) so the tolerance means the same distance east-west and north-south
    x = np.ascontiguousarray(lon_deg * np.cos(np.radians(np.nanmean(lat_deg))), dtype=np.float64)
    y = np.ascontiguousarray(lat_deg, dtype=np.float64)
    starts = np.r_[0, np.flatnonzero(gap_before)]
    ends = np.r_[starts[1:], n]
    for a, b in zip(starts, ends):  # one call per continuous run, not per point
        keep[a] = keep[b - 1] = True
        _douglas_peucker(x[a:b], y[a:b], keep[a:b], tolerance)
    return keep


def cap_mask(keep: np.ndarray, gap_before: np.ndarray, max_points: int) -> np.ndarray:
    """Thin ``keep`` evenly to at most ``max_points``, keeping first, last and gap-edge points."""
    idx = np.flatnonzero(keep)
    if idx.size <= max_points:
        return keep
    must = np.zeros(keep.size, dtype=np.bool_)
    must[[0, keep.size - 1]] = True
    gap_idx = np.flatnonzero(gap_before)
    must[gap_idx] = True
    must[gap_idx - 1] = True
    budget = max(max_points - int(must.sum()), 0)
    out = must.copy()
    if budget:
        pick = idx[np.linspace(0, idx.size - 1, budget).round().astype(np.int64)]
        out[pick] = True
    return out
