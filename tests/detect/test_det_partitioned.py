import polars as pl
import pytest

from darkfleet.detect.partitioned import run_detection_partitioned
from darkfleet.detect.pipeline import run_detection


@pytest.mark.parametrize("n_partitions", [1, 4])  # 1: the task reads the input itself, no split
def test_partitioned_detection_equals_the_in_memory_run(tmp_path, n_partitions):
    simulate = pytest.importorskip("darkfleet.simulate").simulate
    sim = simulate("tiny", 0)
    path = tmp_path / "positions.parquet"
    pl.from_arrow(sim.positions).write_parquet(path, row_group_size=20_000)
    static = pl.from_arrow(sim.static)
    whole = run_detection(sim.positions, static)
    parted = run_detection_partitioned([path], static, n_partitions=n_partitions)
    assert parted.summary["partitions"] == n_partitions
    assert parted.summary["input"] == whole.summary["input"]
    assert parted.summary["events"] == whole.summary["events"]
    assert sorted(parted.events["event_id"].to_list()) == sorted(whole.events["event_id"].to_list())
    assert parted.segments.height == whole.segments.height


def test_split_files_are_compressed_unless_the_page_cache_holds_them(monkeypatch) -> None:
    import darkfleet.detect.partitioned as partitioned
    from darkfleet.engine.embedded import EmbeddedEngine

    monkeypatch.setattr(partitioned, "_available_memory_bytes", lambda: 10 * 2**30)
    rows_fitting = 10 * 2**30 // (2 * partitioned.SPLIT_BYTES_PER_ROW) - 1
    assert partitioned.split_compression(rows_fitting, EmbeddedEngine()) == "uncompressed"
    assert partitioned.split_compression(rows_fitting * 2, EmbeddedEngine()) == "lz4"

    class Remote(EmbeddedEngine):
        in_process = False

    assert partitioned.split_compression(rows_fitting, Remote()) == "lz4"
