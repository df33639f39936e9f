"""Fixtures for the simulator tests: one tiny scenario per session (a few seconds)."""

from __future__ import annotations

import polars as pl
import pytest

from darkfleet.simulate import simulate


@pytest.fixture(scope="session")
def tiny():
    return simulate("tiny", seed=0)


@pytest.fixture(scope="session")
def tiny_frames(tiny):
    """The tiny scenario as Polars frames: positions, static, truth, benign, vessels."""
    return {
        "positions": pl.from_arrow(tiny.positions),
        "static": pl.from_arrow(tiny.static),
        "truth": pl.from_arrow(tiny.truth),
        "benign": pl.from_arrow(tiny.benign),
        "vessels": pl.from_arrow(tiny.vessels),
    }


@pytest.fixture(scope="session")
def tiny_dirs(tmp_path_factory):
    """The tiny scenario written once in every output format."""
    from darkfleet.simulate import write_scenario

    out = {}
    for fmt in ("parquet", "noaa", "nmea"):
        d = tmp_path_factory.mktemp(f"sim_{fmt}")
        write_scenario("tiny", 0, d, fmt)
        out[fmt] = d
    return out
