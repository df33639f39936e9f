"""Behaviour detection: encounters, loitering, gaps, dark STS, spoofing, identity and draught
changes, port visits (see docs/detection.md and docs/events.md).

The public names load lazily, so that :mod:`darkfleet.clean` can use :mod:`darkfleet.detect.geo`
without importing the whole pipeline (which imports :mod:`darkfleet.clean`)."""

from __future__ import annotations

from typing import Any

__all__ = ["DetectResult", "evaluate_frames", "run_detection", "run_detection_partitioned"]


def __getattr__(name: str) -> Any:
    if name in ("DetectResult", "run_detection"):
        from darkfleet.detect import pipeline

        return getattr(pipeline, name)
    if name == "run_detection_partitioned":
        from darkfleet.detect.partitioned import run_detection_partitioned

        return run_detection_partitioned
    if name == "evaluate_frames":
        from darkfleet.detect.evaluate import evaluate_frames

        return evaluate_frames
    raise AttributeError(f"module 'darkfleet.detect' has no attribute {name!r}")
