"""``darkfleet detect`` and ``darkfleet evaluate``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from darkfleet.config import PRESETS
from darkfleet.engine.factory import ENGINES
from darkfleet.errors import ConfigError


def _load_inputs(inputs: tuple[str, ...], db_path: str | None):
    """(positions, static, input summary) from files via darkfleet.ingest, or from a store."""
    if db_path:
        from darkfleet import schema
        from darkfleet.store import Store

        with Store(db_path, read_only=True) as store:
            positions = store.arrow("SELECT * FROM positions") if store.has_table("positions") else schema.POSITIONS.empty_table()
            static = store.arrow("SELECT * FROM static") if store.has_table("static") else schema.STATIC.empty_table()
        return positions, static, {"db": str(db_path)}
    scenarios = [Path(p) for p in inputs if _is_scenario(Path(p))]
    if scenarios:
        if len(scenarios) != len(inputs):
            raise ConfigError("give either simulator scenario folders or AIS files, not both")
        return _read_scenarios(scenarios)
    from darkfleet.ingest import read
    from darkfleet.ingest.batch import ReadOptions

    positions, static, summary = read(list(inputs), ReadOptions())
    return positions, static, summary.to_json() if hasattr(summary, "to_json") else summary


def _is_scenario(path: Path) -> bool:
    """A folder written by ``darkfleet simulate`` (Parquet): positions/ and static/ parts."""
    return path.is_dir() and (path / "positions").is_dir() and (path / "truth.parquet").exists()


def _detect_partitioned(folders: list[Path], out_dir: str, config, partitions: int, preset: str, report: bool) -> None:
    import polars as pl

    from darkfleet import schema
    from darkfleet.detect.output import write_outputs
    from darkfleet.detect.partitioned import run_detection_partitioned

    paths = sorted(p for folder in folders for p in (folder / "positions").glob("*.parquet"))
    statics = sorted(p for folder in folders for p in (folder / "static").glob("*.parquet"))
    static = pl.read_parquet(statics) if statics else pl.from_arrow(schema.STATIC.empty_table())
    result = run_detection_partitioned(paths, static, config, n_partitions=partitions)
    summary = {**result.summary, "read": {"scenarios": [str(f) for f in folders]}, "preset": preset}
    write_outputs(out_dir, result.events, result.segments, summary)
    counts = ", ".join(f"{k}={v}" for k, v in summary["events"].items() if v)
    click.echo(f"{result.events.height} events ({counts or 'none'}) from {summary['input']['input_rows']} positions -> {out_dir}")
    _write_products(out_dir, None, (result.events, paths, static), report)


def _write_products(out_dir: str, db_path: str | None, frames: tuple | None, report: bool) -> None:
    """vessels.parquet and report.html, from the store events went to or from the run's frames."""
    from darkfleet.products import frames_store, write_products
    from darkfleet.store import Store

    with (Store(db_path) if db_path else frames_store(*frames)) as store:
        written = write_products(out_dir, store, report=report)
    screened = "no sanctions lists" if written["n_matches"] is None else f"{written['n_matches']} sanctions matches"
    click.echo(f"{written['n_vessels']} vessels scored ({screened}) -> {written['vessels']}")
    if "report" in written:
        click.echo(f"report -> {written['report']}")


def _read_scenarios(folders: list[Path]):
    """Canonical positions and static parts of simulator scenario folders, read as they are."""
    import polars as pl

    from darkfleet import schema
    from darkfleet.errors import InputError

    def parts(kind: str) -> list[Path]:
        return sorted(p for folder in folders for p in (folder / kind).glob("*.parquet"))

    if not parts("positions"):
        raise InputError("scenario folder has no positions/*.parquet", path=folders[0])
    positions = pl.read_parquet(parts("positions"))
    static = pl.read_parquet(parts("static")) if parts("static") else pl.from_arrow(schema.STATIC.empty_table())
    return positions, static, {"scenarios": [str(f) for f in folders], "positions": positions.height}


