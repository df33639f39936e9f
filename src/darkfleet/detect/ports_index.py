"""Distance from many points to the nearest port or anchorage, without all pairs.

Ports are sorted by latitude. For a bounded search (a radius) each query only looks at the
candidate ports of its grid cell: a cell lists, in latitude order, every port that could pass
the latitude band and longitude window of some point inside it, so a point far from every port
costs one lookup (the sea is most of the map), and a point in port measures only its
neighbours, not every port of its latitude band. The per-point band and window tests are the
same as a scan of the whole band would apply, so the result is exactly the scan's. An unbounded
search (``max_m=inf``) scans every port, which is fine for the few thousand events it serves.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from numba import njit, prange

from darkfleet.detect.geo import M_PER_DEG_LAT, haversine_scalar_m

# cells at least this many degrees on a side: ~1 M cells of the globe (8 MB of offsets) at most
MIN_CELL_DEG = 0.25


@njit(cache=True, inline="always")
def _band_lon_deg(lat, band_deg):  # pragma: no cover - numba
    """Half-width in longitude of the window around a point at ``lat`` (wider towards the poles;
    every longitude once the band reaches a pole's cap)."""
    if abs(lat) + band_deg >= 89.9:
        return 360.0
    return band_deg / math.cos(math.radians(abs(lat) + band_deg))


@njit(cache=True, inline="always")
def _scan(qlat, qlon, plat, plon, rows, a, b, max_m, band_deg):  # pragma: no cover - numba
    """(distance, port) of the nearest port among ``rows[a:b]`` (ascending port rows) that is
    in the point's latitude band and longitude window and within ``max_m``; (inf, -1) if none."""
    band_lon = _band_lon_deg(qlat, band_deg)
    best = max_m
    found = -1
    for k in range(a, b):
        p = rows[k]
        if not (qlat - band_deg <= plat[p] <= qlat + band_deg):
            continue
        dlon = abs(qlon - plon[p])
        if min(dlon, 360.0 - dlon) > band_lon:
            continue
        d = haversine_scalar_m(qlat, qlon, plat[p], plon[p])
        if d <= best:
            best = d
            found = p
    return (best if found >= 0 else np.inf), found


@njit(cache=True, parallel=True, nogil=True)  # nogil: another stage's thread runs meanwhile
def _nearest_scan_kernel(qlat, qlon, plat, plon, every_port, max_m, band_deg):  # pragma: no cover - numba
    """Every query against the ports of its latitude band (a binary search bounds the band)."""
    n = qlat.shape[0]
    dist = np.full(n, np.inf)
    idx = np.full(n, -1, dtype=np.int64)
    for i in prange(n):  # independent queries: both cores
        lo = np.searchsorted(plat, qlat[i] - band_deg, side="left")
        hi = np.searchsorted(plat, qlat[i] + band_deg, side="right")
        dist[i], idx[i] = _scan(qlat[i], qlon[i], plat, plon, every_port, lo, hi, max_m, band_deg)
    return dist, idx


@njit(cache=True, parallel=True, nogil=True)
def _nearest_cell_kernel(qlat, qlon, plat, plon, every_port, max_m, band_deg, cell_lat_deg, cell_lon_deg, n_cols,
                         offsets, cell_ports):  # pragma: no cover - numba
    """Every query against the candidate ports of its cell."""
    n = qlat.shape[0]
    dist = np.full(n, np.inf)
    idx = np.full(n, -1, dtype=np.int64)
    for i in prange(n):
        lat, lon = qlat[i], qlon[i]
        if -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0:
            cell = int((lat + 90.0) / cell_lat_deg) * n_cols + int((lon + 180.0) / cell_lon_deg) % n_cols
            if offsets[cell] < offsets[cell + 1]:
                dist[i], idx[i] = _scan(lat, lon, plat, plon, cell_ports, offsets[cell], offsets[cell + 1], max_m, band_deg)
        else:  # not a position (NaN, out of range): no cell holds it, the band scan decides
            lo = np.searchsorted(plat, lat - band_deg, side="left")
            hi = np.searchsorted(plat, lat + band_deg, side="right")
            dist[i], idx[i] = _scan(lat, lon, plat, plon, every_port, lo, hi, max_m, band_deg)
    return dist, idx


@njit(cache=True)
def _port_cells(plat, plon, band_deg, cell_lat_deg, cell_lon_deg, n_rows, n_cols):  # pragma: no cover - numba
    """(offsets, ports): per cell (row-major, rows of latitude from -90), the ports that could
    pass the band and window tests of a point in it, in port-row order. One cell of margin on
    every side absorbs rounding at cell edges."""
    offsets = np.zeros(n_rows * n_cols + 1, dtype=np.int64)  # counts at cell + 1 first, then the cursors
    ports = np.empty(0, dtype=np.int64)
    for fill in range(2):
        if fill:
            offsets = np.cumsum(offsets)
            ports = np.empty(offsets[-1], dtype=np.int64)
        for p in range(plat.shape[0]):
            r0 = max(int(math.floor((plat[p] - band_deg + 90.0) / cell_lat_deg)) - 1, 0)
            r1 = min(int(math.floor((plat[p] + band_deg + 90.0) / cell_lat_deg)) + 1, n_rows - 1)
            for r in range(r0, r1 + 1):
                # the widest window of any point in the row
                edge = max(abs(-90.0 + r * cell_lat_deg), abs(-90.0 + (r + 1) * cell_lat_deg))
                half = _band_lon_deg(min(edge, 90.0), band_deg)
                c0 = int(math.floor((plon[p] - half + 180.0) / cell_lon_deg)) - 1
                c1 = int(math.floor((plon[p] + half + 180.0) / cell_lon_deg)) + 1
                if c1 - c0 + 1 >= n_cols:
                    c0, c1 = 0, n_cols - 1
                for c in range(c0, c1 + 1):
                    cell = r * n_cols + c % n_cols
                    if fill:
                        ports[offsets[cell]] = p
                        offsets[cell] += 1  # ends as the next cell's start
                    else:
                        offsets[cell + 1] += 1
    offsets[1:] = offsets[:-1].copy()
    offsets[0] = 0
    return offsets, ports


class PortIndex:
    """Nearest-port lookups over a port frame (``darkfleet.ports.PORT_COLUMNS``)."""

    def __init__(self, ports: pl.DataFrame) -> None:
        self.ports = ports.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null()).sort("lat")
        self._lat = np.ascontiguousarray(self.ports["lat"].to_numpy(), dtype=np.float64)
        self._lon = np.ascontiguousarray(self.ports["lon"].to_numpy(), dtype=np.float64)
        self._every_port = np.arange(self._lat.size, dtype=np.int64)
        self._cells: dict[float, tuple[float, float, int, np.ndarray, np.ndarray]] = {}

    @classmethod
    def default(cls, extra_files: tuple[str, ...] = ()) -> "PortIndex":
        from darkfleet.ports import load_ports

        return cls(load_ports(list(extra_files)))

    def nearest(self, lat, lon, max_m: float = math.inf) -> tuple[np.ndarray, np.ndarray]:
        """(distance in metres, port row index) per query point; inf / -1 beyond ``max_m``."""
        qlat = np.ascontiguousarray(lat, dtype=np.float64)
        qlon = np.ascontiguousarray(lon, dtype=np.float64)
        if qlat.size == 0 or self._lat.size == 0:
            return np.full(qlat.size, np.inf), np.full(qlat.size, -1, dtype=np.int64)
        if not math.isfinite(max_m):
            return _nearest_scan_kernel(qlat, qlon, self._lat, self._lon, self._every_port, float(max_m), 1000.0)
        band_deg = float(max_m) / M_PER_DEG_LAT * 1.001
        return _nearest_cell_kernel(qlat, qlon, self._lat, self._lon, self._every_port, float(max_m), band_deg,
                                    *self._port_cells(band_deg))

    def _port_cells(self, band_deg: float) -> tuple[float, float, int, np.ndarray, np.ndarray]:
        """(cell height, cell width, columns, offsets, ports) for one search radius, built once (a
        run asks with one or two radii). Columns divide 360 degrees exactly, so a window crossing
        the antimeridian wraps onto the right cells."""
        if band_deg not in self._cells:
            cell_lat_deg = max(2 * band_deg, MIN_CELL_DEG)
            n_rows, n_cols = int(180.0 / cell_lat_deg) + 1, max(1, int(360.0 / cell_lat_deg))
            cell_lon_deg = 360.0 / n_cols
            offsets, ports = _port_cells(self._lat, self._lon, band_deg, cell_lat_deg, cell_lon_deg, n_rows, n_cols)
            self._cells[band_deg] = (cell_lat_deg, cell_lon_deg, n_cols, offsets, ports)
        return self._cells[band_deg]

    def distance_m(self, lat, lon, max_m: float = math.inf) -> np.ndarray:
        return self.nearest(lat, lon, max_m)[0]

    def names(self, index: np.ndarray) -> list[str | None]:
        """Port names for row indices from :meth:`nearest` (None for -1)."""
        names = self.ports["name"].to_list()
        return [names[i] if i >= 0 else None for i in index]
