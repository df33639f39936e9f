"""Shared fixtures: the real reference data in ../shared/data (skips cleanly when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("DARKFLEET_SHARED_DATA", REPO.parent / "shared" / "data"))

# Tests never show progress bars, whatever terminal they run in.
os.environ.setdefault("DARKFLEET_NO_PROGRESS", "1")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Root of the real data set; skips the test with a reason when it is not there."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real reference data not found at {SHARED_DATA} (see README: ../shared/data)")
    return SHARED_DATA


def shared_file(relative: str) -> Path:
    """A file under ../shared/data, or skip the calling test with a clear reason."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data file missing: {path}")
    return path
