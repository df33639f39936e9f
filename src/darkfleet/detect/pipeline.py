"""The detection pipeline: clean -> segment -> resample -> every detector, each stage timed.

The stages form a dependency graph run on two threads (both cores stay busy: while one
thread segments and resamples, the other finds gaps, identity changes, port visits...).
Stages run through an :class:`~darkfleet.engine.base.Engine` (per-vessel stages with
``map_groups``, the spatial pair search with ``map_cells``); the detectors themselves are
pure functions of frames and never see the engine.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from darkfleet import schema
from darkfleet.config import DetectConfig
from darkfleet.detect import stages
from darkfleet.detect.encounter import close_pairs, detect_encounters
from darkfleet.detect.events import empty_events
from darkfleet.detect.gap import detect_gaps
from darkfleet.detect.ports_index import PortIndex
from darkfleet.engine.base import Engine
from darkfleet.engine.stage_graph import STAGE_THREADS, Stage, run_stages
from darkfleet.engine.staging import FilePart, load_parts, write_parts

PAIR_PARTITION_DEG = 1.0  # coarse cells an engine may partition the pair search by
# above this many grid points, pairs go to files in slices of lower MMSI (one slice per
# PAIR_SLICE_GRID_ROWS points, at least MIN_PAIR_SLICES), and contact runs are formed on
# batches of whole slices holding at most PAIR_BATCH_ROWS pairs (~90 bytes each), STAGE_THREADS
# batches at a time: memory bound. Below it the pairs stay in memory (~0.3 GB at the 1.5 M grid
# points of 12 M positions): the file round trip costs ~1 s there, a third of the encounter stage
SPILL_PAIRS_ABOVE_GRID_ROWS = 3_000_000
PAIR_SLICE_GRID_ROWS = 250_000
MIN_PAIR_SLICES = 64
PAIR_BATCH_ROWS = 2_000_000


@dataclass
class DetectResult:
    events: pl.DataFrame  # schema.EVENTS
    segments: pl.DataFrame  # schema.SEGMENTS
    summary: dict[str, Any] = field(default_factory=dict)

    def events_table(self) -> pa.Table:
        return schema.conform(self.events.to_arrow(), schema.EVENTS)

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write what ``darkfleet detect --out DIR`` writes of detection: events (Parquet,
        GeoJSON, CSV), segments and ``summary.json``; returns the paths by file name."""
        from darkfleet.detect.output import write_outputs

        return write_outputs(out_dir, self.events, self.segments, self.summary)


@dataclass
class _Timer:
    timings_s: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.timings_s[name] = round(self.timings_s.get(name, 0.0) + seconds, 4)

    def add_all(self, timings_s: dict[str, float]) -> None:
        for name, seconds in timings_s.items():
            self.add(name, seconds)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)


def _default_engine() -> Engine:
    from darkfleet.engine.embedded import EmbeddedEngine  # the pipeline's default, not a detector's

    return EmbeddedEngine()


def run_detection(
    positions: pa.Table | pl.DataFrame,
    static: pa.Table | pl.DataFrame | None = None,
    config: DetectConfig | None = None,
    engine: Engine | None = None,
    ports: PortIndex | None = None,
    only: set[str] | None = None,
    threads: int = STAGE_THREADS,
) -> DetectResult:
    """Every detector over one batch of positions (and static reports) that fits in memory.

    Stages run as a dependency graph on ``threads`` threads (see :func:`detection_stages`);
    the result does not depend on how many."""
    config = config or DetectConfig()
    engine = engine or _default_engine()
    ports = ports or PortIndex.default(config.ports.extra_files)
    digest = config.digest()
    started = time.perf_counter()
    graph = detection_stages(positions, static, config, engine, ports, digest)
    if only is not None:
        graph = _needed(graph, only)
    run = run_stages(graph, threads)
    frames = [run.results[name] for name in EVENT_STAGES if name in run.results]
    events = pl.concat([f for f in frames if f.height] or [empty_events()])
    if only is not None:
        events = events.filter(pl.col("event_type").is_in(sorted(only)))
    events = events.sort("start_utc", "event_type", "mmsi", "event_id")
    _, _, counts = run.results["clean"]
    static_frame = run.results["clean_static"]
    segments = run.results["segment"][1]
    grid = run.results["resample"]
    timer = _Timer(dict(run.wall_s))
    summary = run_summary(events, counts, static_frame.height, segments.height, grid.height, timer, started, digest,
                          engine.name)
    return DetectResult(events=events, segments=segments, summary=summary)