@click.command("detect")
@click.argument("inputs", nargs=-1)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder (created).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help="Read positions from this store and write events back to it.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="TOML file overriding detection settings.")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default="default", show_default=True, help="Named set of settings.")
@click.option("--engine", "engine_name", type=click.Choice(ENGINES), default="embedded", show_default=True, help="Run stages in-process or on Dask.")
@click.option("--scheduler", help="Dask scheduler tcp://HOST:PORT (--engine dask); default: a local cluster.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Worker processes of the local Dask cluster.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="With --db: re-process only days from DATE (plus overlap); keep earlier events.")
@click.option("--partitions", type=click.IntRange(min=1), help="Scenario folders: process vessels in N MMSI partitions read from Parquet (bounded memory).")
@click.option("--no-report", "no_report", is_flag=True, help="Skip report.html (vessels.parquet is still written).")
def detect(inputs: tuple[str, ...], out_dir: str, db_path: str | None, config_path: str | None, preset: str,
           engine_name: str, scheduler: str | None, workers: int, since, partitions: int | None,
           no_report: bool) -> None:
    """Find encounters, loitering, gaps, dark STS, spoofing, identity and draught changes, port visits.

    Writes events.parquet, events.geojson, events.csv, segments.parquet, summary.json,
    vessels.parquet (risk score, factors; sanctions matches when --db holds lists) and the
    self-contained report.html into OUT. INPUT is anything 'darkfleet ingest' reads, or a scenario folder written by
    'darkfleet simulate' (Parquet); or give --db instead.

    \b
    Example:
      darkfleet detect ../shared/data/ais/solent-2016-01-12.csv --out out/
      darkfleet detect --db fleet.duckdb --out out/ --preset tanker_sts
      darkfleet detect scen/ --out out/ --config strict.toml
      darkfleet detect --db fleet.duckdb --out out/ --engine dask --workers 2
      darkfleet detect --db fleet.duckdb --out out/ --since 2026-01-07
      darkfleet detect big-scenario/ --out out/ --partitions 16
    """
    from darkfleet import schema
    from darkfleet.config import load_config
    from darkfleet.detect.output import write_outputs
    from darkfleet.detect.incremental import record_state, run_since
    from darkfleet.detect.pipeline import run_detection
    from darkfleet.engine.factory import close_engine, engine_options, get_engine

    if not inputs and not db_path:
        raise ConfigError("give INPUT files or --db PATH")
    if inputs and db_path:
        raise ConfigError("give either INPUT files or --db PATH, not both")
    if since and not db_path:
        raise ConfigError("--since needs --db PATH (the store holding the earlier days and their events)")
    config = load_config(config_path, preset=preset)
    if partitions:
        folders = [Path(p) for p in inputs]
        if not folders or not all(_is_scenario(f) for f in folders):
            raise ConfigError("--partitions needs simulator scenario folders (positions/*.parquet) as INPUT")
        _detect_partitioned(folders, out_dir, config, partitions, preset, not no_report)
        return
    engine = get_engine(engine_name, **engine_options(engine_name, scheduler, workers))
    try:
        if since:
            from darkfleet.store import Store

            with Store(db_path, read_only=True) as store:
                result, read_summary = run_since(store, since, config, engine)
        else:
            positions, static, read_summary = _load_inputs(inputs, db_path)
            result = run_detection(positions, static, config, engine=engine)
    finally:
        close_engine(engine)
    summary = {**result.summary, "read": read_summary, "preset": preset}
    write_outputs(out_dir, result.events, result.segments, summary)
    if db_path:
        from darkfleet.store import Store

        with Store(db_path) as store, store.transaction():
            store.replace("events", schema.EVENTS, result.events_table())
            record_state(store, config.digest())
    counts = ", ".join(f"{k}={v}" for k, v in summary["events"].items() if v)
    click.echo(f"{result.events.height} events ({counts or 'none'}) from {summary['input']['input_rows']} positions -> {out_dir}")
    _write_products(out_dir, db_path, None if db_path else (result.events, positions, static), not no_report)


@click.command("evaluate")
@click.option("--truth", "truth_dir", required=True, type=click.Path(), help="Scenario folder with truth.parquet (and benign.parquet).")
@click.option("--events", "events_dir", required=True, type=click.Path(), help="Folder with events.parquet (from detect).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def evaluate(truth_dir: str, events_dir: str, as_json: bool) -> None:
    """Precision, recall, F1 and timing error per event type against simulator truth.

    A detection matches a truth row of the same type, the same vessel (or unordered pair)
    and an overlapping time span. Also lists alerts on benign look-alikes.

    \b
    Example:
      darkfleet simulate --preset tiny --out scen/
      darkfleet detect scen/positions.parquet --out out/
      darkfleet evaluate --truth scen/ --events out/
    """
    from darkfleet.detect.evaluate import evaluate_dirs, format_report

    report = evaluate_dirs(Path(truth_dir), Path(events_dir))
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))
