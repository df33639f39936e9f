"""Frames handed between tasks as files: several frames in one Arrow IPC file, each read back alone."""

from __future__ import annotations

import polars as pl
import pytest

from darkfleet.engine.staging import load_part, write_parts


def _frames() -> dict[int, pl.DataFrame]:
    # the second frame in two chunks: a part may span several record batches
    two_chunks = pl.concat([pl.DataFrame({"mmsi": [5, 6], "lat": [1.0, 2.0]}),
                            pl.DataFrame({"mmsi": [7], "lat": [None]}, schema={"mmsi": pl.Int64, "lat": pl.Float64})],
                           rechunk=False)
    return {3: pl.DataFrame({"mmsi": [1, 2], "lat": [10.5, -3.25]}), 0: two_chunks, 9: pl.DataFrame({"mmsi": [8], "lat": [0.0]})}


@pytest.mark.parametrize("root", ["local", "memory://darkfleet-staging-test"])
def test_each_part_reads_back_alone(root, tmp_path) -> None:
    frames = _frames()
    parts = write_parts(str(tmp_path) if root == "local" else root, frames)
    assert set(parts) == set(frames)
    assert len({p.url for p in parts.values()}) == 1  # one file for the lot
    assert parts[0].n_batches == 2
    for key, frame in frames.items():
        assert load_part(parts[key]).equals(frame)


def test_nothing_to_write_writes_no_file(tmp_path) -> None:
    assert write_parts(str(tmp_path), {}) == {}
    assert list(tmp_path.iterdir()) == []
