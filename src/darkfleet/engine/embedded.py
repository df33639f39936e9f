"""The default single-machine engine: everything in this process, per-vessel stages on two
contiguous key ranges and big cell searches two blocks' tasks at a time, in two threads
(Polars and Numba release the GIL)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import polars as pl

from darkfleet.engine.base import Engine, FrameFn
from darkfleet.engine.partition import CELL_TASK_ROWS, iter_cell_tasks, keep_owned, range_partitions
from darkfleet.engine.stage_graph import STAGE_THREADS, numba_launch_is_threadsafe

T = TypeVar("T")
R = TypeVar("R")
# cells per block side of a cell search: a block's halo (1 cell each side) adds (b + 2)^2 / b^2
# of its rows, 1.96x at 5 and 1.44x at 10 (on 100 M positions' grid, 10 instead of 5 cut the
# pairs found and then dropped as a halo's from 6.4 M to 4.4 M, and the largest task's pairs too)
BLOCK_CELLS = 10
# below this many rows a per-vessel stage runs whole: threads would cost more than they save
SPLIT_GROUPS_ABOVE_ROWS = 200_000


class EmbeddedEngine(Engine):
    """Everything in one process. A per-vessel stage over more than ``split_rows`` rows runs
    on ``threads`` ranges of one integer key at once (groups are never split); a cell search
    over more than ``cell_task_rows`` rows runs block by block with a halo, like the Dask
    engine's tasks, ``threads`` tasks at a time."""

    name = "embedded"

    def __init__(self, cell_task_rows: int = CELL_TASK_ROWS, block_cells: int = BLOCK_CELLS, threads: int = STAGE_THREADS,
                 split_rows: int = SPLIT_GROUPS_ABOVE_ROWS) -> None:
        self.cell_task_rows = cell_task_rows
        self.block_cells = block_cells
        self.threads = threads
        self.split_rows = split_rows

    def map_groups(self, frame: pl.DataFrame, by: str | Sequence[str], fn: FrameFn) -> pl.DataFrame:
        keys = [by] if isinstance(by, str) else list(by)
        if (self.threads <= 1 or frame.height <= self.split_rows or len(keys) != 1
                or not frame.schema[keys[0]].is_integer() or not numba_launch_is_threadsafe()):
            return fn(frame)
        parts = range_partitions(frame, keys[0], self.threads)
        if len(parts) < 2:
            return fn(frame)
        with ThreadPoolExecutor(len(parts), thread_name_prefix="darkfleet-groups") as pool:
            results = list(pool.map(fn, parts))
        result = pl.concat([r for r in results if r.height] or results[:1])
        # as on Dask: ranges come in key order, so a stage that keeps its rows by key needs no sort
        return result if result[keys[0]].is_sorted() else result.sort(keys, maintain_order=True)

    def map_cells(self, frame: pl.DataFrame, cell_cols: Sequence[str], fn: FrameFn, halo: int = 1,
                  sink: FrameFn | None = None) -> pl.DataFrame:
        finish = sink or (lambda result: result)
        if frame.height <= self.cell_task_rows:
            return finish(fn(frame))
        # a big frame goes block by block (a Dask task's work), ``threads`` tasks at a time, each
        # of 1/threads of the rows: the search's working memory is one big task's, and the owned
        # results are exactly the whole frame's
        threads = self.threads if numba_launch_is_threadsafe() else 1
        n_tasks = -(-frame.height * threads // self.cell_task_rows)
        tasks = iter_cell_tasks(frame, cell_cols, n_tasks, self.block_cells, halo)
        results = _in_order_bounded(lambda task: finish(keep_owned(fn(task.rows), cell_cols, task.blocks,
                                                                   self.block_cells)), tasks, threads)
        return pl.concat([r for r in results if r.height] or results[:1])

    def collect(self, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
        return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def _in_order_bounded(fn: Callable[[T], R], items: Iterable[T], threads: int) -> list[R]:
    """``[fn(item) for item in items]`` on ``threads`` threads; the next item is drawn only once
    a thread is free, so at most ``threads`` items (e.g. copies of a task's rows) exist at once."""
    if threads <= 1:
        return [fn(item) for item in items]
    results: list[R] = []
    running: deque[Future[R]] = deque()
    with ThreadPoolExecutor(threads, thread_name_prefix="darkfleet-cells") as pool:
        for item in items:
            running.append(pool.submit(fn, item))
            if len(running) >= threads:
                results.append(running.popleft().result())
        results.extend(future.result() for future in running)
    return results
