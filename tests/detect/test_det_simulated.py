"""Detection quality against the simulator's ground truth (docs/truth.md), default config.

``regional`` (1,500 vessels, a week, ~12 M positions) is the issue's acceptance scenario
(~25 s and 4.5 GB peak on 2 cores): marked slow, and still run by CI (scripts/test.sh
deselects nothing); ``tiny`` checks the same quickly.
"""

from __future__ import annotations

import polars as pl
import pytest

from darkfleet.detect.evaluate import evaluate_frames
from darkfleet.detect.pipeline import run_detection

simulate = pytest.importorskip("darkfleet.simulate").simulate

ISSUE_TARGETS = {"encounter": 0.95, "loitering": 0.95, "gap": 0.95, "spoofing": 0.95, "identity_change": 0.95,
                 "dark_sts": 0.85}
# not named by the issue; floors below what seeds 0-4 measure (README), so a regression shows
FLOORS = {**ISSUE_TARGETS, "draught_change": 0.95, "port_visit": 0.94}


def _report(preset: str, seed: int) -> dict:
    sim = simulate(preset, seed)
    result = run_detection(sim.positions, sim.static)
    return evaluate_frames(pl.from_arrow(sim.truth), result.events, pl.from_arrow(sim.benign))


@pytest.fixture(scope="module")
def tiny() -> dict:
    return _report("tiny", 0)


@pytest.mark.parametrize("event_type", ["encounter", "loitering", "gap", "spoofing", "identity_change", "draught_change"])
def test_tiny_precision_and_recall(tiny, event_type):
    row = tiny["types"][event_type]
    assert row["truth"] > 0
    assert row["precision"] >= 0.95, row
    assert row["recall"] >= 0.95, row


def test_tiny_dark_sts_found(tiny):
    row = tiny["types"]["dark_sts"]
    assert row["recall"] >= 0.66 and row["precision"] >= 0.5, row


def test_tiny_no_outside_port_alert_on_benign_look_alikes(tiny):
    assert sum(kind["alerts"] for kind in tiny["benign"].values()) == 0, tiny["benign_alert_events"]


@pytest.mark.slow
def test_regional_meets_the_issue_targets():
    report = _report("regional", 0)
    failing = {
        name: (row["precision"], row["recall"])
        for name, row in report["types"].items()
        if name in FLOORS and min(row["precision"], row["recall"] or 0) < FLOORS[name]
    }
    # measured (docs/detection.md): dark_sts P 0.94 / R 0.90 on seed 0, >= 0.91 / 0.90 on seeds 0-4
    assert not failing, failing
    # the issue: zero outside-port encounter, dark STS or loitering alerts on the look-alikes
    assert not report["benign_alert_events"], report["benign_alert_events"]
