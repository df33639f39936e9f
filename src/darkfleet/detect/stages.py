"""The stages both detection drivers share (in memory: :mod:`darkfleet.detect.pipeline`;
per MMSI range: :mod:`darkfleet.detect.partitioned`), as a stage graph: each stage names
exactly the results it reads, so it starts as soon as those exist."""

from __future__ import annotations

import polars as pl

from darkfleet import schema
from darkfleet.clean.prepare import prepare_positions, prepare_static
from darkfleet.clean.resample import resample_segments
from darkfleet.clean.segment import latest_ship_types, segment_positions, segment_table
from darkfleet.config import DetectConfig
from darkfleet.detect.dark_sts import detect_dark_sts
from darkfleet.detect.draught import detect_draught_changes
from darkfleet.detect.identity import detect_identity_changes
from darkfleet.detect.loitering import detect_loitering
from darkfleet.detect.port_visit import detect_port_visits
from darkfleet.detect.ports_index import PortIndex
from darkfleet.detect.spoofing import detect_spoofing, jump_segments
from darkfleet.engine.base import Engine
from darkfleet.engine.stage_graph import STAGE_THREADS, Stage


def vessel_stages(positions, static, config: DetectConfig, engine: Engine, ports: PortIndex, digest: str,
                  gap: Stage, threads: int = STAGE_THREADS) -> list[Stage]:
    """Every stage that needs only one vessel's reports at a time, the longest chain (clean ->
    segment -> ports -> resample) first so that it starts first. ``gap`` (named "gap", needing
    "clean") finds the silences draught changes read: gap events in memory, bare gaps per
    MMSI range (their reception evidence needs every vessel). Only the chain calls ``engine``,
    one stage after another, so an engine never serves two stages at once; cleaning, which
    every stage but the static one waits for, splits its own work over ``threads``."""
    radius = config.ports.in_port_radius_m

    def segment(clean, static_frame):
        ship_types = latest_ship_types(static_frame)  # one row per vessel: its class speed limit
        points = engine.map_groups(clean[0], "mmsi", lambda f: segment_positions(f, config.segment, ship_types))
        return (points, *split_jumps(points, config))

    def resample(main):
        grid = engine.map_groups(main, "segment_id", lambda f: resample_segments(f, config.resample))
        return annotate_ports(grid, ports, radius)

    return [
        Stage("clean", lambda: prepare_positions(positions, threads)),  # (clean, no_fix, counts)
        Stage("clean_static", lambda: prepare_static(static if static is not None else schema.STATIC.empty_table())),
        Stage("segment", segment, ("clean", "clean_static")),  # (points, segments, main)
        # one nearest-port lookup per report serves in-port flags and port visits alike
        Stage("ports", lambda seg: annotate_ports(seg[2], ports, radius, keep_nearest=True), ("segment",)),  # main
        Stage("resample", resample, ("ports",)),  # grid
        gap,
        Stage("spoofing", lambda clean, seg, grid: spoofing(seg[0], seg[1], clean[1], grid, config, digest),
              ("clean", "segment", "resample")),
        Stage("port_visit", lambda main: detect_port_visits(main, config.port_visit, ports, digest), ("ports",)),
        Stage("loitering", lambda main: detect_loitering(main, config.loitering, ports, digest), ("ports",)),
        Stage("draught_change", lambda static_frame, main, visits, gaps: draught(
            static_frame, main, visits, gaps, config, ports, digest), ("clean_static", "ports", "port_visit", "gap")),
    ]


def annotate_ports(grid: pl.DataFrame, ports: PortIndex, radius_m: float, keep_nearest: bool = False) -> pl.DataFrame:
    """Add ``near_port``: within ``radius_m`` of a port or anchorage point; with ``keep_nearest``
    also ``port_m`` / ``port_idx`` (nearest port within ``radius_m``, inf / -1 beyond)."""
    dist, idx = ports.nearest(grid["lat"].to_numpy(), grid["lon"].to_numpy(), radius_m)
    out = grid.with_columns(pl.Series("near_port", dist <= radius_m, dtype=pl.Boolean))
    if keep_nearest:
        out = out.with_columns(pl.Series("port_m", dist), pl.Series("port_idx", idx))
    return out


def split_jumps(points: pl.DataFrame, config: DetectConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(segments, main): the segment table of segmented points, and the points of segments
    longer than a position jump (what every track detector reads)."""
    segments = segment_table(points)
    jumps = jump_segments(segments, config.spoofing)["segment_id"]
    return segments, points.filter(~pl.col("segment_id").is_in(jumps.implode()))


def first_seen(clean: pl.DataFrame) -> pl.DataFrame:
    """Each vessel's first position report (identity changes tell new MMSIs from reused ones)."""
    return clean.group_by("mmsi").agg(pl.col("timestamp_utc").min().alias("first_utc"))


def spoofing(points: pl.DataFrame, segments: pl.DataFrame, no_fix: pl.DataFrame, grid: pl.DataFrame,
             config: DetectConfig, digest: str) -> pl.DataFrame:
    return detect_spoofing(points, segments, no_fix, grid, config.spoofing, config.segment.min_dt_s,
                           config.resample.step_min, digest)


def identity(static: pl.DataFrame, seen: pl.DataFrame, config: DetectConfig, digest: str) -> pl.DataFrame:
    return detect_identity_changes(static, config.identity_change, digest, seen)


def draught(static: pl.DataFrame, main: pl.DataFrame, visits: pl.DataFrame, gaps: pl.DataFrame, config: DetectConfig,
            ports: PortIndex, digest: str) -> pl.DataFrame:
    return detect_draught_changes(static, main, config.draught_change, ports, visits, gaps,
                                  config.ports.in_port_radius_m, digest)


def dark_sts(gaps: pl.DataFrame, loitering: pl.DataFrame, visits: pl.DataFrame, static: pl.DataFrame,
             config: DetectConfig, ports: PortIndex, digest: str) -> pl.DataFrame:
    """Dark STS reads the gaps, loitering and port visits found before it (and the draughts in
    the static reports)."""
    return detect_dark_sts(gaps, loitering, visits, static, config.dark_sts, ports, config.ports.in_port_radius_m,
                           digest, draught_config=config.draught_change)
