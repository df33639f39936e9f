"""Spherical geometry on NumPy arrays (haversine distance, bearing, offsets)."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
M_PER_NM = 1852.0
KN_TO_MPS = M_PER_NM / 3600.0


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (broadcasts over arrays)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def bearing_deg(lat1, lon1, lat2, lon2):
    """Initial true bearing from point 1 to point 2, in [0, 360)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlon = np.radians(np.asarray(lon2) - np.asarray(lon1))
    y = np.sin(dlon) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dlon)
    return np.degrees(np.arctan2(y, x)) % 360.0


def wrap_lon(lon):
    """Longitude folded into [-180, 180)."""
    return ((np.asarray(lon, dtype=np.float64) + 180.0) % 360.0) - 180.0


def lon_step(lon0, lon1):
    """Signed east-west step from lon0 to lon1 the short way (crossing the antimeridian if shorter)."""
    return wrap_lon(np.asarray(lon1) - np.asarray(lon0))


def offset(lat, lon, bearing, dist_m):
    """The point ``dist_m`` metres from (lat, lon) along ``bearing`` (flat-earth, fine below ~100 km)."""
    b = np.radians(bearing)
    dlat = np.asarray(dist_m) * np.cos(b) / EARTH_RADIUS_M
    dlon = np.asarray(dist_m) * np.sin(b) / (EARTH_RADIUS_M * np.cos(np.radians(lat)))
    return np.asarray(lat) + np.degrees(dlat), wrap_lon(np.asarray(lon) + np.degrees(dlon))


def to_unit_xyz(lat, lon):
    """Unit vectors on the sphere, so Euclidean KD-trees give great-circle neighbours."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def chord_to_m(chord):
    """Convert a unit-sphere chord length back to a great-circle distance in metres."""
    return 2 * EARTH_RADIUS_M * np.arcsin(np.clip(np.asarray(chord) / 2, 0.0, 1.0))


def m_to_chord(dist_m):
    return 2 * np.sin(np.asarray(dist_m) / (2 * EARTH_RADIUS_M))
