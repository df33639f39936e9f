"""The default single-machine engine: one partition, Polars' own threads do the parallel work."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from darkfleet.engine.base import Engine, FrameFn
from darkfleet.engine.partition import CELL_TASK_ROWS, iter_cell_tasks, keep_owned


class EmbeddedEngine(Engine):
    """Everything in one process. Groups are never split; a cell search over more than
    ``cell_task_rows`` rows runs block by block with a halo, like the Dask engine's tasks."""

    name = "embedded"

    def __init__(self, cell_task_rows: int = CELL_TASK_ROWS, block_cells: int = 5) -> None:
        self.cell_task_rows = cell_task_rows
        self.block_cells = block_cells

    def map_groups(self, frame: pl.DataFrame, by: str | Sequence[str], fn: FrameFn) -> pl.DataFrame:
        return fn(frame)

    def map_cells(self, frame: pl.DataFrame, cell_cols: Sequence[str], fn: FrameFn, halo: int = 1,
                  sink: FrameFn | None = None) -> pl.DataFrame:
        finish = sink or (lambda result: result)
        if frame.height <= self.cell_task_rows:
            return finish(fn(frame))
        # a big frame goes block by block (a Dask task's work, in turn): the search's working
        # memory is one task's, and the owned results are exactly the whole frame's
        n_tasks = -(-frame.height // self.cell_task_rows)
        results = [
            finish(keep_owned(fn(task.rows), cell_cols, task.blocks, self.block_cells))
            for task in iter_cell_tasks(frame, cell_cols, n_tasks, self.block_cells, halo)
        ]
        return pl.concat([r for r in results if r.height] or results[:1])

    def collect(self, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
        return frame.collect() if isinstance(frame, pl.LazyFrame) else frame
