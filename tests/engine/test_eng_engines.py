"""One suite, both engines: the Dask engine (a real LocalCluster of 2 worker processes) must
give the embedded engine's events row for row, with the same event ids, also when a worker
dies in the middle of a run."""

from __future__ import annotations

import math
import os
from datetime import datetime, timedelta, timezone

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from darkfleet import schema
from darkfleet.detect.output import write_outputs
from darkfleet.detect.partitioned import partition_task, run_detection_partitioned
from darkfleet.detect.pipeline import run_detection
from darkfleet.engine.dataset import write_days
from darkfleet.engine.base import Engine
from darkfleet.engine.factory import get_engine

pytest.importorskip("distributed", reason="the dask extra is not installed")

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
M_PER_DEG = 111_195.0


@pytest.fixture(scope="module")
def dask_engine():
    engine = get_engine("dask", workers=2, partitions_per_worker=2, block_cells=3)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def scenario():
    from darkfleet.simulate import simulate

    return simulate("tiny", seed=3)


def _track(mmsi: int, lat: float, lon: float, hours: float, east_kn: float, t0: datetime = T0, step_s: int = 60) -> pl.DataFrame:
    """Reports every ``step_s`` seconds of a vessel drifting east at ``east_kn``."""
    n = int(hours * 3600 / step_s) + 1
    t_s = np.arange(n) * step_s
    lon_deg = lon + east_kn * 1852 / 3600 * t_s / (M_PER_DEG * math.cos(math.radians(lat)))
    return pl.DataFrame({
        "mmsi": np.full(n, mmsi, np.int64),
        "timestamp_utc": pl.Series([t0 + timedelta(seconds=int(s)) for s in t_s], dtype=pl.Datetime("us", "UTC")),
        "lat": np.full(n, lat), "lon": lon_deg, "sog_kn": np.full(n, east_kn, np.float32),
        "cog_deg": np.full(n, 90.0, np.float32), "heading_deg": np.full(n, 90, np.int16),
        "nav_status": np.zeros(n, np.int8), "msg_type": np.ones(n, np.int8),
        "source_id": np.ones(n, np.int32), "line_no": np.arange(n, dtype=np.int64),
    })


def _hand_made() -> pl.DataFrame:
    """Pairs meeting across a space-block boundary (lon 3.0 with 3-degree blocks) far from
    ports, a lone sailing vessel, one that goes silent, and two moored side by side in port."""
    lat = 36.2  # open Mediterranean south of Sicily
    frames = [
        _track(247000001, lat, 2.98, 6, 0.8), _track(247000002, lat + 0.002, 2.98, 6, 0.8),  # crosses lon 3.0
        _track(247000003, lat - 1.0, 5.97, 6, 1.2), _track(247000004, lat - 1.0 - 0.003, 5.971, 6, 1.2),  # crosses 6.0
        _track(247000005, lat + 1.5, 8.0, 8, 10.0),
        _track(247000006, lat + 2.0, 4.0, 3, 9.0),
        _track(247000006, lat + 2.0, 4.5, 3, 9.0, t0=T0 + timedelta(hours=11)),  # 8 h of silence
        _track(235000007, 50.765, -1.295, 6, 0.0), _track(235000008, 50.7652, -1.295, 6, 0.0),  # moored at Cowes
    ]
    return pl.concat(frames)


def _assert_same_events(reference: pl.DataFrame, other: pl.DataFrame) -> None:
    assert other["event_id"].to_list() == reference["event_id"].to_list()
    assert other.equals(reference)


@pytest.fixture(scope="module")
def embedded_hand_made():
    return run_detection(_hand_made(), engine=get_engine("embedded"))


@pytest.fixture(scope="module")
def embedded_scenario(scenario):
    return run_detection(scenario.positions, scenario.static, engine=get_engine("embedded"))


@pytest.fixture(params=["embedded", "embedded-blocks", "embedded-split", "dask"])
def engine(request) -> Engine:
    from darkfleet.engine.embedded import EmbeddedEngine

    if request.param == "embedded-blocks":  # a big frame's cell search, block by block in one process
        return EmbeddedEngine(cell_task_rows=2_000, block_cells=3)
    if request.param == "embedded-split":  # per-vessel stages on two key ranges in two threads, even small ones
        return EmbeddedEngine(split_rows=1_000)
    return get_engine("embedded") if request.param == "embedded" else request.getfixturevalue("dask_engine")


