"""In-process API tests against the sample scene (whose content is known by construction)."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

DARK = 636012345  # OCEAN VOYAGER: dark STS with SEA PEARL, sanctioned
PARTNER = 273456789


def test_healthz_and_summary_match_the_store(client, sample_db):
    _, data = sample_db
    assert client.get("/healthz").json()["status"] == "ok"
    summary = client.get("/api/summary").json()
    assert summary["n_events"] == data.events.num_rows
    assert summary["n_positions"] == data.positions.num_rows
    assert summary["n_vessels"] == data.vessels.num_rows
    assert summary["events_by_type"]["gap"] == 2
    assert summary["start_utc"] == "2024-03-01T00:00:00+00:00"


def test_events_filter_by_type_mmsi_and_confidence(client):
    body = client.get("/api/events", params={"type": ["gap", "dark_sts"], "mmsi": DARK}).json()
    assert sorted(e["event_id"] for e in body["items"]) == ["dark-0001", "gap-0001"]
    dark = next(e for e in body["items"] if e["event_type"] == "dark_sts")
    assert dark["other_mmsi"] == PARTNER
    assert dark["details"]["draught_change_m"] == pytest.approx(3.2)  # decoded JSON, not a string
    assert dark["start_ms"] == 1709287200000  # 2024-03-01T10:00Z
    low = client.get("/api/events", params={"min_confidence": 0.9}).json()["items"]
    assert {e["event_id"] for e in low} == {"dark-0001", "gap-0001", "loiter-0001"}


def test_events_bbox_and_time_window(client):
    # only the coverage gap of AEGEAN TRADER lies south of 36.1 N
    south = client.get("/api/events", params={"bbox": "22,35.5,23.5,36.1"}).json()["items"]
    assert [e["event_id"] for e in south] == ["gap-0002"]
    late = client.get("/api/events", params={"start": "2024-03-01T26:00:00Z".replace("26:00", "23:00")}).json()
    assert {e["event_id"] for e in late["items"]} == {"enc-0001", "loiter-0001", "id-0001", "gap-0002"}


def test_events_cursor_pages_cover_everything_once(client, sample_db):
    _, data = sample_db
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/events", params=params).json()
        seen += [e["event_id"] for e in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert sorted(seen) == sorted(data.events["event_id"].to_pylist())
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "0,50,10,40"}, "bbox"),
        ({"start": "yesterday"}, "start"),
        ({"start": "2024-03-02", "end": "2024-03-01"}, "end"),
        ({"type": "smuggling"}, "type"),
        ({"limit": 5000}, "limit"),
        ({"min_confidence": 2}, "min_confidence"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"mmsi": "abc"}, "mmsi"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(client, params, parameter):
    response = client.get("/api/events", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["parameter"] == parameter
    assert body["error"] == "InputError" and body["status"] == 422 and body["message"]


def test_malformed_bbox_message_states_the_format_as_docs_api_md_shows(client):
    for bbox in ("1,2,3", "1,2,3,x", "1,2,3,4,5"):
        body = client.get("/api/events", params={"bbox": bbox}).json()
        assert body == {"error": "InputError", "message": "bbox must be 4 numbers: min_lon,min_lat,max_lon,max_lat",
                        "status": 422, "parameter": "bbox"}


def test_vessels_ranked_by_risk_and_search(client):
    items = client.get("/api/vessels", params={"sort": "risk", "limit": 3}).json()["items"]
    assert [v["mmsi"] for v in items] == [DARK, PARTNER, 538001234]
    assert items[0]["risk_factors"][0]["factor"] == "sanctioned"
    for q, expected in (("pearl", PARTNER), ("9187629", DARK), ("2734567", PARTNER)):
        found = client.get("/api/vessels", params={"q": q}).json()["items"]
        assert [v["mmsi"] for v in found] == [expected], q
    assert client.get("/api/vessels", params={"q": "%"}).json()["items"] == []  # wildcards are not special
    assert client.get("/api/vessels", params={"sort": "size"}).json()["parameter"] == "sort"


def test_vessel_detail_has_identity_history_sanctions_and_events(client):
    body = client.get("/api/vessels/538001234").json()
    names = [i["name"] for i in body["identity_history"]]
    assert names == ["NORDIC STAR", "NORD STAR"]  # the rename is visible in order
    assert {e["event_id"] for e in body["events"]} == {"enc-0001", "id-0001"}
    dark = client.get(f"/api/vessels/{DARK}").json()
    assert dark["sanctions"][0]["list"] == "OFAC SDN"
    missing = client.get("/api/vessels/999999999")
    assert missing.status_code == 404 and missing.json()["parameter"] == "mmsi"


def test_track_window_gap_flags_and_simplification(client, sample_db):
    _, data = sample_db
    params = {"start": "2024-03-01T04:00:00Z", "end": "2024-03-02T04:00:00Z"}
    full = client.get(f"/api/vessels/{DARK}/track", params=params).json()
    mask = pc.and_(pc.equal(data.positions["mmsi"], DARK),
                   pc.and_(pc.greater_equal(data.positions["timestamp_utc"], data.positions["timestamp_utc"][0].as_py()
                                            .replace(hour=4)),
                           pc.less_equal(data.positions["timestamp_utc"], data.positions["timestamp_utc"][0].as_py()
                                         .replace(day=2, hour=4))))
    assert full["n_total"] == full["n_returned"] == pc.sum(mask).as_py()
    assert sum(full["gap_before"]) == 1  # exactly the 12 h dark period
    gap_at = full["gap_before"].index(True)
    assert full["t_ms"][gap_at] - full["t_ms"][gap_at - 1] == 12 * 3_600_000
    coarse = client.get(f"/api/vessels/{DARK}/track", params=params | {"zoom": 6}).json()
    assert coarse["simplified"] and coarse["n_returned"] < full["n_returned"] / 10
    assert sum(coarse["gap_before"]) == 1  # simplification never hides or invents a silence
    assert coarse["draught"]["draught_m"] == pytest.approx([11.5, 14.7])


def test_track_limits(client):
    too_long = client.get(f"/api/vessels/{DARK}/track", params={"start": "2024-01-01", "end": "2024-03-01"})
    assert too_long.status_code == 422 and too_long.json()["parameter"] == "end"
    capped = client.get(f"/api/vessels/{DARK}/track", params={"max_points": 50}).json()
    assert capped["n_returned"] <= 50 and capped["n_total"] > 50
    assert client.get(f"/api/vessels/{DARK}/track", params={"max_points": 10**6}).json()["parameter"] == "max_points"
    assert client.get("/api/vessels/111111111/track").status_code == 404


def test_unknown_route_uses_the_same_error_shape(client):
    body = client.get("/api/nothing").json()
    assert body == {"error": "NotFoundError", "message": "Not Found", "status": 404}


def test_map_page_references_only_local_assets(client):
    html = client.get("/").text
    assert "http://" not in html and "https://" not in html
    for src in ("/static/vendor/leaflet.js", "/static/darkfleet-map.js", "/static/api-source.js"):
        assert src in html
        assert client.get(src).status_code == 200
    land = client.get("/static/vendor/land-50m.json").json()
    assert land["type"] == "Topology" and "land" in land["objects"]


def test_repeated_requests_come_from_the_cache_unchanged(sample_db):
    from fastapi.testclient import TestClient

    from darkfleet.serve import create_app

    app = create_app(sample_db[0])
    client = TestClient(app)
    first = client.get("/api/events", params={"type": "gap"})
    again = client.get("/api/events", params={"type": "gap"})
    assert first.content == again.content and again.headers["content-type"] == "application/json"
    assert app.state.db.cache.hits == 1 and app.state.db.cache.misses == 1
    assert client.get("/api/vessels/999999999").status_code == 404  # errors are not cached
    assert client.get("/api/vessels/999999999").status_code == 404
    assert app.state.db.cache.misses == 1
