"""Vectorised great-circle geometry and the spatial hash used to find nearby vessels.

Distances use the haversine formula on a sphere of radius 6,371,008.8 m (IUGG mean): the
error against WGS-84 (< 0.5 %) is far below AIS position noise at the 500 m scale.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from numba import njit

from darkfleet.detect.runs import grown

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


@njit(cache=True, nogil=True, inline="always")
def _emit_close(k, lo, hi, order, group, lat, lon, max_m, pairs, dist, n_out):  # pragma: no cover - numba
    """Pairs of sorted row ``k`` with the sorted rows ``lo:hi`` of a higher group within ``max_m``
    (``group``, ``lat`` and ``lon`` in sorted order: the candidates are read contiguously; the
    pairs are emitted as input rows ``order[k]``, ``order[m]``)."""
    # a great circle is never shorter than its difference of latitude: candidates farther apart
    # than that (with a margin far above rounding) are skipped before the trigonometry
    max_dlat_deg = max_m * (1.0 + 1e-6) / M_PER_DEG_LAT
    for m in range(lo, hi):
        if group[k] < group[m] and abs(lat[k] - lat[m]) <= max_dlat_deg:
            d = haversine_scalar_m(lat[k], lon[k], lat[m], lon[m])
            if d <= max_m:
                pairs, dist = grown(pairs, n_out + 1), grown(dist, n_out + 1)
                pairs[0, n_out], pairs[1, n_out], dist[0, n_out] = order[k], order[m], d
                n_out += 1
    return pairs, dist, n_out


@njit(cache=True, nogil=True)
def _close_pair_kernel(instants, sorted_key, order, dy, dx, group, lat, lon, max_m):  # pragma: no cover - numba
    """Pairs of rows (a, b) and their distance, at most ``max_m`` apart: for every sorted row
    (every array but ``order`` is in sorted order; ``order[k]`` is sorted row k's input row),
    the rows of a higher ``group`` in the same instant (sorted rows ``instants[r]:instants[r +
    1]``, by cell key: row of cells, then column) whose cell is its own or one of the 3 at its
    nearest corner. Within an instant the cells are runs of equal keys: the own cell and its
    neighbour in the same row of cells are the adjacent runs, and the row of cells above and
    the one below are found by two pointers that only move forward."""
    pairs = np.empty((2, 1024), np.int64)
    dist = np.empty((1, 1024))
    n_out = 0
    cell_end = np.empty(sorted_key.shape[0], np.int64)
    row_step = np.int64(1) << 32
    for r in range(instants.shape[0] - 1):
        lo_t, hi_t = instants[r], instants[r + 1]
        for k in range(hi_t - 1, lo_t - 1, -1):
            cell_end[k] = cell_end[k + 1] if k + 1 < hi_t and sorted_key[k + 1] == sorted_key[k] else k + 1
        below, above = lo_t, lo_t  # first rows at or past (row - 1, column - 1) and (row + 1, column - 1)
        cell_lo, prev_cell_lo = lo_t, lo_t
        for k in range(lo_t, hi_t):
            key = sorted_key[k]
            if key != sorted_key[cell_lo]:
                prev_cell_lo, cell_lo = cell_lo, k
            pairs, dist, n_out = _emit_close(k, cell_lo, cell_end[k], order, group, lat, lon, max_m, pairs, dist, n_out)
            if dx[k] > 0:
                m = cell_end[k]
                if m < hi_t and sorted_key[m] == key + 1:
                    pairs, dist, n_out = _emit_close(k, m, cell_end[m], order, group, lat, lon, max_m, pairs, dist, n_out)
            elif cell_lo > lo_t and sorted_key[cell_lo - 1] == key - 1:
                pairs, dist, n_out = _emit_close(k, prev_cell_lo, cell_lo, order, group, lat, lon, max_m, pairs, dist,
                                                 n_out)
            first = key + dy[k] * row_step - 1  # (row + dy, column - 1)
            if dy[k] < 0:
                while below < hi_t and sorted_key[below] < first:
                    below += 1
                m = below
            else:
                while above < hi_t and sorted_key[above] < first:
                    above += 1
                m = above
            # the two wanted cells of that row: (column, column + dx), adjacent runs
            for column in range(-1, 2):
                if m < hi_t and sorted_key[m] == first + 1 + column:
                    if column == 0 or column == dx[k]:
                        pairs, dist, n_out = _emit_close(k, m, cell_end[m], order, group, lat, lon, max_m, pairs, dist,
                                                         n_out)
                    m = cell_end[m]
    return pairs[0, :n_out], pairs[1, :n_out], dist[0, :n_out]


def close_row_pairs(lat, lon, t_us, group, max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row pairs (a, b) at the same instant, ``group[a] < group[b]``, at most ``max_m`` apart,
    and their distance.

    Candidates come from a spatial hash: with cells at least twice the search distance wide
    (2.2x), a point's neighbours within that distance can only lie in its own cell or the 3 at
    its nearest corner, so every close pair of different groups is measured, never all pairs.
    Rows are ordered by (instant, cell) once; each row then finds its 4 cells among the rows
    of its instant without a search, one pass (one thread: stages run side by side instead)."""
    lat_deg, lon_deg = cell_size_deg(2.2 * max_m, float(np.abs(lat).max()) if len(lat) else 0.0)
    fy = lat / lat_deg
    fx = lon / lon_deg
    cy = np.floor(fy).astype(np.int64)
    cx = np.floor(fx).astype(np.int64)
    dy = np.where(fy - cy < 0.5, -1, 1).astype(np.int64)
    dx = np.where(fx - cx < 0.5, -1, 1).astype(np.int64)
    key = ((cy + _CELL_OFFSET) << 32) | (cx + _CELL_OFFSET)
    order = np.lexsort((key, t_us))
    sorted_t = t_us[order]
    instants = np.concatenate([[0], np.flatnonzero(np.diff(sorted_t)) + 1, [len(order)]]).astype(np.int64)
    # sorted copies (also one Numba signature whether Polars shared its buffers read-only or not):
    # the kernel reads each instant's cells contiguously instead of jumping through ``order``
    return _close_pair_kernel(instants, key[order], order, dy[order], dx[order],
                              np.asarray(group, dtype=np.int64)[order], np.asarray(lat, dtype=np.float64)[order],
                              np.asarray(lon, dtype=np.float64)[order], float(max_m))
