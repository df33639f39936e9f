"""Registry of the detectors that run after the core stages (gap, port visit, loitering,
encounter), each taking the shared :class:`StageInputs`. Order matters: dark STS reads the
gaps, loitering and draught changes found before it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from darkfleet.config import DetectConfig
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


DETECTORS: dict[str, Callable[[StageInputs], pl.DataFrame]] = {}
