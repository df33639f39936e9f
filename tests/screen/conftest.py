"""Fixtures for screening tests: the real sanctions lists (skip when ../shared is absent)."""

from __future__ import annotations

import pytest

from darkfleet.screen import Registry, load_list


@pytest.fixture(scope="session")
def lists_dir(shared_data):
    """../shared/data/sanctions: OFAC CSV sets and sdn.xml, the EU Annex XLII table."""
    return shared_data / "sanctions"


@pytest.fixture(scope="session")
def ofac_2023(lists_dir):
    return load_list(lists_dir / "ofac-sdn-2023-01-21-with-header.csv")


@pytest.fixture(scope="session")
def real_registry(lists_dir):
    names = ("ofac-sdn-2023-01-21-with-header.csv", "eu-reg-833-2014-annexes.csv", "ofac-sdn-xml-2026-sample.xml")
    return Registry([load_list(lists_dir / n) for n in names])
