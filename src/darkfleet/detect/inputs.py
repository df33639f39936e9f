"""What ``darkfleet detect`` reads, and whether it runs in memory or in MMSI partitions.

Inputs already in darkfleet's Parquet layout (simulator scenario folders, day-partitioned
datasets written by :func:`darkfleet.engine.dataset.write_days`) are counted from their
footers and, when larger than one partition, handed to the partitioned run as files, so no
process ever holds all positions. A store (``--db``) that large is first exported to Parquet
by DuckDB (streaming, under ``DARKFLEET_DUCKDB_MEMORY``). Other files go through
``darkfleet.ingest`` in memory as before; ``--partitions N`` still bounds the detection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from darkfleet import schema
from darkfleet.config import DetectConfig
from darkfleet.detect.partitioned import parquet_files, run_detection_partitioned
from darkfleet.detect.pipeline import DetectResult, run_detection
from darkfleet.engine.base import Engine
from darkfleet.engine.partition import DEFAULT_PARTITION_ROWS
from darkfleet.errors import ConfigError, InputError


@dataclass
class RunPlan:
    """How to size a run: ``partitions`` forces that many MMSI ranges; otherwise inputs larger
    than ``partition_rows`` positions are split into ranges of about that size."""

    partitions: int | None = None
    partition_rows: int = DEFAULT_PARTITION_ROWS

    def partitioned(self, rows: int) -> bool:
        return self.partitions is not None or rows > self.partition_rows


@dataclass
class ParquetSource:
    positions: list[str]
    static: list[str]
    read: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        import pyarrow.parquet as pq

        return sum(pq.read_metadata(p).num_rows for p in self.positions)


def is_scenario(path: Path) -> bool:
    """A folder written by ``darkfleet simulate`` (Parquet): positions/ and static/ parts."""
    return path.is_dir() and (path / "positions").is_dir() and (path / "truth.parquet").exists()


def is_day_dataset(path: Path) -> bool:
    """A day-partitioned positions dataset (``day=YYYY-MM-DD/*.parquet``)."""
    return path.is_dir() and any(path.glob("day=*/*.parquet"))


def parquet_source(inputs: tuple[str, ...]) -> ParquetSource | None:
    """Scenario folders or day datasets as files; None for inputs ``darkfleet ingest`` reads."""
    paths = [Path(p) for p in inputs]
    scenarios = [p for p in paths if is_scenario(p)]
    datasets = [p for p in paths if is_day_dataset(p)]
    if not scenarios and not datasets:
        return None
    if len(scenarios) + len(datasets) != len(paths):
        raise ConfigError("give either simulator scenario folders / day-partitioned datasets or AIS files, not both")
    positions = parquet_files([p / "positions" for p in scenarios] + datasets)
    if not positions:
        raise InputError("no positions Parquet files", path=paths[0])
    static = parquet_files([p / "static" for p in scenarios if (p / "static").is_dir()])
    key = "scenarios" if scenarios else "datasets"
    return ParquetSource(positions, static, {key: [str(p) for p in paths]})


def export_store(db_path: str, folder: Path) -> ParquetSource:
    """The store's positions and static reports as Parquet files in ``folder`` (DuckDB COPY
    streams them under its memory limit, in table order)."""
    from darkfleet.ingest.driver import _duckdb_memory_limit
    from darkfleet.store import Store

    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    with Store(db_path, read_only=True) as store:
        store.con.execute(f"SET memory_limit = '{_duckdb_memory_limit()}'")
        store.con.execute("SET preserve_insertion_order = true")  # the in-memory read's row order
        for table, arrow_schema in (("positions", schema.POSITIONS), ("static", schema.STATIC)):
            path = folder / f"{table}.parquet"
            if store.has_table(table):
                store.con.execute(
                    f"COPY (SELECT * FROM {table}) TO '{path}' (FORMAT PARQUET, ROW_GROUP_SIZE 1000000)"
                ).fetchall()
            else:
                pl.from_arrow(arrow_schema.empty_table()).write_parquet(path)
            files[table] = [str(path)]
    return ParquetSource(files["positions"], files["static"], {"db": str(db_path)})


def store_rows(db_path: str) -> int:
    from darkfleet.store import Store

    with Store(db_path, read_only=True) as store:
        if not store.has_table("positions"):
            return 0
        return int(store.con.execute("SELECT count(*) FROM positions").fetchall()[0][0])


def read_store(db_path: str):
    from darkfleet.store import Store

    with Store(db_path, read_only=True) as store:
        positions = store.arrow("SELECT * FROM positions") if store.has_table("positions") else schema.POSITIONS.empty_table()
        static = store.arrow("SELECT * FROM static") if store.has_table("static") else schema.STATIC.empty_table()
    return positions, static


@dataclass
class DetectRun:
    result: DetectResult
    read: dict[str, Any]  # where the positions came from, for summary.json
    positions: Any  # the positions as a frame, or the Parquet files a partitioned run read
    static: Any  # the static reports as a frame


def detect_inputs(inputs: tuple[str, ...], db_path: str | None, config: DetectConfig, engine: Engine, plan: RunPlan,
                  scratch: Path) -> DetectRun:
    """Run detection on files or a store, in memory or in partitions as ``plan`` says; scratch
    holds Parquet written for a partitioned run (the caller deletes it after using the run)."""
    source = parquet_source(inputs) if inputs else None
    if db_path and plan.partitioned(store_rows(db_path)):
        source = export_store(db_path, scratch / "store")
    if source is not None:
        if plan.partitioned(source.rows):
            return _partitioned(source, config, engine, plan)
        positions = pl.read_parquet(source.positions)
        static = _read_static(source)
        return DetectRun(run_detection(positions, static, config, engine=engine),
                         {**source.read, "positions": positions.height}, positions, static)
    if db_path:
        positions, static = read_store(db_path)
        read: dict[str, Any] = {"db": str(db_path)}
    else:
        from darkfleet.ingest import read as ingest_read
        from darkfleet.ingest.batch import ReadOptions

        positions, static, summary = ingest_read(list(inputs), ReadOptions())
        read = summary.to_json() if hasattr(summary, "to_json") else summary
    if plan.partitioned(positions.num_rows):
        scratch.mkdir(parents=True, exist_ok=True)
        pl.from_arrow(positions).write_parquet(scratch / "positions.parquet", row_group_size=1 << 20)
        pl.from_arrow(static).write_parquet(scratch / "static.parquet")
        del positions, static
        return _partitioned(ParquetSource([str(scratch / "positions.parquet")], [str(scratch / "static.parquet")], read),
                            config, engine, plan)
    return DetectRun(run_detection(positions, static, config, engine=engine), read, positions, static)


def _read_static(source: ParquetSource) -> pl.DataFrame:
    return pl.read_parquet(source.static) if source.static else pl.from_arrow(schema.STATIC.empty_table())


def _partitioned(source: ParquetSource, config: DetectConfig, engine: Engine, plan: RunPlan) -> DetectRun:
    result = run_detection_partitioned(source.positions, source.static, config, n_partitions=plan.partitions,
                                       engine=engine, partition_rows=plan.partition_rows)
    return DetectRun(result, source.read, source.positions, _read_static(source))
