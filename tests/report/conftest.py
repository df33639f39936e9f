"""The planned sample scene as in-memory tables and as a store."""

from __future__ import annotations

import pytest

from darkfleet.report.sample import sample_data, write_sample_db


@pytest.fixture(scope="session")
def scene():
    return sample_data()


@pytest.fixture(scope="session")
def scene_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "scene.duckdb"
    write_sample_db(path)
    return path
