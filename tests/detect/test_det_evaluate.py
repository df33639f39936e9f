from datetime import datetime, timedelta, timezone

import polars as pl

from darkfleet import schema
from darkfleet.detect.evaluate import evaluate_frames

T = datetime(2026, 1, 5, tzinfo=timezone.utc)


def _frame(rows, arrow_schema):
    return pl.from_arrow(schema.conform(pl.DataFrame(rows).to_arrow(), arrow_schema))


def _ev(kind, mmsi, other, h0, h1, in_port=False):
    return {"event_id": f"{kind}{mmsi}{h0}", "event_type": kind, "mmsi": mmsi, "other_mmsi": other,
            "start_utc": T + timedelta(hours=h0), "end_utc": T + timedelta(hours=h1), "in_port": in_port, "details": "{}"}


def test_precision_recall_pairs_are_unordered_and_in_port_detections_are_left_out():
    truth = _frame([_ev("encounter", 1, 2, 0, 3), _ev("encounter", 3, 4, 10, 13), _ev("gap", 5, None, 0, 8)], schema.TRUTH)
    events = _frame(
        [
            _ev("encounter", 2, 1, 1, 4),  # same pair reversed, overlapping: match
            _ev("encounter", 3, 9, 10, 13),  # wrong partner
            _ev("encounter", 7, 8, 0, 5, in_port=True),  # in port: not scored
            _ev("gap", 5, None, 0, 8),
            _ev("gap", 5, None, 20, 30),  # no such gap in truth
        ],
        schema.EVENTS,
    )
    report = evaluate_frames(truth, events)
    enc, gap = report["types"]["encounter"], report["types"]["gap"]
    assert (enc["truth"], enc["detected"], enc["precision"], enc["recall"]) == (2, 2, 0.5, 0.5)
    assert (gap["precision"], gap["recall"]) == (0.5, 1.0)
    assert enc["median_start_error_min"] == 60.0


def test_alerts_on_benign_look_alikes_are_listed():
    benign = pl.DataFrame({"kind": ["coverage_hole", "moored_together"], "mmsi": [5, 1], "other_mmsi": [None, 2],
                           "start_utc": [T, T], "end_utc": [T + timedelta(hours=9)] * 2})
    truth = _frame([_ev("gap", 5, None, 0, 8), _ev("loitering", 1, None, 0, 5)], schema.TRUTH)
    events = _frame([_ev("loitering", 5, None, 1, 6), _ev("encounter", 1, 2, 0, 5, in_port=True),
                     _ev("loitering", 1, None, 1, 4)], schema.EVENTS)  # the last one is true: no alert
    report = evaluate_frames(truth, events, benign)
    assert report["benign"] == {"coverage_hole": {"cases": 1, "alerts": 1}, "moored_together": {"cases": 1, "alerts": 0}}
