"""The served map page in headless Chromium: offline, events drawn, click shows detail, search, slider."""

from __future__ import annotations

N_EVENTS = 7


def _open(recorder, live_server):
    page = recorder.page
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=20_000)
    return page


def test_map_page_loads_offline_and_opens_on_riskiest_vessel(recorder, live_server, screenshot):
    page = _open(recorder, live_server)
    assert page.locator("path.df-event").count() == N_EVENTS
    assert page.locator(".leaflet-overlay-pane path").count() > N_EVENTS  # coastline polygons drawn too
    rows = page.locator("#df-risk-table tbody tr")
    assert rows.count() == 5
    assert rows.first.get_attribute("class") == "df-selected"
    assert "OCEAN VOYAGER" in rows.first.inner_text()
    assert page.get_attribute("#df-detail", "data-event-id") == "dark-0001"  # its strongest event
    assert page.locator("path.df-gap").count() == 1  # the dark period, dashed
    screenshot(page, "map-page.png")
    assert recorder.errors == []
    assert recorder.blocked == []
    assert all(r.startswith(live_server) or r.startswith("data:") for r in recorder.requests)


def test_clicking_an_event_shows_both_tracks_and_evidence(recorder, live_server, screenshot):
    page = _open(recorder, live_server)
    page.locator("path.df-event-encounter").dispatch_event("click")
    page.wait_for_selector("#df-detail[data-event-id='enc-0001']", timeout=10_000)
    detail = page.inner_text("#df-detail")
    assert "SEA PEARL" in detail and "NORDIC STAR" in detail
    assert "min_distance_m" in detail and "160" in detail
    assert page.locator("path.df-track").count() >= 2
    assert page.locator("#df-detail svg.df-chart").count() == 2  # speed and draught plots
    page.evaluate("() => document.querySelectorAll('.leaflet-tooltip').forEach(t => t.remove())")  # clean picture
    screenshot(page, "map-event-detail.png")
    assert recorder.errors == []


def test_vessel_search_by_name_and_imo(recorder, live_server):
    page = _open(recorder, live_server)
    page.fill("#df-search", "pearl")
    page.wait_for_selector("#df-search-results li[data-mmsi='273456789']", timeout=5_000)
    page.fill("#df-search", "9402419")  # NORDIC STAR's IMO
    item = page.wait_for_selector("#df-search-results li[data-mmsi='538001234']", timeout=5_000)
    item.click()
    page.wait_for_function(
        "document.querySelector('#df-risk-table tr.df-selected').getAttribute('data-mmsi') === '538001234'")
    page.wait_for_selector("#df-detail[data-event-id='enc-0001']", timeout=5_000)  # its strongest event
    assert recorder.errors == []


def test_time_slider_filters_events(recorder, live_server):
    page = _open(recorder, live_server)
    # move "from" to 2024-03-01T23:00Z: events that ended before then disappear
    page.evaluate("""() => { const f = document.getElementById('df-from');
        f.value = Date.UTC(2024, 2, 1, 23); f.dispatchEvent(new Event('change')); }""")
    page.wait_for_function("document.getElementById('df-count').textContent === '4 events shown'")
    assert page.locator("path.df-event").count() == 4
    assert recorder.errors == []


def test_vessel_without_events_shows_its_simplified_track_and_identity(recorder, live_server):
    page = _open(recorder, live_server)
    with page.expect_response(lambda r: "/api/vessels/247123400/track" in r.url and "zoom=" in r.url) as info:
        page.locator("#df-risk-table tr[data-mmsi='247123400']").click()
    track = info.value.json()
    assert track["simplified"] and track["n_returned"] < track["n_total"]
    page.wait_for_selector("#df-detail[data-mmsi='247123400']", timeout=5_000)
    detail = page.inner_text("#df-detail")
    assert "LIGURIA EXPRESS" in detail and "Identity history" in detail and "No events." in detail
    assert page.locator("path.df-track").count() >= 1
    assert recorder.errors == []
