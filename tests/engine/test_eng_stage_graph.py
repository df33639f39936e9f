"""The stage graph: stages get the results they name, independent stages really run at the
same time, a failure surfaces as itself, and detection gives the same events on 1 or 2 threads."""

from __future__ import annotations

import threading

import pytest

from darkfleet.engine.stage_graph import Stage, numba_launch_is_threadsafe, run_stages
from darkfleet.errors import ConfigError


def test_each_stage_receives_the_results_it_needs_in_order() -> None:
    run = run_stages([
        Stage("a", lambda: 2),
        Stage("b", lambda: 3),
        Stage("c", lambda a, b: a * 10 + b, ("a", "b")),
        Stage("d", lambda c, a: (c, a), ("c", "a")),
    ])
    assert run.results == {"a": 2, "b": 3, "c": 23, "d": (23, 2)}
    assert set(run.wall_s) == {"a", "b", "c", "d"}


@pytest.mark.skipif(not numba_launch_is_threadsafe(), reason="stages run one at a time with Numba's workqueue layer")
def test_independent_stages_run_at_the_same_time() -> None:
    # each waits for the other at a barrier: only possible when both run at once
    meet = threading.Barrier(2, timeout=10)
    run = run_stages([Stage("left", lambda: meet.wait() is not None), Stage("right", lambda: meet.wait() is not None)],
                     threads=2)
    assert run.results == {"left": True, "right": True}


def test_one_thread_runs_the_list_in_order() -> None:
    order: list[str] = []
    stages = [Stage(name, lambda name=name: order.append(name)) for name in ("x", "y", "z")]
    run_stages(stages, threads=1)
    assert order == ["x", "y", "z"]


def test_a_failing_stage_raises_its_own_error_and_its_dependants_never_start() -> None:
    started: list[str] = []

    def boom():
        raise ValueError("broken input")

    with pytest.raises(ValueError, match="broken input"):
        run_stages([Stage("bad", boom), Stage("after", lambda bad: started.append("after"), ("bad",))], threads=2)
    assert started == []


def test_a_stage_listed_before_what_it_needs_is_refused() -> None:
    with pytest.raises(ConfigError, match="after the stages it needs"):
        run_stages([Stage("late", lambda early: early, ("early",)), Stage("early", lambda: 1)])


def test_detection_on_two_threads_equals_one_thread() -> None:
    simulate = pytest.importorskip("darkfleet.simulate").simulate
    from darkfleet.detect.pipeline import run_detection

    sim = simulate("tiny", 1)
    serial = run_detection(sim.positions, sim.static, threads=1)
    threaded = run_detection(sim.positions, sim.static, threads=2)
    assert serial.events.height > 50
    assert threaded.events.equals(serial.events)
    assert threaded.segments.equals(serial.segments)
    assert set(threaded.summary["timings_s"]) == set(serial.summary["timings_s"])


def test_in_process_map_tasks_runs_calls_in_threads_and_keeps_call_order() -> None:
    from darkfleet.engine.embedded import EmbeddedEngine

    meet = threading.Barrier(2, timeout=10)

    def call(i: int, wait: bool) -> int:
        if wait:
            meet.wait()  # the first two calls only pass when both run at once
        return i * i

    engine = EmbeddedEngine()
    calls = [(0, True), (1, True), (2, False), (3, False)]
    assert engine.map_tasks(call, calls, threads=2) == [0, 1, 4, 9]
    assert engine.map_tasks(call, [(5, False), (6, False)]) == [25, 36]  # one at a time by default
