"""Detection over inputs larger than memory: vessels in MMSI partitions, then the few
cross-vessel stages on what the partitions left behind.

Every per-vessel stage (cleaning, segmentation, resampling, loitering, port visits, gaps,
spoofing, draught changes) only needs one vessel's reports, so each partition
(``mmsi % n_partitions == k``, read from Parquet with the filter pushed down) is processed
alone and dropped. What the cross-vessel stages need is small and kept: the 10-minute grid
(encounters), the per-cell reception counts (gap evidence, which add up across disjoint
vessel sets), the static reports (identity changes across MMSIs) and the events (dark
STS). The result equals :func:`darkfleet.detect.pipeline.run_detection` on the whole input.
"""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl

from darkfleet import schema
from darkfleet.clean.prepare import CleanCounts, prepare_positions, prepare_static
from darkfleet.clean.resample import resample_segments
from darkfleet.clean.segment import segment_positions, segment_table
from darkfleet.config import DetectConfig
from darkfleet.detect.dark_sts import detect_dark_sts
from darkfleet.detect.draught import detect_draught_changes
from darkfleet.detect.events import empty_events
from darkfleet.detect.gap import find_gaps, gap_events, heard_counts
from darkfleet.detect.identity import detect_identity_changes
from darkfleet.detect.loitering import detect_loitering
from darkfleet.detect.pipeline import DetectResult, _default_engine, _encounters, _Timer, annotate_ports, run_summary
from darkfleet.detect.port_visit import detect_port_visits
from darkfleet.detect.ports_index import PortIndex
from darkfleet.detect.spoofing import detect_spoofing, jump_segments

_GRID_COLUMNS = ["segment_id", "mmsi", "timestamp_utc", "lat", "lon", "speed_kn", "cog_deg", "heading_deg", "near_port"]


def _vessel_stages(positions: pl.DataFrame, static: pl.DataFrame, config: DetectConfig, ports: PortIndex,
                   digest: str, timer: _Timer) -> dict:
    """Everything one MMSI partition yields on its own."""
    radius = config.ports.in_port_radius_m
    with timer.stage("clean"):
        clean, no_fix, counts = prepare_positions(positions)
    with timer.stage("segment"):
        points = segment_positions(clean, config.segment)
        segments = segment_table(points)
        jumps = jump_segments(segments, config.spoofing)["segment_id"]
        main = points.filter(~pl.col("segment_id").is_in(jumps.implode()))
    with timer.stage("ports"):
        main = annotate_ports(main, ports, radius, keep_nearest=True)
    with timer.stage("resample"):
        grid = annotate_ports(resample_segments(main, config.resample), ports, radius)
    with timer.stage("gap"):
        gaps = find_gaps(clean, config.gap.min_gap_h)
        heard = heard_counts(clean, config.gap.reception_cell_deg)
    with timer.stage("port_visit"):
        visits = detect_port_visits(main, config.port_visit, ports, digest)
    with timer.stage("loitering"):
        loitering = detect_loitering(main, config.loitering, ports, digest)
    with timer.stage("spoofing"):
        spoofing = detect_spoofing(points, segments, no_fix, grid, config.spoofing, config.segment.min_dt_s,
                                   config.resample.step_min, digest)
    with timer.stage("draught_change"):
        draught = detect_draught_changes(prepare_static(static), main, config.draught_change, ports, visits, gaps,
                                         radius, digest)
    return {
        "counts": counts, "segments": segments, "grid": grid.select(_GRID_COLUMNS), "gaps": gaps, "heard": heard,
        "first_seen": clean.group_by("mmsi").agg(pl.col("timestamp_utc").min().alias("first_utc")),
        "events": [visits, loitering, spoofing, draught],
    }


def run_detection_partitioned(
    parquet_paths: list[str | Path],
    static: pl.DataFrame | None = None,
    config: DetectConfig | None = None,
    n_partitions: int = 8,
    ports: PortIndex | None = None,
) -> DetectResult:
    """Detect over Parquet files in ``schema.POSITIONS`` too large for memory, ``n_partitions``
    MMSI partitions at a time (peak memory ~ one partition plus the 10-minute grid)."""
    config = config or DetectConfig()
    ports = ports or PortIndex.default(config.ports.extra_files)
    digest = config.digest()
    timer = _Timer()
    started = time.perf_counter()
    static = static if static is not None else pl.from_arrow(schema.STATIC.empty_table())
    scan = pl.scan_parquet([str(p) for p in parquet_paths])
    parts = []
    for k in range(n_partitions):
        with timer.stage("read"):
            positions = scan.filter(pl.col("mmsi") % n_partitions == k).collect()
        mine = static.filter(pl.col("mmsi") % n_partitions == k)
        parts.append(_vessel_stages(positions, mine, config, ports, digest, timer))
        del positions
    counts = CleanCounts()
    for part in parts:
        for name in ("input_rows", "out_of_order", "duplicates", "no_fix", "output_rows"):
            setattr(counts, name, getattr(counts, name) + getattr(part["counts"], name))
        counts.sources = max(counts.sources, part["counts"].sources)
    radius = config.ports.in_port_radius_m
    gaps_raw = pl.concat([p["gaps"] for p in parts])
    with timer.stage("gap"):
        heard = pl.concat([p["heard"] for p in parts]).group_by("cy", "cx", "hour").agg(pl.col("n_vessels").sum())
        gaps = gap_events(gaps_raw, heard, config.gap, ports, radius, digest)
    grid = pl.concat([p["grid"] for p in parts])
    with timer.stage("encounter"):
        encounters = _encounters(grid, config, _default_engine(), ports, digest)
    static_frame = prepare_static(static)
    with timer.stage("identity_change"):
        first_seen = pl.concat([p["first_seen"] for p in parts])
        identity = detect_identity_changes(static_frame, config.identity_change, digest, first_seen)
    per_vessel = pl.concat([e for p in parts for e in p["events"] if e.height] or [empty_events()])
    by_type = lambda name: per_vessel.filter(pl.col("event_type") == name)  # noqa: E731
    with timer.stage("dark_sts"):
        dark = detect_dark_sts(gaps, by_type("loitering"), by_type("draught_change"), static_frame, config.dark_sts,
                               ports, radius, digest)
    events = pl.concat([f for f in (gaps, encounters, identity, dark, per_vessel) if f.height] or [empty_events()])
    events = events.sort("start_utc", "event_type", "mmsi", "event_id")
    segments = pl.concat([p["segments"] for p in parts]).sort("segment_id")
    summary = run_summary(events, counts, static_frame.height, segments.height, grid.height, timer, started, digest,
                          "embedded-partitioned")
    summary["partitions"] = n_partitions
    return DetectResult(events=events, segments=segments, summary=summary)
