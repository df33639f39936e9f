"""Run a pipeline's stages as a dependency graph on a few threads of this process.

Most stages are Polars queries and Numba kernels that release the GIL, so two stages whose
inputs are ready can share both cores instead of idling one of them between stages. Each
stage is a pure function of the results it names, so the results never depend on which
thread ran what or in which order: callers combine them by name, in a fixed order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit, prange

from darkfleet.errors import ConfigError

STAGE_THREADS = 2  # the cores detection is sized for; more threads only add memory at once


@dataclass(frozen=True)
class Stage:
    """``run(*results of needs)`` once every stage in ``needs`` has finished."""

    name: str
    run: Callable[..., Any]
    needs: tuple[str, ...] = ()


@dataclass
class StageRun:
    results: dict[str, Any]
    wall_s: dict[str, float]  # each stage's own wall time; stages overlap, so they add up to more than the run


def run_stages(stages: Sequence[Stage], threads: int = STAGE_THREADS) -> StageRun:
    """Every stage, at most ``threads`` at a time; among ready stages the one listed first
    starts first (list the longest chain first). With one thread (or when Numba's parallel
    kernels cannot be launched from two threads at once) the stages run in list order here."""
    _check_order(stages)
    if threads <= 1 or len(stages) <= 1 or not numba_launch_is_threadsafe():
        run = StageRun({}, {})
        for stage in stages:
            _run_one(stage, run)
        return run
    return _run_threaded(stages, threads)


def _check_order(stages: Sequence[Stage]) -> None:
    """Needs must name earlier stages: the list order is then a valid serial order, and the
    graph has no cycle."""
    seen: set[str] = set()
    for stage in stages:
        missing = [n for n in stage.needs if n not in seen]
        if missing or stage.name in seen:
            raise ConfigError("a stage must come after the stages it needs, once", stage=stage.name,
                              needs=missing or None)
        seen.add(stage.name)


def _run_one(stage: Stage, run: StageRun) -> None:
    start = time.perf_counter()
    result = stage.run(*(run.results[n] for n in stage.needs))
    run.wall_s[stage.name] = round(time.perf_counter() - start, 4)
    run.results[stage.name] = result


def _run_threaded(stages: Sequence[Stage], threads: int) -> StageRun:
    run = StageRun({}, {})
    pending = list(stages)
    running: dict[Future, Stage] = {}
    failure: BaseException | None = None
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="darkfleet-stage") as pool:
        while pending or running:
            if failure is None:
                for stage in [s for s in pending if all(n in run.results for n in s.needs)]:
                    if len(running) >= threads:
                        break
                    pending.remove(stage)
                    running[pool.submit(_run_one, stage, run)] = stage
            if not running:
                break  # a failure left stages that can no longer start
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                del running[future]
                if future.exception() is not None and failure is None:
                    failure = future.exception()
    if failure is not None:
        raise failure
    return run


_THREADSAFE: bool | None = None


def numba_launch_is_threadsafe() -> bool:
    """Whether two threads may launch Numba ``parallel=True`` kernels at the same time: yes
    with the TBB or OpenMP threading layers, no with ``workqueue`` (the process aborts)."""
    global _THREADSAFE
    if _THREADSAFE is None:
        import numba

        try:
            layer = numba.threading_layer()
        except ValueError:  # no parallel kernel has run yet: the layer is chosen at the first launch
            _first_launch(np.zeros(2))
            layer = numba.threading_layer()
        _THREADSAFE = layer != "workqueue"
    return _THREADSAFE


@njit(parallel=True, cache=True)
def _first_launch(values):  # pragma: no cover - numba
    total = 0.0
    for i in prange(values.shape[0]):
        total += values[i]
    return total
