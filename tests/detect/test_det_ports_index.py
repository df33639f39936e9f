import math

import numpy as np
import polars as pl

from darkfleet.detect.geo import M_PER_DEG_LAT, haversine_m
from darkfleet.detect.ports_index import PortIndex, _nearest_scan_kernel


def _ports(rng, n):
    lat = np.concatenate([rng.uniform(-89.5, 89.5, n), [89.95, -89.9, 0.0, 0.05], rng.normal(50.0, 0.05, 40)])
    lon = np.concatenate([rng.uniform(-180, 180, n), [10.0, -170.0, 179.97, -179.98], rng.normal(0.0, 0.05, 40)])
    return pl.DataFrame({"port_id": [f"P{i}" for i in range(lat.size)], "name": [f"port {i}" for i in range(lat.size)],
                         "lat": lat, "lon": lon})


def test_cell_lookup_equals_the_band_scan_and_brute_force_everywhere():
    rng = np.random.default_rng(7)
    index = PortIndex(_ports(rng, 400))
    near = rng.integers(0, index._lat.size, 8_000)
    lat = np.concatenate([rng.uniform(-90, 90, 8_000), index._lat[near] + rng.normal(0, 0.1, near.size),
                          [90.0, -90.0, 89.99, 0.0, 0.0, 0.0, np.nan, 0.0, 95.0, 10.0]])
    lon = np.concatenate([rng.uniform(-180, 180, 8_000), index._lon[near] + rng.normal(0, 0.1, near.size),
                          [0.0, 180.0, -175.0, 180.0, -180.0, 179.999, 0.0, np.nan, 0.0, 200.0]])
    lon[8_000:16_000] = (lon[8_000:16_000] + 180.0) % 360.0 - 180.0
    for radius_m in (500.0, 10_000.0, 150_000.0, 3_000_000.0):
        dist, idx = index.nearest(lat, lon, radius_m)
        band_deg = radius_m / M_PER_DEG_LAT * 1.001
        scan = _nearest_scan_kernel(lat, lon, index._lat, index._lon, index._every_port, radius_m, band_deg)
        assert np.array_equal(dist, scan[0]) and np.array_equal(idx, scan[1]), radius_m
        assert (idx >= 0).sum() > 20
        ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        every = haversine_m(lat[ok, None], lon[ok, None], index._lat[None, :], index._lon[None, :]) if radius_m < 1e6 else None
        if every is not None:
            best = every.min(axis=1)
            within = best <= radius_m * (1 - 1e-9)
            assert np.array_equal(idx[ok][within], every.argmin(axis=1)[within])
            assert np.all(idx[ok][best > radius_m * (1 + 1e-9)] == -1)
            assert np.allclose(dist[ok][within], best[within], rtol=1e-9)


def test_unbounded_lookup_finds_the_nearest_port_anywhere():
    index = PortIndex(_ports(np.random.default_rng(1), 50))
    dist, idx = index.nearest(np.array([-45.0, 51.0]), np.array([100.0, 0.1]))
    every = haversine_m(np.array([[-45.0], [51.0]]), np.array([[100.0], [0.1]]), index._lat[None, :], index._lon[None, :])
    assert idx.tolist() == every.argmin(axis=1).tolist() and np.allclose(dist, every.min(axis=1)) and math.isinf(index.nearest(
        np.array([0.0]), np.array([0.0]), 1.0)[0][0])
