"""Parameter parsing: times, bbox and cursors."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from darkfleet.errors import InputError
from darkfleet.serve.params import decode_cursor, encode_cursor, parse_bbox, parse_time


def test_times_are_utc_aware():
    assert parse_time("2024-03-01T12:00:00Z", "start") == datetime(2024, 3, 1, 12, tzinfo=timezone.utc)
    assert parse_time("2024-03-01T14:00:00+02:00", "start") == datetime(2024, 3, 1, 12, tzinfo=timezone.utc)
    assert parse_time("2024-03-01", "end") == datetime(2024, 3, 1, tzinfo=timezone.utc)  # naive means UTC
    with pytest.raises(InputError) as err:
        parse_time("1st of March", "end")
    assert err.value.context["parameter"] == "end"


def test_bbox_antimeridian_and_errors():
    box = parse_bbox("170,-10,-170,10")
    assert box.crosses_antimeridian and box.lon_min_deg == 170
    for bad in ("0,0,200,10", "0,10,10,0", "a,b,c,d"):
        with pytest.raises(InputError):
            parse_bbox(bad)


@given(st.integers(-(2**50), 2**50), st.text(max_size=40))
def test_cursor_round_trip(start_us, event_id):
    start, decoded_id = decode_cursor(encode_cursor(start_us, event_id))
    assert decoded_id == event_id
    assert round((start - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds() * 1e6) == start_us


@given(st.text(max_size=30))
def test_garbage_cursors_are_input_errors(text):
    try:
        decode_cursor(text)
    except InputError as exc:
        assert exc.context["parameter"] == "cursor"
