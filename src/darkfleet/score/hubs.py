"""Known ship-to-ship transfer areas, where an encounter at sea weighs more.

Approximate centres of the areas named in public reporting on shadow-fleet transfers
(Lloyd's List Intelligence, Windward, Kpler, Greek and Spanish port-state reports). The radius
is :attr:`RiskConfig.hub_radius_m`.
"""

from __future__ import annotations

import numpy as np

STS_HUBS: dict[str, tuple[float, float]] = {  # name -> (lat_deg, lon_deg)
    "laconian_gulf": (36.55, 22.70),  # off Gytheio, Greece
    "kalamata": (36.90, 22.02),  # Messinian Gulf, Greece
    "ceuta": (35.93, -5.18),  # Strait of Gibraltar, Spanish enclave anchorage
    "gulf_of_lome": (6.00, 1.35),  # off Togo
    "malaysia_eopl": (1.38, 104.62),  # Eastern Outer Port Limits, off Johor
    "gulf_of_oman": (25.25, 56.60),  # off Fujairah / Khor Fakkan
    "kerch_strait": (45.25, 36.55),  # Kavkaz / Kerch roads
    "hurds_bank": (35.85, 14.65),  # east of Malta
    "skagen": (57.78, 10.78),  # Skaw roads, Denmark
}

_EARTH_RADIUS_M = 6_371_008.8


def nearest_hub(lat_deg: np.ndarray, lon_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index into STS_HUBS, great-circle distance in metres) of the nearest hub, vectorised."""
    hubs = np.radians(np.array(list(STS_HUBS.values()), dtype=np.float64))  # (H, 2)
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))[:, None]
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))[:, None]
    a = np.sin((hubs[:, 0] - lat) / 2) ** 2 + np.cos(lat) * np.cos(hubs[:, 0]) * np.sin((hubs[:, 1] - lon) / 2) ** 2
    dist = 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))  # (N, H)
    if dist.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    index = np.nanargmin(np.where(np.isnan(dist), np.inf, dist), axis=1)
    return index, dist[np.arange(dist.shape[0]), index]


HUB_NAMES = list(STS_HUBS)
