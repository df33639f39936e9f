"""The vendored Natural Earth land (world-atlas TopoJSON) as NumPy rings, for static plots and checks.

The browser decodes the same file with topojson-client; this is the Python side so that the
README figures and the web map draw the same coastline.
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from darkfleet.report.html import asset_path

LAND_ASSET = "vendor/land-50m.json"


def _decode_arcs(topo: dict) -> list[np.ndarray]:
    scale = np.asarray(topo["transform"]["scale"], dtype=float)
    translate = np.asarray(topo["transform"]["translate"], dtype=float)
    # quantized arcs are delta-encoded: a cumulative sum restores the integer grid positions
    return [np.cumsum(np.asarray(arc, dtype=float), axis=0) * scale + translate for arc in topo["arcs"]]


def _ring(arcs: list[np.ndarray], indices: list[int]) -> np.ndarray:
    parts = []
    for k, index in enumerate(indices):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(arc if k == 0 else arc[1:])  # consecutive arcs share their joining point
    return np.concatenate(parts)


@lru_cache(maxsize=1)
def land_rings() -> tuple[np.ndarray, ...]:
    """Every land ring (outer boundaries and holes) as an (n, 2) array of lon, lat degrees."""
    topo = json.loads(asset_path(LAND_ASSET).read_text(encoding="utf-8"))
    arcs = _decode_arcs(topo)
    rings: list[np.ndarray] = []
    for geometry in topo["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            rings.extend(_ring(arcs, ring) for ring in polygon)
    return tuple(rings)


def land_polygons_in(lon_min_deg: float, lat_min_deg: float, lon_max_deg: float, lat_max_deg: float):
    """Shapely land geometry clipped to a box (for plotting a region or testing points)."""
    from shapely.geometry import Polygon, box
    from shapely.ops import unary_union

    area = box(lon_min_deg, lat_min_deg, lon_max_deg, lat_max_deg)
    near = [r for r in land_rings() if len(r) >= 4 and area.intersects(Polygon(r).envelope)]
    # outer rings and holes are not told apart here: holes in land (lakes) do not matter at sea
    return unary_union([Polygon(r).buffer(0) for r in near]).intersection(area)
