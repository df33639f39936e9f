"""The Dask engine: the same stage functions, run on a dask.distributed cluster.

``map_groups`` partitions rows by the group keys so each task holds whole vessels (MMSI
ranges balanced by row count for one integer key, hashes otherwise); ``map_cells`` sends
blocks of space cells plus a halo of neighbour cells and keeps only the results each
block's core owns, so a pair on a block boundary is found once.
Inputs reach workers as staged Arrow IPC files, so a task whose worker dies is simply run
again elsewhere and the run completes with the same result.

Results come back in a deterministic order: ``map_groups`` rows are ordered by the group
keys (each group keeps the order ``fn`` gave it; range parts are simply concatenated, hash
parts stably sorted), which is the embedded engine's order for group-major stages;
``map_cells`` rows come task by task.

Connect to a running scheduler with ``scheduler="tcp://HOST:PORT"`` (then pass a
``staging_dir`` every worker can read, e.g. ``s3://bucket/tmp``, or inputs travel inside
the tasks), or let the engine start a ``LocalCluster`` of worker processes.
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from darkfleet._progress import track
from darkfleet.engine.base import Engine, FrameFn
from darkfleet.engine.partition import CELL_TASK_ROWS, hash_partitions, iter_cell_tasks, range_partitions
from darkfleet.engine.staging import Staging, run_cell_task, run_group_task
from darkfleet.errors import ConfigError, require

DEFAULT_PRELOAD = ("darkfleet.detect.pipeline", "darkfleet.detect.partitioned")  # a module name: the engine never imports stages itself


class DaskEngine(Engine):
    """Runs stage functions on dask.distributed workers. Close it (or use ``with``) when done."""

    name = "dask"
    in_process = False

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int = 2,
        threads_per_worker: int = 1,
        partitions_per_worker: int = 4,
        block_cells: int = 5,
        staging_dir: str | None = None,
        memory_limit: str | float | None = "auto",
        connect_timeout_s: float = 20.0,
        preload: Sequence[str] = DEFAULT_PRELOAD,
    ) -> None:
        distributed = require("distributed", "dask")
        if workers < 1 or threads_per_worker < 1 or partitions_per_worker < 1:
            raise ConfigError("workers, threads per worker and partitions per worker must be at least 1",
                              workers=workers)
        if block_cells < 3:
            raise ConfigError("block_cells must be at least 3 (a block is wider than its two halos)",
                              block_cells=block_cells)
        self.partitions_per_worker = partitions_per_worker
        self.block_cells = block_cells
        self._cluster = None
        self._own_staging: str | None = None
        try:
            if scheduler:
                self.client = distributed.Client(scheduler, timeout=f"{connect_timeout_s}s")
            else:
                self._cluster = distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=threads_per_worker, processes=True,
                    dashboard_address=":0", memory_limit=memory_limit,
                )
                self.client = distributed.Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler: {exc}", scheduler=scheduler) from exc
        if staging_dir is None and scheduler is None:
            # workers of a local cluster share this machine's disk
            staging_dir = self._own_staging = tempfile.mkdtemp(prefix="darkfleet-dask-")
        self.staging = Staging(staging_dir) if staging_dir else None
        # import the stage code on every worker now, so the first task does not pay for it
        for module in preload:
            self.client.run(importlib.import_module, module)

    # -- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> "DaskEngine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
        if self._own_staging is not None:
            shutil.rmtree(self._own_staging, ignore_errors=True)

    @property
    def n_workers(self) -> int:
        return max(1, len(self.client.scheduler_info()["workers"]))

    @property
    def parallelism(self) -> int:
        return self.n_workers

    # -- Engine --------------------------------------------------------------------------
    def map_groups(self, frame: pl.DataFrame, by: str | Sequence[str], fn: FrameFn) -> pl.DataFrame:
        keys = [by] if isinstance(by, str) else list(by)
        n_parts = self.n_workers * self.partitions_per_worker
        if len(keys) == 1 and frame.schema.get(keys[0], pl.String).is_integer():
            parts = range_partitions(frame, keys[0], n_parts)
        else:
            parts = hash_partitions(frame, keys, n_parts)
        if not parts:
            return fn(frame)
        futures = [self.client.submit(run_group_task, self._ship(p), fn, self._out, pure=False) for p in parts]
        result = _concat(self._gather(futures, "per-vessel stage"))
        if len(keys) == 1 and result[keys[0]].is_sorted():
            return result  # range parts came back in key order: already what one process gives
        return result.sort(keys, maintain_order=True)

    def map_cells(self, frame: pl.DataFrame, cell_cols: Sequence[str], fn: FrameFn, halo: int = 1,
                  sink: FrameFn | None = None) -> pl.DataFrame:
        if frame.height == 0:
            return sink(fn(frame)) if sink else fn(frame)
        n_tasks = max(self.n_workers * self.partitions_per_worker, -(-frame.height // CELL_TASK_ROWS))
        # one task's rows are copied out at a time and shipped at once: the driver never holds all copies
        tasks = iter_cell_tasks(frame, cell_cols, n_tasks, self.block_cells, halo)
        futures = [
            self.client.submit(run_cell_task, self._ship(t.rows), t.blocks, fn, list(cell_cols), self.block_cells,
                               self._out, sink, pure=False)
            for t in tasks
        ]
        return _concat(self._gather(futures, "cell search"))

    def map_tasks(self, fn: Callable[..., Any], calls: Sequence[tuple], description: str = "tasks",
                  threads: int = 1) -> list[Any]:
        from distributed import as_completed

        futures = [self.client.submit(fn, *args, pure=False) for args in calls]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(futures)
        # take each result as it completes and release it, so finished results do not pile up on workers
        for future in track(as_completed(futures), description, total=len(futures)):
            results[index[future.key]] = future.result()
            future.release()
        return results

    def scratch_root(self) -> str | None:
        if self.staging is None:
            raise ConfigError("a remote Dask cluster needs staging_dir on storage every worker reads "
                              "(e.g. s3://bucket/tmp) to process inputs larger than memory")
        return self.staging.url

    def collect(self, frame: Any) -> pl.DataFrame:
        if isinstance(frame, pl.LazyFrame):
            return frame.collect()
        if hasattr(frame, "result"):  # a distributed Future holding a frame
            return frame.result()
        return frame

    # -- internals -----------------------------------------------------------------------
    @property
    def _out(self) -> str | None:
        return self.staging.url if self.staging is not None else None

    def _ship(self, frame: pl.DataFrame) -> str | pl.DataFrame:
        return self.staging.put(frame) if self.staging is not None else frame

    def _gather(self, futures: list, description: str) -> list[pl.DataFrame]:
        from distributed import as_completed

        try:
            for _ in track(as_completed(futures), description, total=len(futures)):
                pass
            results = self.client.gather(futures)
            if self.staging is None:
                return results
            return [self.staging.take(r) for r in results]
        finally:
            if self.staging is not None:
                self.staging.clear()


def _concat(results: list[pl.DataFrame]) -> pl.DataFrame:
    non_empty = [r for r in results if r.height]
    return pl.concat(non_empty or results[:1], how="vertical")
