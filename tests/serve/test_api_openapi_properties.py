"""Property tests generated from the OpenAPI document (schemathesis): no input may crash the API,
and every response must match the documented status codes and content types."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the 'test' extra")

from darkfleet.serve import create_app  # noqa: E402


@pytest.fixture(scope="module")
def api_schema(sample_db):
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(sample_db[0]))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_openapi_contract(case):
    # positive_data_acceptance is left out on purpose: some rules cannot be written in OpenAPI
    # (min_lat <= max_lat, start <= end, a 31-day track span), so schema-valid requests may get a 422
    response = case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
    if response.status_code >= 400:
        body = response.json()
        assert body["status"] == response.status_code  # the single error shape
        assert {"error", "message"} <= set(body)


def test_openapi_document_lists_every_endpoint(sample_db):
    from fastapi.testclient import TestClient

    paths = TestClient(create_app(sample_db[0])).get("/openapi.json").json()["paths"]
    assert set(paths) == {"/healthz", "/api/summary", "/api/events", "/api/vessels", "/api/vessels/{mmsi}",
                          "/api/vessels/{mmsi}/track"}
    event_params = {p["name"] for p in paths["/api/events"]["get"]["parameters"]}
    assert event_params == {"type", "bbox", "start", "end", "mmsi", "min_confidence", "limit", "cursor"}