def test_hand_made_frame_finds_the_boundary_encounters(engine, embedded_hand_made) -> None:
    result = run_detection(_hand_made(), engine=engine)
    encounters = result.events.filter(pl.col("event_type") == "encounter")
    pairs = set(zip(encounters["mmsi"].to_list(), encounters["other_mmsi"].to_list()))
    # each pair drifts across a block boundary and is still one encounter of the whole 6 h
    assert pairs == {(247000001, 247000002), (247000003, 247000004), (235000007, 235000008)}
    at_sea = encounters.filter(~pl.col("in_port"))
    assert at_sea["mmsi"].to_list() == [247000001, 247000003]
    minutes = (at_sea["end_utc"] - at_sea["start_utc"]).dt.total_minutes().to_list()
    assert all(m >= 5.5 * 60 for m in minutes)
    gaps = result.events.filter(pl.col("event_type") == "gap")
    assert gaps["mmsi"].to_list() == [247000006]
    _assert_same_events(embedded_hand_made.events, result.events)


def test_scenario_events_parquet_identical(engine, scenario, embedded_scenario, tmp_path) -> None:
    result = run_detection(scenario.positions, scenario.static, engine=engine)
    assert result.events.height > 50  # the scenario plants every behaviour
    assert result.summary["engine"] == engine.name
    _assert_same_events(embedded_scenario.events, result.events)
    assert result.segments.equals(embedded_scenario.segments)
    write_outputs(tmp_path / "a", embedded_scenario.events, embedded_scenario.segments, {})
    write_outputs(tmp_path / "b", result.events, result.segments, {})
    assert pq.read_table(tmp_path / "b" / "events.parquet").equals(pq.read_table(tmp_path / "a" / "events.parquet"))


@pytest.fixture(scope="module")
def scenario_files(scenario, tmp_path_factory):
    """The scenario as a day-partitioned positions dataset (small row groups: several input
    slices per file) and a static Parquet file."""
    root = tmp_path_factory.mktemp("scenario-files")
    write_days(scenario.positions, str(root / "positions"))
    pq.write_table(scenario.static, root / "static.parquet", row_group_size=5_000)
    return root / "positions", root / "static.parquet"


def _partitioned(files, engine: Engine):
    positions, static = files
    # ~180 k positions in 100 k-row partitions split from 40 k-row slices (the big-input path, scaled down)
    return run_detection_partitioned([positions], [static], engine=engine, partition_rows=40_000)


def test_partitioned_run_equals_the_in_memory_run(engine, scenario_files, embedded_scenario) -> None:
    result = _partitioned(scenario_files, engine)
    assert result.summary["partitions"] >= 4
    assert result.summary["engine"] == engine.name
    # the day layout reorders rows across midnight, which only changes the out-of-order count
    ignore = {"out_of_order"}
    assert {k: v for k, v in result.summary["input"].items() if k not in ignore} == {
        k: v for k, v in embedded_scenario.summary["input"].items() if k not in ignore}
    assert result.summary["grid_points"] == embedded_scenario.summary["grid_points"]
    _assert_same_events(embedded_scenario.events, result.events)
    assert result.segments.equals(embedded_scenario.segments)


def test_partitioned_run_survives_a_worker_dying(dask_engine, scenario_files, embedded_scenario, tmp_path) -> None:
    marker = tmp_path / "crashed"
    result = _partitioned(scenario_files, _CrashFirstTask(dask_engine, str(marker)))
    assert marker.exists()
    dask_engine.client.wait_for_workers(2, timeout=60)
    _assert_same_events(embedded_scenario.events, result.events)


def test_pairs_spilled_in_slices_give_the_same_events(engine, monkeypatch, scenario, embedded_scenario) -> None:
    import darkfleet.detect.pipeline as pipeline

    # a big grid's path, scaled down: pairs written to files by slice of MMSI, runs formed per slice
    monkeypatch.setattr(pipeline, "SPILL_PAIRS_ABOVE_GRID_ROWS", 1_000)
    monkeypatch.setattr(pipeline, "PAIR_SLICE_GRID_ROWS", 3_000)
    monkeypatch.setattr(pipeline, "PAIR_BATCH_ROWS", 500)  # runs formed on many batches of slices
    result = run_detection(scenario.positions, scenario.static, engine=engine)
    assert (result.events["event_type"] == "encounter").sum() > 0
    _assert_same_events(embedded_scenario.events, result.events)


def test_pair_batches_hold_whole_slices_within_the_row_budget() -> None:
    from darkfleet.detect.pipeline import _pair_batches

    files = pl.DataFrame({"slice": [2, 0, 1, 0, 3], "path": ["c", "a1", "b", "a2", "d"], "batch": [0, 1, 2, 3, 4],
                          "rows": [3, 2, 4, 1, 9]})
    # slice 0 (3 rows) and 1 (4) exceed 5 together; slice 3 alone exceeds the budget
    assert [b["path"].to_list() for b in _pair_batches(files, 5)] == [["a1", "a2"], ["b"], ["c"], ["d"]]
    assert [b["batch"].to_list() for b in _pair_batches(files, 100)] == [[1, 3, 2, 0, 4]]


