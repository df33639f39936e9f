"""Behaviour detection: encounters, loitering, gaps, dark STS, spoofing, identity and draught
changes, port visits (see docs/detection.md and docs/events.md)."""

from darkfleet.detect.evaluate import evaluate_frames
from darkfleet.detect.pipeline import DetectResult, run_detection

__all__ = ["DetectResult", "evaluate_frames", "run_detection"]
