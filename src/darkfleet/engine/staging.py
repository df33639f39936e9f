"""Hand partitions to workers as Arrow IPC files, and the task bodies workers run.

A task that reads its input from a file can be re-run anywhere: when a worker dies, the
scheduler simply runs its tasks again on another worker. (Data scattered into a worker's
memory would die with it.) Paths may be local or any fsspec URL that every worker sees.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import polars as pl

FrameFn = Callable[[pl.DataFrame], pl.DataFrame]


class Staging:
    """A folder (local path or fsspec URL) holding the IPC files of one engine."""

    def __init__(self, root: str) -> None:
        import fsspec

        self.fs, self.root = fsspec.core.url_to_fs(root)
        self.protocol = root.split("://", 1)[0] + "://" if "://" in root else ""
        self.fs.makedirs(self.root, exist_ok=True)
        self._written: list[str] = []

    def put(self, frame: pl.DataFrame) -> str:
        """Write ``frame`` uncompressed (read back at memory speed); return its URL."""
        path = f"{self.root}/{uuid.uuid4().hex}.arrow"
        with self.fs.open(path, "wb") as handle:
            frame.write_ipc(handle, compression="uncompressed")
        self._written.append(path)
        return self.protocol + path

    def clear(self) -> None:
        """Delete the files written so far (after their tasks finished)."""
        for path in self._written:
            self.fs.rm_file(path)
        self._written.clear()


def load(source: str | pl.DataFrame) -> pl.DataFrame:
    """A task's input: a staged file URL, or a frame shipped inside the task itself."""
    if isinstance(source, pl.DataFrame):
        return source
    if "://" not in source:
        return pl.read_ipc(source)
    import fsspec

    with fsspec.open(source, "rb") as handle:
        return pl.read_ipc(handle)


def run_group_task(source: str | pl.DataFrame, fn: FrameFn) -> pl.DataFrame:
    """Body of a ``map_groups`` task."""
    return fn(load(source))


def run_cell_task(
    source: str | pl.DataFrame, blocks: pl.DataFrame, fn: FrameFn, cell_cols: Sequence[str], block_cells: int
) -> pl.DataFrame:
    """Body of a ``map_cells`` task: run ``fn`` on core + halo rows, keep what the core owns."""
    from darkfleet.engine.partition import keep_owned

    return keep_owned(fn(load(source)), cell_cols, blocks, block_cells)
