"""Detection over inputs larger than memory: vessels in MMSI-range partitions, then the few
cross-vessel stages on what the partitions left behind.

Every per-vessel stage (cleaning, segmentation, resampling, loitering, port visits, gaps,
spoofing, draught changes) only needs one vessel's reports, so each partition (a range of
MMSIs) is processed alone and dropped. What the cross-vessel stages need is small and kept:
the slim 10-minute grid (encounters), the per-cell reception counts (gap evidence, which add
up across disjoint vessel sets), the cleaned static reports (identity changes across MMSIs)
and the events (dark STS). The result equals :func:`darkfleet.detect.pipeline.run_detection`
on the whole input.

The work runs as :meth:`~darkfleet.engine.base.Engine.map_tasks` calls whose arguments are
file paths, so on Dask the workers read their own inputs and the driver never holds the
positions:

1. *split*: each slice of the input Parquet files (a few row groups; of the positions only the
   columns detection reads) is cut by MMSI range into one Arrow file under the engine's
   scratch folder, each range its own record batches;
2. *vessels*: each partition reads its files and runs every per-vessel stage;
3. on the driver: gap evidence, the encounter pair search (by space blocks through
   ``map_cells``), identity changes and dark STS.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from darkfleet import schema
from darkfleet.clean.prepare import DETECT_COLUMNS, CleanCounts
from darkfleet.config import DetectConfig
from darkfleet.detect import stages
from darkfleet.detect.events import empty_events
from darkfleet.detect.gap import find_gaps, gap_events, heard_counts
from darkfleet.detect.pipeline import DetectResult, _default_engine, _encounters, _scratch, _Timer, in_port_sample, run_summary
from darkfleet.detect.ports_index import PortIndex
from darkfleet.engine.base import Engine
from darkfleet.engine.embedded import EmbeddedEngine
from darkfleet.engine.partition import DEFAULT_PARTITION_ROWS
from darkfleet.engine.stage_graph import STAGE_THREADS, Stage, numba_launch_is_threadsafe, run_stages
from darkfleet.engine.staging import FilePart, load, load_part, write_frame, write_parts
from darkfleet.errors import InputError

# what the encounter search reads of the grid (see pipeline._encounters and encounter.close_pairs)
_ENCOUNTER_GRID = ["mmsi", "timestamp_utc", "lat", "lon", "speed_kn", "cog_deg", "heading_deg", "near_port"]
_PART = "_df_part"
# what prepare_positions reads of the positions: the split writes nothing else (a receiver name
# column alone costs a fifth of the split's time)
_SPLIT_COLUMNS = [*DETECT_COLUMNS, "source_id"]
SPLIT_BYTES_PER_ROW = 48  # those columns in Arrow, uncompressed


@dataclass(frozen=True)
class InputSlice:
    """Some row groups of one Parquet file: the unit of work of the split step."""

    path: str
    row_groups: tuple[int, ...]
    rows: int


def parquet_files(paths: list[str | Path]) -> list[str]:
    """Parquet files of ``paths``: files as given, folders searched recursively (e.g. a
    ``day=YYYY-MM-DD/`` dataset or a scenario's ``positions/``), in a stable order."""
    files: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(str(p) for p in sorted(path.rglob("*.parquet")))
        elif path.exists():
            files.append(str(path))
        else:
            raise InputError("no such Parquet file or folder", path=path)
    return files


def plan_slices(files: list[str], max_rows: int) -> list[InputSlice]:
    """Consecutive row groups of each file, about ``max_rows`` rows per slice (from the footers)."""
    import pyarrow.parquet as pq

    slices = []
    for path in files:
        meta = pq.read_metadata(path)
        group: list[int] = []
        rows = 0
        for i in range(meta.num_row_groups):
            n = meta.row_group(i).num_rows
            if group and rows + n > max_rows:
                slices.append(InputSlice(path, tuple(group), rows))
                group, rows = [], 0
            group.append(i)
            rows += n
        if group:
            slices.append(InputSlice(path, tuple(group), rows))
    return slices


def mmsi_bounds(files: list[str], n_partitions: int) -> np.ndarray:
    """Upper MMSI bounds (exclusive, ascending) of ``n_partitions`` ranges holding about equal
    numbers of positions; whole vessels per range. Reads only the ``mmsi`` column, streaming."""
    counts = (
        pl.scan_parquet(files).group_by("mmsi").len().sort("mmsi").collect(engine="streaming")
        if files else pl.DataFrame(schema={"mmsi": pl.Int64, "len": pl.UInt32})
    )
    if counts.height == 0:
        return np.array([], dtype=np.int64)
    cumulative = counts["len"].cum_sum().to_numpy()
    targets = cumulative[-1] * np.arange(1, n_partitions) / n_partitions
    cut = np.unique(np.searchsorted(cumulative, targets, side="left"))
    # a range ends after the vessel that crosses its target; the last range is open-ended
    mmsi = counts["mmsi"].to_numpy()
    bounds = np.unique(mmsi[np.minimum(cut, len(mmsi) - 1)] + 1)
    return bounds[bounds <= mmsi[-1]]


def split_slice(piece: InputSlice, bounds: np.ndarray, out_root: str, columns: list[str] | None = None,
                compression: str = "lz4") -> dict[int, FilePart]:
    """Cut one input slice (only ``columns`` of it, those the file has, when given) by MMSI
    range into one Arrow file: {partition: where its rows are}, non-empty ranges only."""
    frame = _read_slice(piece, columns)
    part = np.searchsorted(bounds, frame["mmsi"].to_numpy(), side="right")
    parts = frame.with_columns(pl.Series(_PART, part)).partition_by(
        _PART, maintain_order=True, include_key=False, as_dict=True
    )
    return write_parts(out_root, {int(key[0]): rows for key, rows in parts.items()}, compression)


def split_compression(rows: int, engine: Engine) -> str:
    """How the split files are written: uncompressed costs a third of LZ4's CPU to write and
    half to read back, but takes ~2.6x the space; worth it while the whole split fits twice
    over in the memory available for the page cache (it is read back within a minute, mostly
    before it reaches the disk), LZ4 beyond that and on shared scratch storage."""
    fits = rows * SPLIT_BYTES_PER_ROW * 2 < _available_memory_bytes()
    return "uncompressed" if engine.in_process and fits else "lz4"


def _available_memory_bytes() -> int:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0  # unknown: stay compact


def encounter_grid(grid: pl.DataFrame, config: DetectConfig) -> pl.DataFrame:
    """The grid rows and columns the encounter search reads: every point at sea, and near a
    port only the instants of the coarser in-port sample (``pipeline._encounters`` drops the others)."""
    _, on_port_sample = in_port_sample(config)
    return grid.select(_ENCOUNTER_GRID).filter(~pl.col("near_port") | on_port_sample)


def vessel_stages(positions: pl.DataFrame, static: pl.DataFrame, config: DetectConfig, ports: PortIndex,
                  digest: str, threads: int = STAGE_THREADS) -> tuple[dict, dict[str, float]]:
    """Everything one MMSI partition yields on its own (on ``threads`` threads), and the wall
    time of each stage."""
    gap = Stage("gap", lambda clean: find_gaps(clean[0], config.gap.min_gap_h), ("clean",))
    heard = Stage("heard", lambda clean: heard_counts(clean[0], config.gap.reception_cell_deg), ("clean",))
    engine = EmbeddedEngine(threads=threads)
    run = run_stages([*stages.vessel_stages(positions, static, config, engine, ports, digest, gap, threads), heard],
                     threads)
    r = run.results
    clean, _, counts = r["clean"]
    points, segments, _ = r["segment"]
    return {
        "counts": counts, "segments": segments, "grid": encounter_grid(r["resample"], config),
        "grid_points": r["resample"].height, "gaps": r["gap"], "heard": r["heard"], "static": r["clean_static"],
        "first_seen": stages.first_seen(clean),
        "events": [r["port_visit"], r["loitering"], r["spoofing"], r["draught_change"]],
    }, _gap_timing(run.wall_s)


def _gap_timing(wall_s: dict[str, float]) -> dict[str, float]:
    """Timings under the in-memory run's names: the reception counts are part of "gap"."""
    timings = dict(wall_s)
    timings["gap"] = round(timings.get("gap", 0.0) + timings.pop("heard", 0.0), 4)
    return timings


def partition_task(positions: list[FilePart | InputSlice], static: list[FilePart | InputSlice], config: DetectConfig,
                   ports: PortIndex, digest: str, out_root: str, threads: int = STAGE_THREADS) -> dict:
    """One MMSI range, run wherever the engine puts it: read its split files (or input slices),
    run :func:`vessel_stages`. Its cleaned static reports go back as a file under ``out_root``:
    the driver needs them only after the encounter search."""
    part, timings = vessel_stages(_read_parts(positions, schema.POSITIONS, _SPLIT_COLUMNS),
                                  _read_parts(static, schema.STATIC), config, ports, digest, threads)
    part["static"] = write_frame(out_root, part["static"], "lz4")
    part["timings_s"] = timings
    return part


def _read_slice(piece: InputSlice, columns: list[str] | None = None) -> pl.DataFrame:
    import pyarrow.parquet as pq

    file = pq.ParquetFile(piece.path)
    if columns is not None:
        columns = [c for c in columns if c in file.schema_arrow.names]
    return pl.from_arrow(file.read_row_groups(list(piece.row_groups), columns=columns))  # type: ignore[return-value]


def _read_parts(parts: list[FilePart | InputSlice], arrow_schema, columns: list[str] | None = None) -> pl.DataFrame:
    frames = [_read_slice(p, columns) if isinstance(p, InputSlice) else load_part(p) for p in parts]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.from_arrow(arrow_schema.empty_table())


def run_detection_partitioned(
    positions: list[str | Path],
    static: list[str | Path] | pl.DataFrame | None = None,
    config: DetectConfig | None = None,
    n_partitions: int | None = None,
    ports: PortIndex | None = None,
    engine: Engine | None = None,
    partition_rows: int = DEFAULT_PARTITION_ROWS,
) -> DetectResult:
    """Detect over Parquet files (``schema.POSITIONS``; folders are searched) too large for
    memory, in ``n_partitions`` MMSI ranges (default: ``partition_rows`` positions in memory at
    once per process, at least two ranges per worker of a parallel engine).
    ``static`` is Parquet files too, or a frame. Peak memory per process ~ ``partition_rows``
    positions, plus on the driver the slim grid and the static reports.

    In this process (the embedded engine) two ranges of half that size run at once, one
    thread each: a range's stages on two threads keep only ~1.5 cores busy (its longest chain
    of stages runs one after another), two ranges side by side keep both."""
    config = config or DetectConfig()
    engine = engine or _default_engine()
    ports = ports or PortIndex.default(config.ports.extra_files)
    digest = config.digest()
    timer = _Timer()
    started = time.perf_counter()
    files = parquet_files(positions)
    with _scratch(engine, "parts") as run_root:
        with timer.stage("split"):
            slices = plan_slices(files, partition_rows)
            total = sum(s.rows for s in slices)
            # with several workers, at least two ranges each: a lone slow range does not idle the others
            floor = 2 * engine.parallelism if engine.parallelism > 1 else 1
            at_once = STAGE_THREADS if engine.in_process and numba_launch_is_threadsafe() else 1
            n_partitions = n_partitions or max(floor, math.ceil(total * at_once / partition_rows))
            static_slices = _static_slices(static, run_root, partition_rows)
            if n_partitions == 1:  # one range: the task reads the inputs as they are
                n_ranges, pos_parts, stat_parts = 1, [slices], [static_slices]
            else:
                bounds = mmsi_bounds(files, n_partitions)
                # a slice is ~partition_rows positions: two at once cost little memory and keep both cores busy
                compression = split_compression(total, engine)
                cuts = [(s, bounds, run_root, _SPLIT_COLUMNS, compression) for s in slices] + [
                    (s, bounds, run_root, None, compression) for s in static_slices]
                split = engine.map_tasks(split_slice, cuts, "split", threads=STAGE_THREADS)
                n_ranges = len(bounds) + 1
                pos_parts = [[piece[k] for piece in split[: len(slices)] if k in piece] for k in range(n_ranges)]
                stat_parts = [[piece[k] for piece in split[len(slices):] if k in piece] for k in range(n_ranges)]
        with timer.stage("vessels"):
            at_once = min(at_once, n_ranges)
            threads = STAGE_THREADS if at_once == 1 else 1
            calls = [(pos_parts[k], stat_parts[k], config, ports, digest, run_root, threads) for k in range(n_ranges)]
            parts = engine.map_tasks(partition_task, calls, "per-vessel stages", threads=at_once)
        result = _combine(parts, config, engine, ports, digest, timer, started)
    result.summary["partitions"] = n_ranges
    return result


def _static_slices(static, run_root: str, partition_rows: int) -> list[InputSlice]:
    """Static reports as split slices: Parquet files as they are, a frame written once first."""
    if static is None:
        return []
    if isinstance(static, pl.DataFrame):
        if static.height == 0:
            return []
        path = f"{run_root}/static-input.parquet"
        static.write_parquet(path, row_group_size=partition_rows)
        static = [path]
    return plan_slices(parquet_files(static), partition_rows)


def _encounters_and_gaps(parts: list[dict], config: DetectConfig, engine: Engine, ports: PortIndex, digest: str,
                         timer: _Timer) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The pair search over the partitions' grids, with the gap evidence found beside it (its
    reception counts are small; the static reports wait until the search has freed its memory)."""
    grids = [p.pop("grid") for p in parts]
    heard = [p.pop("heard") for p in parts]
    found = [p.pop("gaps") for p in parts]

    def gaps() -> pl.DataFrame:
        counts = pl.concat(heard).group_by("cy", "cx", "hour").agg(pl.col("n_vessels").sum())
        return gap_events(pl.concat(found), counts, config.gap, ports, config.ports.in_port_radius_m, digest)

    run = run_stages([Stage("encounter", lambda: _encounters(pl.concat(grids), config, engine, ports, digest)),
                      Stage("gap", gaps)])
    timer.add_all(run.wall_s)
    return run.results["encounter"], run.results["gap"]


def _combine(parts: list[dict], config: DetectConfig, engine: Engine, ports: PortIndex, digest: str, timer: _Timer,
             started: float) -> DetectResult:
    """The cross-vessel stages on what the partitions kept, in MMSI order (the ranges are)."""
    counts = CleanCounts()
    for part in parts:
        for name in ("input_rows", "out_of_order", "duplicates", "no_fix", "output_rows"):
            setattr(counts, name, getattr(counts, name) + getattr(part["counts"], name))
        counts.sources = max(counts.sources, part["counts"].sources)
        timer.add_all(part["timings_s"])
    grid_points = sum(p["grid_points"] for p in parts)
    encounters, gaps = _encounters_and_gaps(parts, config, engine, ports, digest, timer)
    # ranges come in MMSI order and each is sorted by mmsi, time: the concatenation is too
    static_frame = pl.concat([load(p.pop("static")) for p in parts], how="diagonal_relaxed")
    with timer.stage("identity_change"):
        first_seen = pl.concat([p["first_seen"] for p in parts])
        identity = stages.identity(static_frame, first_seen, config, digest)
    per_vessel = pl.concat([e for p in parts for e in p["events"] if e.height] or [empty_events()])
    by_type = lambda name: per_vessel.filter(pl.col("event_type") == name)  # noqa: E731
    with timer.stage("dark_sts"):
        dark = stages.dark_sts(gaps, by_type("loitering"), by_type("port_visit"), static_frame, config, ports, digest)
    events = pl.concat([f for f in (gaps, encounters, identity, dark, per_vessel) if f.height] or [empty_events()])
    events = events.sort("start_utc", "event_type", "mmsi", "event_id")
    segments = pl.concat([p["segments"] for p in parts]).sort("segment_id")
    summary = run_summary(events, counts, static_frame.height, segments.height, grid_points, timer, started, digest,
                          engine.name)
    return DetectResult(events=events, segments=segments, summary=summary)
