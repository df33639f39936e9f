"""Track thinning: Douglas-Peucker keeps shape within tolerance and never drops a silence."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from darkfleet.serve.simplify import cap_mask, simplify_mask, tolerance_deg


def _max_deviation(x, y, keep):
    """Largest distance of any point to the kept segment spanning it."""
    kept = np.flatnonzero(keep)
    worst = 0.0
    for a, b in zip(kept[:-1], kept[1:]):
        dx, dy = x[b] - x[a], y[b] - y[a]
        norm = np.hypot(dx, dy)
        i = np.arange(a + 1, b)
        if i.size == 0:
            continue
        d = np.abs(dy * (x[i] - x[a]) - dx * (y[i] - y[a])) / norm if norm else np.hypot(x[i] - x[a], y[i] - y[a])
        worst = max(worst, float(d.max()))
    return worst


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-0.5, 0.5), st.floats(-0.5, 0.5)), min_size=3, max_size=200),
       st.integers(4, 14))
def test_every_point_stays_within_tolerance(steps, zoom):
    walk = np.cumsum(np.array(steps), axis=0)
    lon, lat = walk[:, 0], walk[:, 1]
    gap = np.zeros(lon.size, dtype=bool)
    keep = simplify_mask(lon, lat, gap, tolerance_deg(zoom))
    assert keep[0] and keep[-1]
    x = lon * np.cos(np.radians(np.nanmean(lat)))
    assert _max_deviation(x, lat, keep) <= tolerance_deg(zoom) + 1e-12


def test_straight_line_collapses_but_gap_edges_survive():
    lon = np.linspace(20.0, 21.0, 1001)
    lat = np.full(lon.size, 36.0)
    gap = np.zeros(lon.size, dtype=bool)
    gap[500] = True
    keep = simplify_mask(lon, lat, gap, tolerance_deg(10))
    assert np.flatnonzero(keep).tolist() == [0, 499, 500, 1000]


def test_cap_thins_evenly_and_keeps_gap_edges():
    keep = np.ones(10_000, dtype=bool)
    gap = np.zeros(10_000, dtype=bool)
    gap[[2_000, 7_000]] = True
    capped = cap_mask(keep, gap, 100)
    assert capped.sum() <= 100
    assert capped[[0, 1_999, 2_000, 6_999, 7_000, 9_999]].all()
    spacing = np.diff(np.flatnonzero(capped))
    assert spacing.max() <= 2 * 10_000 / 100  # no long holes from the thinning itself


def test_tolerance_halves_per_zoom_level():
    assert tolerance_deg(5) == 2 * tolerance_deg(6)
    assert 0.00001 < tolerance_deg(15) < 0.0001  # a few metres at street zoom