# the order events are concatenated in (then sorted), whichever thread finished first
EVENT_STAGES = ("gap", "port_visit", "loitering", "encounter", "spoofing", "identity_change", "draught_change",
                "dark_sts")


def detection_stages(positions, static, config: DetectConfig, engine: Engine, ports: PortIndex,
                     digest: str) -> list[Stage]:
    """The in-memory pipeline as a stage graph: the per-vessel stages, the encounter search
    right after the resampled grid (the longest stage, so it starts first), then the stages
    that combine vessels."""
    radius = config.ports.in_port_radius_m
    gap = Stage("gap", lambda clean: detect_gaps(clean[0], config.gap, ports, radius, digest), ("clean",))
    graph = stages.vessel_stages(positions, static, config, engine, ports, digest, gap)
    encounter = Stage("encounter", lambda grid: _encounters(grid, config, engine, ports, digest), ("resample",))
    graph.insert([s.name for s in graph].index("resample") + 1, encounter)
    return [
        *graph,
        Stage("identity_change", lambda clean, static_frame: stages.identity(
            static_frame, stages.first_seen(clean[0]), config, digest), ("clean", "clean_static")),
        Stage("dark_sts", lambda gaps, loitering, visits, static_frame: stages.dark_sts(
            gaps, loitering, visits, static_frame, config, ports, digest),
              ("gap", "loitering", "port_visit", "clean_static")),
    ]


# what run_detection's summary and segments read, whatever ``only`` asks for
_ALWAYS = ("clean", "clean_static", "segment", "resample")


def _needed(graph: list[Stage], only: set[str]) -> list[Stage]:
    """The stages ``only`` asks for and everything they need (graph order kept)."""
    by_name = {s.name: s for s in graph}
    wanted: set[str] = set()
    todo = [n for n in (*only, *_ALWAYS) if n in by_name]
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo.extend(by_name[name].needs)
    return [s for s in graph if s.name in wanted]


def run_summary(events: pl.DataFrame, counts, static_rows: int, n_segments: int, grid_points: int, timer: _Timer,
                started: float, digest: str, engine_name: str) -> dict[str, Any]:
    """``summary.json``: counts per type, input counts, timings per stage, throughput."""
    elapsed = time.perf_counter() - started
    return {
        "events": {t.value: int((events["event_type"] == t.value).sum()) for t in schema.EventType},
        "input": {**counts.to_json(), "static_rows": static_rows},
        "segments": n_segments,
        "grid_points": grid_points,
        "timings_s": {**timer.timings_s, "total": round(elapsed, 4)},
        "positions_per_s": round(counts.input_rows / elapsed) if elapsed > 0 else None,
        "config_digest": digest,
        "engine": engine_name,
    }


