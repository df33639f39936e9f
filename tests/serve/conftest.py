"""A sample store (the planned dark-fleet scene) and an in-process client over it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from darkfleet.report.sample import SampleData, write_sample_db
from darkfleet.serve import create_app


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> tuple[Path, SampleData]:
    path = tmp_path_factory.mktemp("serve") / "sample.duckdb"
    return path, write_sample_db(path)


@pytest.fixture(scope="session")
def client(sample_db) -> TestClient:
    return TestClient(create_app(sample_db[0]))
