"""Detections against the simulator's truth: precision, recall, F1 and timing error per type.

A detection matches a truth row when the type is the same, the vessel is the same (for
``encounter`` and ``dark_sts``: the same unordered pair) and the time spans overlap, with
``slack_min`` of tolerance for instantaneous events (identity and draught changes).
Truth lists encounters, loitering and dark STS outside port only, so in-port detections of
those types are left out of the score (they are reported, not alerts). Benign look-alikes
(moored together, bunkering, tug assist, coverage holes, anchor drift) must not raise an
outside-port encounter, dark STS or loitering alert: those that do (and match no truth row)
are listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from darkfleet import schema
from darkfleet.detect.output import read_events
from darkfleet.errors import InputError

PAIR_TYPES = ("encounter", "dark_sts")
OUTSIDE_PORT_TYPES = ("encounter", "dark_sts", "loitering")


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    pair = pl.col("event_type").is_in(PAIR_TYPES) & pl.col("other_mmsi").is_not_null()
    return frame.with_row_index("_row").with_columns(
        pl.when(pair).then(pl.min_horizontal("mmsi", "other_mmsi")).otherwise(pl.col("mmsi")).alias("_k1"),
        pl.when(pair).then(pl.max_horizontal("mmsi", "other_mmsi")).otherwise(pl.lit(-1, pl.Int64)).alias("_k2"),
    )


def match(truth: pl.DataFrame, events: pl.DataFrame, slack_min: float = 30.0) -> pl.DataFrame:
    """Every (truth row, detection row) pair that matches, with start and end errors in minutes."""
    slack = pl.duration(minutes=slack_min)
    t = _keyed(truth).select("_row", "event_type", "_k1", "_k2", "start_utc", "end_utc")
    d = _keyed(events).select("_row", "event_type", "_k1", "_k2", "start_utc", "end_utc")
    return (
        t.join(d, on=["event_type", "_k1", "_k2"], suffix="_det")
        .filter(
            (pl.col("start_utc") - slack <= pl.col("end_utc_det")) & (pl.col("start_utc_det") - slack <= pl.col("end_utc"))
        )
        .with_columns(
            ((pl.col("start_utc_det") - pl.col("start_utc")).dt.total_seconds() / 60).abs().alias("start_error_min"),
            ((pl.col("end_utc_det") - pl.col("end_utc")).dt.total_seconds() / 60).abs().alias("end_error_min"),
        )
    )


def score(truth: pl.DataFrame, events: pl.DataFrame, slack_min: float = 30.0) -> dict[str, dict[str, Any]]:
    """Per event type: counts, precision, recall, F1 and median timing errors."""
    events = events.filter(~(pl.col("event_type").is_in(OUTSIDE_PORT_TYPES) & pl.col("in_port").fill_null(False)))
    pairs = match(truth, events, slack_min)
    out: dict[str, dict[str, Any]] = {}
    for kind in schema.EventType:
        name = kind.value
        n_truth = int((truth["event_type"] == name).sum())
        n_det = int((events["event_type"] == name).sum())
        sub = pairs.filter(pl.col("event_type") == name)
        found = sub["_row"].n_unique()
        correct = sub["_row_det"].n_unique()
        precision = correct / n_det if n_det else (1.0 if n_truth == 0 else 0.0)
        recall = found / n_truth if n_truth else (1.0 if n_det == 0 else None)
        f1 = None
        if recall is not None and precision + recall > 0:
            f1 = 2 * precision * recall / (precision + recall)
        out[name] = {
            "truth": n_truth,
            "detected": n_det,
            "true_positives": correct,
            "recalled": found,
            "precision": round(precision, 4),
            "recall": None if recall is None else round(recall, 4),
            "f1": None if f1 is None else round(f1, 4),
            "median_start_error_min": None if sub.height == 0 else round(float(sub["start_error_min"].median()), 2),
            "median_end_error_min": None if sub.height == 0 else round(float(sub["end_error_min"].median()), 2),
        }
    return out


def benign_alerts(benign: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Outside-port encounter / dark STS / loitering alerts on a benign look-alike's vessel and time."""
    alerts = events.filter(pl.col("event_type").is_in(OUTSIDE_PORT_TYPES) & ~pl.col("in_port").fill_null(False))
    cases = benign.with_row_index("_benign").select(
        "_benign", "kind", pl.concat_list(pl.col("mmsi"), pl.col("other_mmsi")).alias("_vessel"),
        pl.col("start_utc").alias("b_start"), pl.col("end_utc").alias("b_end"),
    ).explode("_vessel").filter(pl.col("_vessel").is_not_null())
    hits = []
    for column in ("mmsi", "other_mmsi"):
        hits.append(
            alerts.join(cases, left_on=column, right_on="_vessel")
            .filter((pl.col("start_utc") <= pl.col("b_end")) & (pl.col("b_start") <= pl.col("end_utc")))
            .select("_benign", "kind", "event_id", "event_type", "mmsi", "other_mmsi", "start_utc", "end_utc")
        )
    return pl.concat(hits).unique(["_benign", "event_id"]).sort("_benign", "event_id")


