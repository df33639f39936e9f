"""Registry of the detectors that run after the core stages (gap, port visit, loitering,
encounter), each taking the shared :class:`StageInputs`. Dark STS reads the gaps,
loitering and port visits found before it (and the draughts in the static reports)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from darkfleet.config import DetectConfig
from darkfleet.detect.dark_sts import detect_dark_sts
from darkfleet.detect.draught import detect_draught_changes
from darkfleet.detect.identity import detect_identity_changes
from darkfleet.detect.spoofing import detect_spoofing
from darkfleet.detect.ports_index import PortIndex


@dataclass
class StageInputs:
    clean: pl.DataFrame  # positions sorted by mmsi, time; deduplicated
    no_fix: pl.DataFrame  # reports without a position fix
    points: pl.DataFrame  # clean + segment_id
    main: pl.DataFrame  # points of segments longer than a position jump
    segments: pl.DataFrame  # schema.SEGMENTS
    grid: pl.DataFrame  # resampled segments + near_port
    static: pl.DataFrame  # static reports sorted by mmsi, time
    events: dict[str, pl.DataFrame]  # events found so far, by type
    ports: PortIndex
    config: DetectConfig
    digest: str


def _spoofing(s: StageInputs) -> pl.DataFrame:
    return detect_spoofing(
        s.points, s.segments, s.no_fix, s.grid, s.config.spoofing, s.config.segment.min_dt_s,
        s.config.resample.step_min, s.digest,
    )


def _identity(s: StageInputs) -> pl.DataFrame:
    first_seen = s.clean.group_by("mmsi").agg(pl.col("timestamp_utc").min().alias("first_utc"))
    return detect_identity_changes(s.static, s.config.identity_change, s.digest, first_seen)


def _draught(s: StageInputs) -> pl.DataFrame:
    return detect_draught_changes(
        s.static, s.main, s.config.draught_change, s.ports, s.events["port_visit"], s.events["gap"],
        s.config.ports.in_port_radius_m, s.digest,
    )


def _dark_sts(s: StageInputs) -> pl.DataFrame:
    return detect_dark_sts(
        s.events["gap"], s.events["loitering"], s.events["port_visit"], s.static, s.config.dark_sts, s.ports,
        s.config.ports.in_port_radius_m, s.digest, draught_config=s.config.draught_change,
    )


DETECTORS: dict[str, Callable[[StageInputs], pl.DataFrame]] = {
    "spoofing": _spoofing,
    "identity_change": _identity,
    "draught_change": _draught,
    "dark_sts": _dark_sts,
}
