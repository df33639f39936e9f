"""Scale benchmark: the embedded engine vs Dask (local worker processes) on simulated AIS.

    python benchmarks/scale.py --sizes 1M,10M            # what docs/scaling.md reports
    python benchmarks/scale.py --sizes 100M --engines embedded --data /big/disk

Each size is simulated once with the simulator's presets into ``--data`` (a day-partitioned
Parquet dataset, reused by later runs), then detected by each engine in a fresh process so
peak memory is measured per run: the driver's peak RSS, and for Dask each worker's. Every
run is the partitioned pipeline from the Parquet files (reading included in the times):
MMSI ranges of ~2.5 M positions, on the workers for Dask. Prints
positions/s and the cost per position (CPU-seconds per million positions: it stays flat
when the pipeline scales linearly) and writes the rows as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

# size label -> simulator preset and overrides (regional: ~47 positions per vessel-hour at 60 s;
# global-day keeps one per 30 s: ~67 per vessel-hour after reception losses)
SIZES = {
    "1M": ("regional", {"vessels": 900, "hours": 24}),
    "10M": ("regional", {"vessels": 1500, "hours": 140}),
    "100M": ("global-day", {"vessels": 60_000, "hours": 25}),
}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def ensure_dataset(label: str, data_dir: Path, seed: int = 0) -> Path:
    """Simulate the size once: scenario parts, then positions and static re-laid out by day."""
    from darkfleet.engine.dataset import write_days
    from darkfleet.simulate import write_scenario

    root = data_dir / f"scale-{label}"
    if (root / "done").exists():
        return root
    preset, overrides = SIZES[label]
    started = time.perf_counter()
    write_scenario(preset, seed, root / "scenario", "parquet", **overrides)
    import pyarrow.dataset as ds

    for name in ("positions", "static"):
        scanner = ds.dataset(root / "scenario" / name, format="parquet")
        for batch_table in _tables(scanner):
            write_days(batch_table, str(root / name))
    (root / "done").write_text(json.dumps({"seconds": round(time.perf_counter() - started, 1)}))
    return root


def _tables(dataset, rows: int = 5_000_000):
    """The dataset in tables of about ``rows`` rows (bounded memory while re-laying out)."""
    import pyarrow as pa

    pending, count = [], 0
    for batch in dataset.to_batches(batch_size=1 << 20):
        pending.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield pa.Table.from_batches(pending)
            pending, count = [], 0
    if pending:
        yield pa.Table.from_batches(pending)


def run_once(root: Path, engine_name: str, workers: int, repeat: int = 2) -> dict:
    """One detection run in this process (called in a child process by :func:`main`): the
    partitioned pipeline reading the day-partitioned files itself (on the workers for Dask)."""
    import pyarrow.parquet as pq

    from darkfleet.detect.partitioned import parquet_files, run_detection_partitioned
    from darkfleet.engine.factory import close_engine, get_engine

    cpu0 = time.process_time()
    t0 = time.perf_counter()
    engine = get_engine(engine_name, **({"workers": workers} if engine_name == "dask" else {}))
    startup_s = time.perf_counter() - t0
    try:
        # the first run pays one-off costs (Numba loading its cache in every process); a service
        # detecting day after day runs warm, so both are reported and the last one is the rate
        walls = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = run_detection_partitioned([root / "positions"], [root / "static"], engine=engine)
            walls.append(time.perf_counter() - t0)
        detect_s = walls[-1]
        worker_rss = []
        worker_cpu = 0.0
        if engine_name == "dask":
            usage = engine.client.run(_worker_usage)  # type: ignore[attr-defined]
            worker_rss = sorted(round(u[0], 1) for u in usage.values())
            worker_cpu = sum(u[1] for u in usage.values())
    finally:
        close_engine(engine)
    n = sum(pq.read_metadata(p).num_rows for p in parquet_files([root / "positions"]))
    cpu_s = (time.process_time() - cpu0 + worker_cpu) / repeat
    return {
        "engine": engine_name,
        "workers": workers if engine_name == "dask" else 0,
        "positions": n,
        "events": result.events.height,
        "events_by_type": {k: v for k, v in result.summary["events"].items() if v},
        "grid_points": result.summary["grid_points"],
        "partitions": result.summary["partitions"],
        "startup_s": round(startup_s, 2),
        "detect_s": round(detect_s, 2),
        "detect_s_cold": round(walls[0], 2),
        "positions_per_s": round(n / detect_s),
        "cpu_s_per_m_positions": round(cpu_s / n * 1e6, 2),
        "wall_s_per_m_positions": round(detect_s / n * 1e6, 2),
        "driver_peak_rss_mb": round(_peak_rss_mb(), 1),
        "worker_peak_rss_mb": worker_rss,
        "timings_s": result.summary["timings_s"],
        "event_ids_sha1": _ids_digest(result.events["event_id"].to_list()),
        # other work on the machine slows wall times: keep the 1-minute load average with each row
        "load_avg_1m": round(os.getloadavg()[0], 1),
    }


def _worker_usage() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _ids_digest(ids: list[str]) -> str:
    import hashlib

    return hashlib.sha1("\n".join(ids).encode()).hexdigest()[:12]


def _table(rows: list[dict]) -> str:
    head = (f"{'size':>6} {'engine':>9} {'positions':>11} {'cold s':>7} {'warm s':>7} {'pos/s':>9} {'cpu s/M':>8} {'load':>5} "
            f"{'driver MB':>9}  workers MB")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['size']:>6} {r['engine']:>9} {r['positions']:>11,} {r['detect_s_cold']:>7.1f} {r['detect_s']:>7.1f} "
            f"{r['positions_per_s']:>9,} "
            f"{r['cpu_s_per_m_positions']:>8.1f} {r['load_avg_1m']:>5.1f} {r['driver_peak_rss_mb']:>9.0f}  "
            f"{r['worker_peak_rss_mb'] or '-'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1M,10M", help="comma-separated: " + ", ".join(SIZES))
    parser.add_argument("--engines", default="embedded,dask")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=Path("bench-data"), help="where simulated inputs are kept")
    parser.add_argument("--json", type=Path, default=Path("bench-data/scale.json"), help="results file")
    parser.add_argument("--repeat", type=int, default=2, help="runs per engine (the last one is reported)")
    parser.add_argument("--_child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        root, engine_name, workers, repeat = args._child
        print(json.dumps(run_once(Path(root), engine_name, int(workers), int(repeat))))
        return
    rows = []
    for label in args.sizes.split(","):
        if label not in SIZES:
            parser.error(f"unknown size {label!r}; choose from {', '.join(SIZES)}")
        root = ensure_dataset(label, args.data)
        for engine_name in args.engines.split(","):
            child = subprocess.run(
                [sys.executable, __file__, "--_child", str(root), engine_name, str(args.workers), str(args.repeat)],
                capture_output=True, text=True, check=False,
            )
            if child.returncode != 0:
                sys.exit(f"{label} {engine_name} failed:\n{child.stderr[-3000:]}")
            row = {"size": label, **json.loads(child.stdout.strip().splitlines()[-1])}
            rows.append(row)
            print(_table([row]).splitlines()[-1], flush=True)
            # written after every run: a 100 M run takes long, keep what is measured
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(rows, indent=2))
    print(_table(rows))


if __name__ == "__main__":
    main()