def test_map_groups_returns_the_embedded_rows_in_order(dask_engine) -> None:
    frame = _hand_made().sort("mmsi", "timestamp_utc")
    fn = lambda f: f.with_columns(pl.col("lon").diff().over("mmsi").alias("dlon"))  # noqa: E731
    assert dask_engine.map_groups(frame, "mmsi", fn).equals(get_engine("embedded").map_groups(frame, "mmsi", fn))


def test_scheduler_address_joins_a_running_cluster(dask_engine, embedded_hand_made) -> None:
    address = dask_engine.client.scheduler.address
    assert address.startswith("tcp://")
    with get_engine("dask", scheduler=address) as remote:
        assert remote.staging is None  # no shared folder given: inputs travel inside the tasks
        assert remote.n_workers == 2
        result = run_detection(_hand_made(), engine=remote)
    _assert_same_events(embedded_hand_made.events, result.events)
    assert dask_engine.client.scheduler_info()["workers"]  # closing the client left the cluster up


class _CrashFirstTask(Engine):
    """The Dask engine, except the first per-vessel task kills its worker process mid-task."""

    name = "dask"

    def __init__(self, inner: Engine, marker: str) -> None:
        self.inner, self.marker = inner, marker

    def map_groups(self, frame, by, fn):
        return self.inner.map_groups(frame, by, _crash_once(fn, self.marker))

    def map_cells(self, frame, cell_cols, fn, halo=1, sink=None):
        return self.inner.map_cells(frame, cell_cols, fn, halo, sink)

    def map_tasks(self, fn, calls, description="tasks", threads=1):
        # the split tasks run first; crash in the first per-vessel partition task
        if fn is not partition_task:
            return self.inner.map_tasks(fn, calls, description, threads)
        return self.inner.map_tasks(_crash_once(fn, self.marker), calls, description, threads)

    def scratch_root(self):
        return self.inner.scratch_root()

    def collect(self, frame):
        return self.inner.collect(frame)


def _crash_once(fn, marker: str):
    def crashing(*args):
        if not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(3)  # the worker process dies as if killed
        return fn(*args)

    return crashing


def test_run_survives_a_worker_dying_mid_run(dask_engine, scenario, embedded_scenario, tmp_path) -> None:
    marker = tmp_path / "crashed"
    workers_before = set(dask_engine.client.scheduler_info()["workers"])
    result = run_detection(scenario.positions, scenario.static, engine=_CrashFirstTask(dask_engine, str(marker)))
    assert marker.exists()  # a worker really died
    dask_engine.client.wait_for_workers(2, timeout=60)
    assert set(dask_engine.client.scheduler_info()["workers"]) != workers_before  # and was replaced
    _assert_same_events(embedded_scenario.events, result.events)
    assert schema.conform(result.events.to_arrow(), schema.EVENTS).num_rows == embedded_scenario.events.height


def test_embedded_cell_tasks_run_two_at_a_time_in_order() -> None:
    import threading
    import time

    from darkfleet.engine.embedded import _in_order_bounded

    lock = threading.Lock()
    live = {"drawn": 0, "done": 0, "most": 0}

    def items():
        for i in range(9):
            with lock:
                live["drawn"] += 1
                live["most"] = max(live["most"], live["drawn"] - live["done"])
            yield i

    def work(i: int) -> int:
        time.sleep(0.01 * (i % 3))  # later items often finish first
        with lock:
            live["done"] += 1
        return i * i

    assert _in_order_bounded(work, items(), 2) == [i * i for i in range(9)]
    assert live["most"] <= 2  # an item is drawn (its rows copied) only once a thread is free


@pytest.mark.parametrize("remote", [False, True])
def test_spilled_pair_slices_read_back_by_batch(tmp_path, remote: bool) -> None:
    from darkfleet.detect.pipeline import _load_pairs, _pair_batches, _spill_fn

    root = f"memory://spill-{tmp_path.name}" if remote else str(tmp_path)
    pairs = pl.DataFrame({"mmsi": np.arange(40) % 7, "other_mmsi": np.arange(40) + 100, "cell_y": 0, "cell_x": 0})
    sink = _spill_fn(root, 4)
    files = pl.concat([sink(pairs.head(25)), sink(pairs.tail(15))])
    assert files["path"].n_unique() == 2  # one file per task, a record batch per slice
    batches = list(_pair_batches(files, 15))
    loaded = [_load_pairs(b) for b in batches]
    assert sum(b.height for b in loaded) == 40 and all(b.columns == ["mmsi", "other_mmsi"] for b in loaded)
    for batch, frame in zip(batches, loaded):
        assert set((frame["mmsi"] % 4).to_list()) == set(batch["slice"].to_list())  # whole slices only
    assert pl.concat(loaded).sort("other_mmsi").equals(pairs.drop("cell_y", "cell_x"))
