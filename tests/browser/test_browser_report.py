"""report.html opened from disk (file://) in headless Chromium renders the map, events and the risk table."""

from __future__ import annotations

from darkfleet.report import build_report


def test_report_opens_from_disk_without_network(recorder, sample_store, tmp_path, screenshot):
    report = build_report(sample_store, tmp_path / "report.html")
    page = recorder.page
    page.goto(report.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=20_000)
    assert page.locator("path.df-event").count() == 7
    assert page.locator(".leaflet-overlay-pane path").count() > 7  # coastline is drawn from the inlined land
    assert page.locator("#df-risk-table tbody tr").count() == 5
    assert "OCEAN VOYAGER" in page.inner_text("#df-risk-table tr.df-selected")
    assert page.get_attribute("#df-detail", "data-event-id") == "dark-0001"
    assert "OFAC SDN" in page.inner_text("#df-detail")
    screenshot(page, "report.png")
    page.locator("#df-risk-table tr[data-mmsi='538001234']").click()
    page.wait_for_selector("#df-detail[data-event-id='enc-0001']", timeout=5_000)
    assert recorder.errors == []
    assert recorder.blocked == []
    assert recorder.requests == [report.as_uri()]  # the one file, nothing else
