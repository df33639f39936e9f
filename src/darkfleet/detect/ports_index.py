"""Distance from many points to the nearest port or anchorage, without all pairs.

Ports are sorted by latitude; each query only scans the ports whose latitude is within the
search radius (a binary search bounds the band), in a parallel Numba kernel. An unbounded search
(``max_m=inf``) scans every port, which is fine for the few thousand events it serves.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from numba import njit, prange

from darkfleet.detect.geo import M_PER_DEG_LAT, haversine_scalar_m


@njit(cache=True, parallel=True, nogil=True)  # nogil: another stage's thread runs meanwhile
def _nearest_kernel(qlat, qlon, plat, plon, max_m, band_deg):  # pragma: no cover - numba
    n = qlat.shape[0]
    dist = np.full(n, np.inf)
    idx = np.full(n, -1, dtype=np.int64)
    for i in prange(n):  # independent queries: both cores
        lo = np.searchsorted(plat, qlat[i] - band_deg, side="left")
        hi = np.searchsorted(plat, qlat[i] + band_deg, side="right")
        # the latitude band spans every longitude: skip ports outside the longitude window cheaply
        band_lon = band_deg / max(math.cos(math.radians(min(abs(qlat[i]) + band_deg, 89.9))), 1e-6)
        best = max_m
        for p in range(lo, hi):
            dlon = abs(qlon[i] - plon[p])
            if min(dlon, 360.0 - dlon) > band_lon:
                continue
            d = haversine_scalar_m(qlat[i], qlon[i], plat[p], plon[p])
            if d <= best:
                best = d
                idx[i] = p
        if idx[i] >= 0:
            dist[i] = best
    return dist, idx


class PortIndex:
    """Nearest-port lookups over a port frame (``darkfleet.ports.PORT_COLUMNS``)."""

    def __init__(self, ports: pl.DataFrame) -> None:
        self.ports = ports.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null()).sort("lat")
        self._lat = np.ascontiguousarray(self.ports["lat"].to_numpy(), dtype=np.float64)
        self._lon = np.ascontiguousarray(self.ports["lon"].to_numpy(), dtype=np.float64)

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
        band_deg = float(max_m) / M_PER_DEG_LAT * 1.001 if math.isfinite(max_m) else 1000.0
        return _nearest_kernel(qlat, qlon, self._lat, self._lon, float(max_m), band_deg)

    def distance_m(self, lat, lon, max_m: float = math.inf) -> np.ndarray:
        return self.nearest(lat, lon, max_m)[0]

    def names(self, index: np.ndarray) -> list[str | None]:
        """Port names for row indices from :meth:`nearest` (None for -1)."""
        names = self.ports["name"].to_list()
        return [names[i] if i >= 0 else None for i in index]