def in_port_sample(config: DetectConfig) -> tuple[int, pl.Expr]:
    """The step (minutes) of the coarser time sample encounters are searched on in port, and
    whether a grid instant falls on it."""
    port_step = max(config.resample.step_min, config.encounter.in_port_step_min)
    return port_step, (pl.col("timestamp_utc").dt.epoch("s") // 60) % port_step == 0


def _encounters(grid: pl.DataFrame, config: DetectConfig, engine: Engine, ports: PortIndex, digest: str) -> pl.DataFrame:
    """Encounters at sea on the full grid; in port (where dozens of moored vessels lie within
    500 m of each other) on a coarser time sample, which bounds the pair count."""
    enc = config.encounter
    step = config.resample.step_min
    port_step, on_port_sample = in_port_sample(config)

    def detect(subset: pl.DataFrame, sample_min: int, pairs: pl.DataFrame) -> pl.DataFrame:
        return detect_encounters(subset, enc, ports, config.ports.in_port_radius_m, sample_min, digest, pairs=pairs)

    parts = []
    for subset, sample_min in (
        (grid.filter(~pl.col("near_port")), step),
        (grid.filter(pl.col("near_port") & on_port_sample), port_step),
    ):
        if subset.height == 0:
            continue
        cells = subset.with_columns(
            (pl.col("lat") / PAIR_PARTITION_DEG).floor().cast(pl.Int64).alias("cell_y"),
            (pl.col("lon") / PAIR_PARTITION_DEG).floor().cast(pl.Int64).alias("cell_x"),
        )
        search = _pair_fn(enc.max_distance_m)
        # decided on the whole grid: the hourly in-port sample has few points but, moored side
        # by side, dozens of pairs per point (tens of millions at global scale)
        if grid.height <= SPILL_PAIRS_ABOVE_GRID_ROWS:
            parts.append(detect(subset, sample_min, engine.map_cells(cells, ["cell_y", "cell_x"], search, halo=1)))
            continue
        # contact runs are per vessel pair, so disjoint sets of pairs give disjoint events: each
        # task writes its pairs to files by slice of lower MMSI, and runs are formed on batches
        # of slices bounded by their pair count (known only once the search has run)
        n_slices = max(MIN_PAIR_SLICES, -(-subset.height // PAIR_SLICE_GRID_ROWS))
        with _scratch(engine) as root:
            files = engine.map_cells(cells, ["cell_y", "cell_x"], search, halo=1, sink=_spill_fn(root, n_slices))
            del cells
            # batches run side by side: the Numba run kernel and most Polars work release the GIL
            with ThreadPoolExecutor(STAGE_THREADS, thread_name_prefix="darkfleet-pairs") as pool:
                parts.extend(pool.map(lambda batch: detect(subset, sample_min, _load_pairs(batch)),
                                      _pair_batches(files, PAIR_BATCH_ROWS)))
    return pl.concat(parts) if parts else empty_events()


@contextmanager
def _scratch(engine: Engine, kind: str = "pairs") -> Iterator[str]:
    """A folder every task of ``engine`` can write (named after ``kind``), removed afterwards."""
    import shutil
    import tempfile
    import uuid

    import fsspec

    shared = engine.scratch_root()
    root = f"{shared.rstrip('/')}/{kind}-{uuid.uuid4().hex[:12]}" if shared else tempfile.mkdtemp(prefix=f"darkfleet-{kind}-")
    fs, path = fsspec.core.url_to_fs(root)
    fs.makedirs(path, exist_ok=True)
    try:
        yield root
    finally:
        if not shared:
            shutil.rmtree(root, ignore_errors=True)
        elif fs.exists(path):
            fs.rm(path, recursive=True)


def _spill_fn(root: str, n_slices: int) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """A ``map_cells`` sink writing a task's pairs to one file, one record batch per slice of
    lower MMSI (few files: a small sea task finds a handful of pairs per slice)."""
    def sink(pairs: pl.DataFrame) -> pl.DataFrame:
        parts = pairs.drop("cell_y", "cell_x").with_columns((pl.col("mmsi") % n_slices).alias("_slice")).partition_by(
            "_slice", include_key=False, as_dict=True)
        slices = sorted(int(k[0]) for k in parts)  # type: ignore[call-overload]
        written = write_parts(root, {k: parts[(k,)] for k in slices}, "lz4")
        return pl.DataFrame(
            {"slice": slices, "path": [written[k].url for k in slices], "batch": [written[k].first_batch for k in slices],
             "n_batches": [written[k].n_batches for k in slices], "rows": [parts[(k,)].height for k in slices]},
            schema={"slice": pl.Int64, "path": pl.String, "batch": pl.Int64, "n_batches": pl.Int64, "rows": pl.Int64},
        )

    return sink


def _load_pairs(batches: pl.DataFrame) -> pl.DataFrame:
    """The spilled pairs listed in ``batches`` (columns path, batch, n_batches), in that order."""
    return load_parts([FilePart(*row) for row in batches.select("path", "batch", "n_batches").iter_rows()])


def _pair_batches(files: pl.DataFrame, max_rows: int) -> Iterator[pl.DataFrame]:
    """The spilled pair record batches (columns slice, path, batch, rows) in groups of whole
    slices, each holding at most ``max_rows`` pairs (or one slice alone, when it is larger),
    ordered by slice then as ``files`` lists them."""
    per_slice = files.group_by("slice").agg(pl.col("rows").sum()).sort("slice")
    group, groups, rows = 0, [], 0
    for n in per_slice["rows"].to_list():
        if rows and rows + n > max_rows:
            group, rows = group + 1, 0
        groups.append(group)
        rows += n
    numbered = per_slice.select("slice", pl.Series("_group", groups, dtype=pl.Int64))
    ordered = files.with_row_index("_order").join(numbered, on="slice").sort("_group", "slice", "_order")
    yield from ordered.drop("_order").partition_by("_group", include_key=False, maintain_order=True)


def _pair_fn(max_distance_m: float) -> Callable[[pl.DataFrame], pl.DataFrame]:
    def fn(frame: pl.DataFrame) -> pl.DataFrame:
        pairs = close_pairs(frame, max_distance_m)
        # each pair is owned by the coarse cell of its midpoint, so halo copies are dropped once
        return pairs.with_columns(
            (pl.col("lat") / PAIR_PARTITION_DEG).floor().cast(pl.Int64).alias("cell_y"),
            (pl.col("lon") / PAIR_PARTITION_DEG).floor().cast(pl.Int64).alias("cell_x"),
        )

    return fn
