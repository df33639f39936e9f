"""Static figures and the Python decoding of the vendored Natural Earth land."""

from __future__ import annotations

import duckdb
import numpy as np
from shapely.geometry import Point

from darkfleet.report.basemap import land_polygons_in, land_rings
from darkfleet.report.payload import collect_payload
from darkfleet.report.plots import plot_event


def test_land_decodes_to_known_geography():
    rings = land_rings()
    assert len(rings) > 1000
    assert all(np.allclose(r[0], r[-1]) for r in rings[:50])  # rings are closed
    greece = land_polygons_in(19, 34, 29, 42)
    assert greece.contains(Point(22.4, 37.5))  # Peloponnese, inland
    assert not greece.contains(Point(20.5, 35.5))  # Ionian Sea
    assert greece.contains(Point(24.9, 35.2))  # Crete


def test_sample_tracks_stay_at_sea(scene):
    land = land_polygons_in(20, 34.5, 27, 38)
    lon = scene.positions["lon"].to_numpy()
    lat = scene.positions["lat"].to_numpy()
    import shapely

    on_land = shapely.contains_xy(land, lon, lat)
    assert on_land.sum() == 0


def test_event_figure_is_a_real_png(scene_db, tmp_path):
    con = duckdb.connect(str(scene_db), read_only=True)
    try:
        payload = collect_payload(con)
    finally:
        con.close()
    out = plot_event(payload, "dark-0001", tmp_path / "dark.png")
    head = out.read_bytes()[:8]
    assert head == b"\x89PNG\r\n\x1a\n"
    from matplotlib.image import imread

    pixels = imread(out)
    assert pixels.shape[0] > 400 and pixels.shape[1] > 800
    # the partner's orange track is drawn (RGB of #e8590c within tolerance)
    orange = np.all(np.abs(pixels[..., :3] - np.array([0xE8, 0x59, 0x0C]) / 255) < 0.08, axis=-1)
    assert orange.sum() > 200
