"""Speed classes: high-speed and wing-in-ground craft (AIS types 40-49, 20-29) get their own limit."""

from datetime import datetime, timedelta, timezone

import numpy as np
import polars as pl
import pytest

from darkfleet.clean.prepare import prepare_positions, prepare_static
from darkfleet.clean.segment import class_max_speed_kn, latest_ship_types, segment_positions, segment_table
from darkfleet.config import SegmentConfig
from darkfleet.detect.geo import M_PER_DEG_LAT, M_PER_NM

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _fast_track(mmsi: int, speed_kn: float, n: int = 30, step_min: float = 2.0) -> pl.DataFrame:
    """A craft sailing north at ``speed_kn`` that reports no SOG."""
    lat = 50.0 + np.arange(n) * speed_kn * M_PER_NM / 60 * step_min / M_PER_DEG_LAT
    return pl.DataFrame(
        {
            "mmsi": np.full(n, mmsi, dtype=np.int64),
            "timestamp_utc": pl.Series([T0 + timedelta(minutes=k * step_min) for k in range(n)],
                                       dtype=pl.Datetime("us", "UTC")),
            "lat": lat,
            "lon": np.full(n, -1.2),
        }
    )


def _types(types: dict[int, list[int | None]]) -> pl.DataFrame:
    return latest_ship_types(_static(types))


def _static(types: dict[int, list[int | None]]) -> pl.DataFrame:
    """Static reports, one a minute per vessel, with the given ship types in time order."""
    rows = [
        {"mmsi": mmsi, "timestamp_utc": T0 + timedelta(minutes=k), "ship_type": t}
        for mmsi, ts in types.items() for k, t in enumerate(ts)
    ]
    return pl.DataFrame(rows, schema={"mmsi": pl.Int64, "timestamp_utc": pl.Datetime("us", "UTC"), "ship_type": pl.Int16})


def test_36_kn_craft_of_type_40_is_one_segment_the_same_track_of_type_70_is_split():
    craft = _fast_track(5, 36.0)
    hsc = segment_positions(craft, SegmentConfig(), _types({5: [40]}))
    assert hsc["segment_id"].n_unique() == 1
    cargo = segment_positions(craft, SegmentConfig(), _types({5: [70]}))
    assert cargo["segment_id"].n_unique() == craft.height  # every 36 kn hop opens a new segment
    assert segment_positions(craft, SegmentConfig())["segment_id"].n_unique() == craft.height


def test_wig_craft_is_high_speed_and_beyond_the_hsc_limit_it_is_split():
    assert segment_positions(_fast_track(6, 50.0), SegmentConfig(), _types({6: [21]}))["segment_id"].n_unique() == 1
    too_fast = segment_positions(_fast_track(6, 70.0), SegmentConfig(), _types({6: [21]}))
    assert too_fast["segment_id"].n_unique() > 1


def test_the_latest_known_ship_type_decides_and_unknown_types_do_not_erase_it():
    static = _static({1: [70, 40, None, 0], 2: [40, 70], 3: [None]})
    assert dict(latest_ship_types(static).iter_rows()) == {1: 40, 2: 70}
    limits = class_max_speed_kn(np.array([1, 2, 3, 4]), latest_ship_types(static), SegmentConfig(max_speed_kn=25.0, hsc_max_speed_kn=55.0))
    assert limits.tolist() == [55.0, 25.0, 25.0, 25.0]


def test_segments_of_other_vessels_do_not_change_with_a_neighbours_class():
    frame = pl.concat([_fast_track(5, 36.0), _fast_track(9, 36.0)])
    out = segment_positions(frame, SegmentConfig(), _types({9: [45]}))
    per_vessel = out.group_by("mmsi").agg(pl.col("segment_id").n_unique()).sort("mmsi")
    assert per_vessel["segment_id"].to_list() == [30, 1]


@pytest.mark.realdata
def test_solent_red_jet_without_sog_is_one_track_as_hsc_and_the_glitch_still_splits(shared_data):
    from darkfleet.ingest import read

    positions, _, _ = read([shared_data / "ais" / "solent-2016-01-12.csv"])
    clean, _, _ = prepare_positions(positions)
    clean = clean.with_columns(pl.lit(None, dtype=pl.Float32).alias("sog_kn"))  # no SOG to vouch for any hop
    red_jet, glitch = 235008564, 245188000  # ~36 kn catamaran; moored vessel reported once ~55 deg E
    static = prepare_static(_static({red_jet: [40], glitch: [40]}).to_arrow())
    as_hsc = segment_table(segment_positions(clean, SegmentConfig(), latest_ship_types(static)))
    unknown = segment_table(segment_positions(clean, SegmentConfig()))
    pieces = lambda table, mmsi: table.filter(pl.col("mmsi") == mmsi)["n_points"].sort(descending=True).to_list()  # noqa: E731
    assert len(pieces(as_hsc, red_jet)) == 1
    assert len(pieces(unknown, red_jet)) > 1  # without SOG or type its fast hops are split
    # thousands of knots are beyond any class: the one report still becomes its own segment
    assert pieces(as_hsc, glitch)[1:] == [1]


def test_two_threads_segment_at_once_with_the_same_result():
    # the kernel releases the GIL and has no parallel section: engines may call it from threads
    from concurrent.futures import ThreadPoolExecutor

    frame = pl.concat([_fast_track(m, 36.0 if m % 2 else 12.0, n=400) for m in range(1, 41)])
    types = _types({m: [40] for m in range(1, 41, 4)})
    alone = segment_positions(frame, SegmentConfig(), types)["segment_id"]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: segment_positions(frame, SegmentConfig(), types)["segment_id"], range(4)))
    assert all(r.equals(alone) for r in results)
    assert alone.n_unique() < frame.height


def test_segment_order_sorts_only_interleaved_vessels_and_matches_a_full_sort():
    from darkfleet.clean.segment import SEGMENTS_PER_MMSI, segment_order

    rng = np.random.default_rng(3)
    vessel = np.sort(rng.integers(1, 50, 5_000)).astype(np.int64)
    seg = vessel * SEGMENTS_PER_MMSI + np.where(np.isin(vessel, [7, 30]), rng.integers(0, 3, vessel.size), 0)
    t_us = np.arange(vessel.size, dtype=np.int64)
    order = segment_order(seg, t_us)
    assert np.array_equal(order, np.lexsort((t_us, seg)))
    untouched = ~np.isin(vessel, [7, 30])
    assert np.array_equal(order[untouched], np.flatnonzero(untouched))
    assert segment_order(np.sort(seg), t_us) is None


def test_segment_order_with_spread_segment_numbers_and_unsorted_vessels_matches_a_full_sort():
    from darkfleet.clean.segment import SEGMENTS_PER_MMSI, segment_order

    rng = np.random.default_rng(5)
    vessel = np.sort(rng.integers(1, 20, 3_000)).astype(np.int64)
    # vessel 4 numbers its segments far apart (more numbers than rows: a merge sort, not a count)
    number = np.where(vessel == 4, rng.choice([0, 90_000, 900_000], vessel.size), rng.integers(0, 4, vessel.size))
    seg = vessel * SEGMENTS_PER_MMSI + number
    t_us = rng.integers(0, 10, vessel.size).cumsum()
    assert np.array_equal(segment_order(seg, t_us), np.lexsort((t_us, seg)))
    shuffled = rng.permutation(vessel.size)  # rows not by vessel: the full sort decides
    assert np.array_equal(segment_order(seg[shuffled], t_us[shuffled]), np.lexsort((t_us[shuffled], seg[shuffled])))
