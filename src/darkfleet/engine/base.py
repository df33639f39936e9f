"""The small interface every detection stage runs through.

Stages are pure functions of Polars frames. The engine decides how the data is partitioned
and where the function runs, under three data-parallel contracts:

* :meth:`Engine.map_groups`: ``fn`` receives frames that each hold *complete* groups of the
  ``by`` columns (e.g. every report of an MMSI) and must not rely on seeing anything else.
* :meth:`Engine.map_tasks`: independent calls ``fn(*args)`` (e.g. one per MMSI partition of
  an input too large for memory) whose arguments are small (paths, numbers) and whose
  results are small; each call reads and writes its own files under :meth:`Engine.scratch_root`,
  and may run at the same time as others (in threads or processes).
* :meth:`Engine.map_cells`: ``fn`` receives frames that each hold every row of a block of
  space cells plus a halo of ``halo`` neighbouring cells, so pairs closer than a cell are
  never split. ``fn`` returns rows carrying the same ``cell_cols`` naming the cell that owns
  each result; an engine that partitions keeps only results owned by a partition's core.

The embedded engine runs everything in-process; a distributed engine (e.g. Dask) can
implement the same methods without any stage changing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

FrameFn = Callable[[pl.DataFrame], pl.DataFrame]


class Engine(ABC):
    """Runs stage functions over partitions of a frame."""

    name: str = "abstract"
    # map_tasks runs its calls in this process: calls run at once share its memory and cores
    in_process: bool = True

    @abstractmethod
    def map_groups(self, frame: pl.DataFrame, by: str | Sequence[str], fn: FrameFn) -> pl.DataFrame:
        """Apply ``fn`` to partitions holding complete groups of ``by``; concatenate the results."""

    @abstractmethod
    def map_cells(self, frame: pl.DataFrame, cell_cols: Sequence[str], fn: FrameFn, halo: int = 1,
                  sink: FrameFn | None = None) -> pl.DataFrame:
        """Apply ``fn`` to blocks of space cells with a halo of neighbour cells; keep core-owned
        results. With ``sink``, each task's owned results go through ``sink`` where the task ran
        (e.g. written to files) and the sink's small outputs are returned instead."""

    @abstractmethod
    def collect(self, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
        """Materialise a (possibly lazy or remote) frame locally."""

    def map_tasks(self, fn: Callable[..., Any], calls: Sequence[tuple], description: str = "tasks",
                  threads: int = 1) -> list[Any]:
        """``[fn(*args) for args in calls]``, run where the engine places work; results in call order.

        The base implementation runs the calls in this process, ``threads`` at a time (one by
        default, so only one call's data is in memory at a time; more only for calls whose data
        is small next to memory, e.g. cutting input slices). A distributed engine runs the calls
        on its workers whatever ``threads`` says."""
        from darkfleet._progress import track

        if threads <= 1 or len(calls) <= 1:
            return [fn(*args) for args in track(calls, description, total=len(calls))]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads, thread_name_prefix="darkfleet-tasks") as pool:
            return list(track(pool.map(lambda args: fn(*args), calls), description, total=len(calls)))

    @property
    def parallelism(self) -> int:
        """How many tasks run at once (worker processes); 1 for an in-process engine."""
        return 1

    def scratch_root(self) -> str | None:
        """A folder (path or fsspec URL) every task of this engine can read and write, or None
        for a private temporary folder of this process."""
        return None
