"""Fixtures shared by the detector tests."""

from __future__ import annotations

import pytest

from darkfleet.detect.ports_index import PortIndex


@pytest.fixture(scope="session")
def ports() -> PortIndex:
    return PortIndex.default()
