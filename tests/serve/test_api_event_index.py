"""The in-memory event index answers exactly what the SQL semantics of /api/events say."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from darkfleet import schema
from darkfleet.report.records import event_records
from darkfleet.serve.event_index import EventIndex
from darkfleet.serve.params import BBox, decode_cursor
from darkfleet.serve.queries import EventFilter

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TYPES = ["gap", "encounter", "dark_sts", "spoofing"]


def _events(n: int, rng: np.random.Generator) -> pa.Table:
    start = [T0 + timedelta(minutes=int(m)) for m in rng.integers(0, 20_000, n)]
    start = [None if i % 97 == 0 else t for i, t in enumerate(start)]  # a few events without a start
    rows = [{
        "event_id": f"e{rng.integers(0, 10**9):09d}", "event_type": TYPES[i % len(TYPES)],
        "mmsi": int(rng.integers(1, 40)), "other_mmsi": None if i % 3 else int(rng.integers(1, 40)),
        "start_utc": start[i], "end_utc": None if i % 5 == 0 or start[i] is None else start[i] + timedelta(hours=6),
        "lat": None if i % 50 == 0 else float(rng.uniform(-60, 60)), "lon": float(rng.uniform(-180, 180)),
        "confidence": None if i % 41 == 0 else float(rng.uniform(0, 1)), "in_port": False, "details": "{}",
    } for i in range(n)]
    return schema.conform(pa.Table.from_pylist(rows), schema.EVENTS)


def _reference(events: pl.DataFrame, flt: EventFilter) -> list[str]:
    """The filter as SQL states it, written directly in Polars: the order and the NULL rules."""
    keep = pl.lit(True)
    if flt.types:
        keep &= pl.col("event_type").is_in(flt.types)
    if flt.bbox is not None:
        b = flt.bbox
        lon = (pl.col("lon") >= b.lon_min_deg) | (pl.col("lon") <= b.lon_max_deg) if b.crosses_antimeridian else (
            pl.col("lon").is_between(b.lon_min_deg, b.lon_max_deg))
        keep &= lon & pl.col("lat").is_between(b.lat_min_deg, b.lat_max_deg)
    if flt.start is not None:
        keep &= pl.coalesce("end_utc", "start_utc") >= flt.start
    if flt.end is not None:
        keep &= pl.col("start_utc") <= flt.end
    if flt.mmsi is not None:
        keep &= (pl.col("mmsi") == flt.mmsi) | (pl.col("other_mmsi") == flt.mmsi)
    if flt.min_confidence is not None:
        keep &= pl.col("confidence") >= flt.min_confidence
    key = pl.col("start_utc").fill_null(datetime(1970, 1, 1, tzinfo=UTC))
    return events.filter(keep.fill_null(False)).sort([key, "event_id"])["event_id"].to_list()


@pytest.fixture(scope="module")
def index_and_events():
    table = _events(3000, np.random.default_rng(5))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("events", table)
    return EventIndex.load(con), pl.from_arrow(table)


def _random_filter(rng: np.random.Generator) -> EventFilter:
    def maybe(value):
        return value if rng.random() < 0.4 else None

    lon0 = float(rng.uniform(-180, 180))
    start = T0 + timedelta(minutes=int(rng.integers(0, 20_000)))
    return EventFilter(
        types=maybe(list(rng.choice(TYPES + ["loitering"], size=2, replace=False))),
        bbox=maybe(BBox(lon0, -30.0, float(rng.uniform(-180, 180)), 40.0)),  # sometimes across the antimeridian
        start=maybe(start), end=maybe(start + timedelta(days=3)), mmsi=maybe(int(rng.integers(1, 40))),
        min_confidence=maybe(float(rng.uniform(0, 1))),
    )


def test_pages_match_the_reference_filter_and_cover_it_once(index_and_events):
    index, events = index_and_events
    rng = np.random.default_rng(11)
    for _ in range(60):
        flt = _random_filter(rng)
        expected = _reference(events, flt)
        seen: list[str] = []
        cursor = None
        while True:
            page = json.loads(index.page(EventFilter(**{**flt.__dict__, "after": decode_cursor(cursor)}), 37))
            seen += [item["event_id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == expected, flt


def test_vessel_events_include_both_roles_once_in_page_order(index_and_events):
    index, events = index_and_events
    for mmsi in (1, 7, 39):
        expected = _reference(events, EventFilter(mmsi=mmsi))
        assert [e["event_id"] for e in json.loads(index.json_array(index.vessel_rows(mmsi)))] == expected
    assert json.loads(index.json_array(index.vessel_rows(999))) == []


def test_pre_rendered_events_are_what_the_report_records_say():
    # the awkward values: NaN and missing numbers, sub-second times, missing end, malformed or empty evidence
    t = datetime(2026, 1, 2, 3, 4, 5, 250_000, tzinfo=UTC)
    rows = [
        {"event_id": "a", "event_type": "gap", "mmsi": 1, "other_mmsi": None, "start_utc": t, "end_utc": None,
         "lat": float("nan"), "lon": 12.345678901, "confidence": None, "in_port": None, "details": "not json"},
        {"event_id": "b", "event_type": "encounter", "mmsi": 1, "other_mmsi": 2, "start_utc": T0,
         "end_utc": T0 + timedelta(hours=1), "lat": -0.1, "lon": 179.99, "confidence": 0.3, "in_port": True,
         "details": '{"median_distance_m": 120.5, "names": ["A", "B\u00e9"], "nested": {"k": null}}'},
        {"event_id": "c", "event_type": "loitering", "mmsi": 3, "other_mmsi": None, "start_utc": None,
         "end_utc": None, "lat": 1.0, "lon": 2.0, "confidence": 1.0, "in_port": False, "details": ""},
    ]
    table = schema.conform(pa.Table.from_pylist(rows), schema.EVENTS)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("events", table)
    index = EventIndex.load(con)
    rendered = {e["event_id"]: e for e in json.loads(index.json_array(np.arange(index.size)))}
    assert rendered == {e["event_id"]: e for e in event_records(table)}
