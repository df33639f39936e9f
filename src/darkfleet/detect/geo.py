"""Vectorised great-circle geometry and the spatial hash used to find nearby vessels.

Distances use the haversine formula on a sphere of radius 6,371,008.8 m (IUGG mean): the
error against WGS-84 (< 0.5 %) is far below AIS position noise at the 500 m scale.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from numba import njit, prange

EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG_LAT = EARTH_RADIUS_M * math.pi / 180.0
M_PER_NM = 1852.0


@njit(cache=True, fastmath=True, nogil=True)
def haversine_scalar_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (Numba scalar, for sequential kernels)."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def haversine_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in metres, element-wise over NumPy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def haversine_expr(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    """Great-circle distance in metres as a Polars expression (stays in the query engine)."""
    p1, p2 = lat1.radians(), lat2.radians()
    dl = (lon2 - lon1).radians()
    a = ((p2 - p1) / 2).sin() ** 2 + p1.cos() * p2.cos() * (dl / 2).sin() ** 2
    return 2 * EARTH_RADIUS_M * a.sqrt().clip(upper_bound=1.0).arcsin()


# no fastmath: between two equal points the bearing must come out exactly 0 (atan2(0, 0)), not
# the direction of a fused multiply-add's rounding residue
@njit(cache=True, nogil=True)
def bearing_scalar_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial great-circle bearing in degrees [0, 360) from point 1 to point 2 (Numba scalar)."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


def cell_size_deg(min_cell_m: float, max_abs_lat_deg: float) -> tuple[float, float]:
    """(lat, lon) cell size in degrees so every cell is at least ``min_cell_m`` wide up to
    ``max_abs_lat_deg`` (longitude degrees shrink towards the poles; clamped at 85 deg)."""
    lat_deg = min_cell_m / M_PER_DEG_LAT
    lon_deg = lat_deg / math.cos(math.radians(min(abs(max_abs_lat_deg), 85.0)))
    return lat_deg, lon_deg


_CELL_OFFSET = 1 << 30  # cell indices shifted positive so that (row, column) packs into one int64


@njit(cache=True)
def _corner_pairs(k, lo_t, hi_t, sorted_key, order, cy, cx, dy, dx, group, do_fill, at, out_a, out_b):  # pragma: no cover - numba
    """Partners of sorted row ``k`` (counted, or written from ``at`` on): rows of a higher
    ``group`` in the same instant (sorted rows ``lo_t:hi_t``) whose home cell is ``k``'s home
    cell or one of the 3 at its nearest corner."""
    i = order[k]
    count = 0
    for oy in range(2):
        for ox in range(2):
            key = ((cy[i] + oy * dy[i] + _CELL_OFFSET) << 32) | (cx[i] + ox * dx[i] + _CELL_OFFSET)
            lo = lo_t + np.searchsorted(sorted_key[lo_t:hi_t], key, side="left")
            hi = lo_t + np.searchsorted(sorted_key[lo_t:hi_t], key, side="right")
            for m in range(lo, hi):
                j = order[m]
                if group[i] < group[j]:
                    if do_fill:
                        out_a[at + count] = i
                        out_b[at + count] = j
                    count += 1
    return count


@njit(cache=True, parallel=True)
def _corner_pair_counts(instants, sorted_key, order, cy, cx, dy, dx, group):  # pragma: no cover - numba
    counts = np.zeros(order.shape[0], dtype=np.int64)
    no = np.empty(0, np.int64)
    for r in prange(instants.shape[0] - 1):  # instants are independent: both cores
        for k in range(instants[r], instants[r + 1]):
            counts[k] = _corner_pairs(k, instants[r], instants[r + 1], sorted_key, order, cy, cx, dy, dx, group, False, 0, no, no)
    return counts


@njit(cache=True, parallel=True)
def _corner_pair_fill(instants, sorted_key, order, cy, cx, dy, dx, group, offsets, out_a, out_b):  # pragma: no cover - numba
    for r in prange(instants.shape[0] - 1):
        for k in range(instants[r], instants[r + 1]):
            _corner_pairs(k, instants[r], instants[r + 1], sorted_key, order, cy, cx, dy, dx, group, True, offsets[k], out_a, out_b)


def near_corner_pairs(lat, lon, t_us, group, lat_deg: float, lon_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs (a, b) at the same instant, ``group[a] < group[b]``, with b's cell being a's
    cell or one of the 3 cells at a's nearest corner.

    With cells at least twice the search distance wide, a point's neighbours within that
    distance can only lie in those 4 cells, so every close pair of different groups is a
    candidate, never all pairs. Rows are ordered by (instant, cell) once; each row then
    binary-searches its 4 cells among the rows of its instant, instants in parallel (a count
    pass, then a fill pass)."""
    fy = lat / lat_deg
    fx = lon / lon_deg
    cy = np.floor(fy).astype(np.int64)
    cx = np.floor(fx).astype(np.int64)
    dy = np.where(fy - np.floor(fy) < 0.5, -1, 1).astype(np.int64)
    dx = np.where(fx - np.floor(fx) < 0.5, -1, 1).astype(np.int64)
    key = ((cy + _CELL_OFFSET) << 32) | (cx + _CELL_OFFSET)
    order = np.lexsort((key, t_us))
    sorted_t = t_us[order]
    instants = np.concatenate([[0], np.flatnonzero(np.diff(sorted_t)) + 1, [len(order)]]).astype(np.int64)
    # a private copy: one Numba signature whether Polars shared its buffer read-only or not
    args = (instants, key[order], order, cy, cx, dy, dx, np.array(group, dtype=np.int64))
    counts = _corner_pair_counts(*args)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    a = np.empty(offsets[-1], np.int64)
    b = np.empty(offsets[-1], np.int64)
    _corner_pair_fill(*args, offsets[:-1], a, b)
    return a, b
