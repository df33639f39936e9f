"""Writing detection results: events as Parquet, GeoJSON and CSV, segments, summary."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from darkfleet import schema
from darkfleet.errors import InputError


def events_geojson(events: pl.DataFrame) -> dict:
    """A FeatureCollection of event points; ``details`` becomes a nested object."""
    features = []
    for row in events.iter_rows(named=True):  # one row per event, not per position
        props = {k: v for k, v in row.items() if k not in ("lat", "lon", "details")}
        for key in ("start_utc", "end_utc"):
            props[key] = props[key].isoformat() if props[key] is not None else None
        props["details"] = json.loads(row["details"]) if row["details"] else {}
        geometry = None if row["lat"] is None else {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def write_outputs(out_dir: str | Path, events: pl.DataFrame, segments: pl.DataFrame, summary: dict) -> dict[str, Path]:
    """Write the five output files into ``out_dir`` (created); returns their paths."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output folder: {exc.strerror}", path=out) from exc
    paths = {
        "events.parquet": out / "events.parquet",
        "events.geojson": out / "events.geojson",
        "events.csv": out / "events.csv",
        "segments.parquet": out / "segments.parquet",
        "summary.json": out / "summary.json",
    }
    pq.write_table(schema.conform(events.to_arrow(), schema.EVENTS), paths["events.parquet"])
    paths["events.geojson"].write_text(json.dumps(events_geojson(events)), encoding="utf-8")
    events.write_csv(paths["events.csv"])
    pq.write_table(schema.conform(segments.to_arrow(), schema.SEGMENTS), paths["segments.parquet"])
    paths["summary.json"].write_text(json.dumps(summary, indent=2, sort_keys=True), encoding="utf-8")
    return paths


def read_events(path: str | Path) -> pl.DataFrame:
    """Events from ``events.parquet`` or a folder holding it."""
    path = Path(path)
    if path.is_dir():
        path = path / "events.parquet"
    if not path.exists():
        raise InputError("events.parquet not found (run 'darkfleet detect' first)", path=path)
    return pl.from_arrow(schema.conform(pq.read_table(path), schema.EVENTS))  # type: ignore[return-value]
