"""Partition plans of distributed engines, checked without a cluster: every group whole in one
part, and the block-with-halo plan finding every close pair exactly once."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from darkfleet.engine.partition import cell_tasks, hash_partitions, keep_owned, range_partitions

CELLS = ["cell_y", "cell_x"]


def _points(n: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    lat = rng.uniform(-3.0, 3.0, n)
    lon = rng.uniform(-4.0, 4.0, n)
    return pl.DataFrame({"id": np.arange(n), "lat": lat, "lon": lon}).with_columns(
        pl.col("lat").floor().cast(pl.Int64).alias("cell_y"), pl.col("lon").floor().cast(pl.Int64).alias("cell_x")
    )


def _close_pairs(frame: pl.DataFrame, max_deg: float = 0.6) -> pl.DataFrame:
    """Pairs of points closer than ``max_deg`` (planar), owned by the cell of their midpoint."""
    pairs = frame.join(frame, how="cross", suffix="_b").filter(pl.col("id") < pl.col("id_b"))
    near = ((pl.col("lat") - pl.col("lat_b")) ** 2 + (pl.col("lon") - pl.col("lon_b")) ** 2) <= max_deg**2
    return pairs.filter(near).select(
        "id", "id_b",
        ((pl.col("lat") + pl.col("lat_b")) / 2).floor().cast(pl.Int64).alias("cell_y"),
        ((pl.col("lon") + pl.col("lon_b")) / 2).floor().cast(pl.Int64).alias("cell_x"),
    )


def test_hash_partitions_keep_groups_whole_and_rows_once() -> None:
    frame = pl.DataFrame({"mmsi": np.repeat(np.arange(50), 7), "i": np.arange(350)})
    parts = hash_partitions(frame, "mmsi", 6)
    assert 1 < len(parts) <= 6
    seen = pl.concat(parts)
    assert sorted(seen["i"].to_list()) == list(range(350))
    owners = [set(p["mmsi"].unique().to_list()) for p in parts]
    for a in range(len(owners)):
        for b in range(a + 1, len(owners)):
            assert not owners[a] & owners[b]
    # rows keep their order inside a part (the stages rely on sorted input)
    assert all(p["i"].is_sorted() for p in parts)


def test_hash_partitions_are_deterministic() -> None:
    frame = pl.DataFrame({"mmsi": np.arange(1000) * 7919})
    first = [p["mmsi"].to_list() for p in hash_partitions(frame, ["mmsi"], 4)]
    again = [p["mmsi"].to_list() for p in hash_partitions(frame, ["mmsi"], 4)]
    assert first == again


@pytest.mark.parametrize(("block_cells", "n_tasks"), [(3, 4), (4, 3), (5, 7)])
def test_cell_tasks_find_every_pair_once(block_cells: int, n_tasks: int) -> None:
    frame = _points(900)
    whole = _close_pairs(frame).sort("id", "id_b")
    tasks = cell_tasks(frame, CELLS, n_tasks, block_cells=block_cells, halo=1)
    assert 1 < len(tasks) <= n_tasks
    found = pl.concat([keep_owned(_close_pairs(t.rows), CELLS, t.blocks, block_cells) for t in tasks]).sort("id", "id_b")
    assert found.height == whole.height
    assert found.equals(whole)


def test_cell_tasks_hold_each_row_once_and_cover_every_core() -> None:
    frame = _points(500, seed=3)
    tasks = cell_tasks(frame, CELLS, 3, block_cells=3, halo=1)
    for task in tasks:
        assert task.rows["id"].n_unique() == task.rows.height
    cores = pl.concat([t.blocks for t in tasks])
    assert cores.height == cores.unique().height  # a block belongs to one task
    expected = frame.select((pl.col("cell_y") // 3).alias("y"), (pl.col("cell_x") // 3).alias("x")).unique()
    assert cores.height == expected.height


def test_cell_tasks_reject_a_halo_wider_than_the_block() -> None:
    with pytest.raises(ValueError, match="halo"):
        cell_tasks(_points(10), CELLS, 2, block_cells=2, halo=1)


def test_empty_frames_make_no_work() -> None:
    empty = _points(0)
    assert hash_partitions(empty, "id", 4) == []
    assert cell_tasks(empty, CELLS, 4) == []


@pytest.mark.parametrize("presorted", [True, False])
def test_range_partitions_keep_groups_whole_in_key_order(presorted: bool) -> None:
    rng = np.random.default_rng(11)
    frame = pl.DataFrame({"mmsi": rng.integers(0, 300, 5000), "i": np.arange(5000)})
    if presorted:
        frame = frame.sort("mmsi", maintain_order=True)
    parts = range_partitions(frame, "mmsi", 5)
    assert 3 <= len(parts) <= 5
    assert sorted(pl.concat(parts)["i"].to_list()) == list(range(5000))
    for before, after in zip(parts[:-1], parts[1:]):
        assert before["mmsi"].max() < after["mmsi"].min()  # whole groups, ranges in key order
    if not presorted:
        assert all(p["i"].is_sorted() for p in parts)  # rows keep their relative order
    assert max(p.height for p in parts) < 2 * 5000 / 5  # balanced by rows
    if presorted:
        assert pl.concat(parts).equals(frame)


def test_range_partitions_slice_a_nearly_sorted_frame_between_interleaved_runs() -> None:
    # segment ids of points sorted by vessel: two segments of a vessel interleave in time,
    # but every vessel's ids lie above the previous vessel's
    ids = np.concatenate([np.tile([v * 10, v * 10 + 1], 20) for v in range(50)])
    frame = pl.DataFrame({"segment_id": ids, "i": np.arange(ids.size)})
    parts = range_partitions(frame, "segment_id", 4)
    assert len(parts) == 4
    assert pl.concat(parts).equals(frame)  # slices in input order: nothing was routed
    for before, after in zip(parts[:-1], parts[1:]):
        assert before["segment_id"].max() < after["segment_id"].min()
    assert max(p.height for p in parts) < 2 * ids.size / 4


def test_range_partitions_route_an_unsorted_frame_by_value() -> None:
    frame = pl.DataFrame({"key": np.tile(np.arange(40), 10), "i": np.arange(400)})  # no clean cut at all
    parts = range_partitions(frame, "key", 4)
    assert len(parts) == 4
    for before, after in zip(parts[:-1], parts[1:]):
        assert before["key"].max() < after["key"].min()
    assert all(p["i"].is_sorted() for p in parts)


def test_range_partitions_of_one_big_group() -> None:
    frame = pl.DataFrame({"mmsi": np.full(100, 7)})
    assert [p.height for p in range_partitions(frame, "mmsi", 4)] == [100]
