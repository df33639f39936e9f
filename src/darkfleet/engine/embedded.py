"""The default single-machine engine: one partition, Polars' own threads do the parallel work."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from darkfleet.engine.base import Engine, FrameFn


class EmbeddedEngine(Engine):
    """Everything in one process. Every group and every cell is complete, so no halo is needed."""

    name = "embedded"

    def map_groups(self, frame: pl.DataFrame, by: str | Sequence[str], fn: FrameFn) -> pl.DataFrame:
        return fn(frame)

    def map_cells(self, frame: pl.DataFrame, cell_cols: Sequence[str], fn: FrameFn, halo: int = 1) -> pl.DataFrame:
        return fn(frame)

    def collect(self, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
        return frame.collect() if isinstance(frame, pl.LazyFrame) else frame