def _read(path: Path, arrow_schema) -> pl.DataFrame:
    if not path.exists():
        raise InputError("file not found (expected a simulator scenario folder)", path=path)
    return pl.from_arrow(schema.conform(pq.read_table(path), arrow_schema))  # type: ignore[return-value]


def evaluate_frames(truth: pl.DataFrame, events: pl.DataFrame, benign: pl.DataFrame | None = None) -> dict[str, Any]:
    """What ``darkfleet evaluate`` prints, as a dict: per event type of the simulator's
    ``truth`` (``schema.TRUTH``) precision, recall, F1 and timing errors of ``events``; with
    ``benign`` (the look-alikes), the alerts that fell on them. :func:`format_report` renders it."""
    report: dict[str, Any] = {"types": score(truth, events)}
    if benign is not None:
        # a detection that matches the truth is not a false alarm, even on a look-alike's vessel
        true_ids = events.with_row_index("_row_det").join(match(truth, events).select("_row_det"), on="_row_det", how="semi")
        alerts = benign_alerts(benign, events.join(true_ids.select("event_id"), on="event_id", how="anti"))
        kinds = benign.group_by("kind").len().sort("kind")
        report["benign"] = {
            kind: {"cases": n, "alerts": int((alerts["kind"] == kind).sum())} for kind, n in kinds.iter_rows()
        }
        report["benign_alert_events"] = alerts.select("kind", "event_id", "event_type", "mmsi", "other_mmsi").to_dicts()
    return report


def evaluate_dirs(truth_dir: Path, events_dir: Path) -> dict[str, Any]:
    """Score ``events_dir/events.parquet`` against ``truth_dir/truth.parquet`` (+ ``benign.parquet``)."""
    truth = _read(truth_dir / "truth.parquet", schema.TRUTH)
    benign_path = truth_dir / "benign.parquet"
    benign = pl.read_parquet(benign_path) if benign_path.exists() else None
    return evaluate_frames(truth, read_events(events_dir), benign)


def format_report(report: dict[str, Any]) -> str:
    """A markdown table of the scores and the benign alert counts."""
    lines = [
        "| event type | truth | detected | precision | recall | F1 | median start error (min) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    fmt = lambda v: "-" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))  # noqa: E731
    for name, row in report["types"].items():
        lines.append(
            f"| {name} | {row['truth']} | {row['detected']} | {fmt(row['precision'])} | {fmt(row['recall'])} | "
            f"{fmt(row['f1'])} | {fmt(row['median_start_error_min'])} |"
        )
    if "benign" in report:
        lines += ["", "| benign look-alike | cases | outside-port alerts |", "|---|---:|---:|"]
        lines += [f"| {kind} | {row['cases']} | {row['alerts']} |" for kind, row in report["benign"].items()]
    return "\n".join(lines)
