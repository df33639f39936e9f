"""Event ids: stable for the same input and config (pinned values: a change would renumber
every user's alerts), and distinct for same-start events told apart only by their details."""

from datetime import datetime, timezone

import polars as pl

from darkfleet.detect.events import HASH_IN_DUCKDB_FROM_EVENTS, event_ids

START = datetime(2026, 1, 5, 6, 0, tzinfo=timezone.utc)


def _events(details: list[str]) -> pl.DataFrame:
    return pl.DataFrame({
        "mmsi": [211000001] * len(details),
        "other_mmsi": pl.Series([None, 636000002, None][: len(details)], dtype=pl.Int64),
        "start_utc": [START] * len(details),
        "details": details,
    })


def test_ids_are_pinned_when_details_name_no_kind():
    ids = event_ids(_events(['{"distance_m":120.5}', '{"distance_m":80.0,"thresholds":{"kinds":1}}']), "encounter", "cfg1").to_list()
    assert ids == PINNED_PLAIN


def test_kind_and_field_tell_same_start_events_apart_and_are_pinned():
    details = ['{"kind":"teleport","speed_kn":300}', '{"kind":"no_fix"}', '{"field":"name","old":"A"}']
    ids = event_ids(_events(details), "spoofing", "cfg1").to_list()
    assert len(set(ids)) == 3
    assert ids == PINNED_KIND


def test_many_events_hashed_by_duckdb_get_the_ids_hashlib_gives():
    n = HASH_IN_DUCKDB_FROM_EVENTS + 10
    frame = pl.DataFrame({
        "mmsi": range(n), "other_mmsi": pl.Series([None, 7] * (n // 2), dtype=pl.Int64),
        "start_utc": [START] * n, "details": ['{"kind":"no_fix"}', '{"x":"\u00e9t\u00e9"}'] * (n // 2),
    })
    whole = event_ids(frame, "spoofing", "cfg1")
    in_small_batches = pl.concat([event_ids(frame.slice(i, 1000), "spoofing", "cfg1") for i in range(0, n, 1000)])
    assert whole.n_unique() == n
    assert whole.equals(in_small_batches)


# computed once by the hashing the ids have always had: sha1 of type|mmsi|other|start|config|kind+field
PINNED_PLAIN = ["enc-9a24760bb86d0d7e", "enc-e39186a865dfdb5a"]
PINNED_KIND = ["spo-4593d0d42ef1ff31", "spo-3ec59c9acf626d14", "spo-60b14c84c2755948"]
