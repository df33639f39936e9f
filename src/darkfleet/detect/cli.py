"""``darkfleet detect`` and ``darkfleet evaluate``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from darkfleet.config import PRESETS
from darkfleet.engine.partition import DEFAULT_PARTITION_ROWS
from darkfleet.engine.factory import ENGINES
from darkfleet.errors import ConfigError


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
@click.option("--partitions", type=click.IntRange(min=1), help="Process vessels in N MMSI-range partitions (bounded memory); default: one per --partition-rows positions.")
@click.option("--partition-rows", type=click.IntRange(min=1), default=DEFAULT_PARTITION_ROWS, show_default=True,
              help="Inputs with more positions run in MMSI-range partitions of about this many positions (~400 bytes each in memory).")
@click.option("--no-report", "no_report", is_flag=True, help="Skip report.html (vessels.parquet is still written).")
def detect(inputs: tuple[str, ...], out_dir: str, db_path: str | None, config_path: str | None, preset: str,
           engine_name: str, scheduler: str | None, workers: int, since, partitions: int | None,
           partition_rows: int, no_report: bool) -> None:
    """Find encounters, loitering, gaps, dark STS, spoofing, identity and draught changes, port visits.

    Writes events.parquet, events.geojson, events.csv, segments.parquet, summary.json,
    vessels.parquet (risk score, factors; sanctions matches when --db holds lists) and the
    self-contained report.html into OUT. INPUT is anything 'darkfleet ingest' reads, a scenario folder written by
    'darkfleet simulate' or a day-partitioned Parquet dataset (day=YYYY-MM-DD/); or give --db instead.
    Inputs larger than --partition-rows positions run in MMSI-range partitions (on the workers
    with --engine dask), so no process holds every position.

    \b
    Example:
      darkfleet detect ../shared/data/ais/solent-2016-01-12.csv --out out/
      darkfleet detect --db fleet.duckdb --out out/ --preset tanker_sts
      darkfleet detect scen/ --out out/ --config strict.toml
      darkfleet detect --db fleet.duckdb --out out/ --engine dask --workers 2
      darkfleet detect --db fleet.duckdb --out out/ --since 2026-01-07
      darkfleet detect big-scenario/ --out out/ --partitions 16 --engine dask
    """
    import tempfile

    from darkfleet import schema
    from darkfleet.config import load_config
    from darkfleet.detect.inputs import RunPlan, detect_inputs
    from darkfleet.detect.incremental import record_state, run_since
    from darkfleet.engine.factory import close_engine, engine_options, get_engine

    if not inputs and not db_path:
        raise ConfigError("give INPUT files or --db PATH")
    if inputs and db_path:
        raise ConfigError("give either INPUT files or --db PATH, not both")
    if since and not db_path:
        raise ConfigError("--since needs --db PATH (the store holding the earlier days and their events)")
    if since and partitions:
        raise ConfigError("--since re-reads a window of the store in memory; drop --partitions")
    config = load_config(config_path, preset=preset)
    engine = get_engine(engine_name, **engine_options(engine_name, scheduler, workers))
    with tempfile.TemporaryDirectory(prefix="darkfleet-detect-") as scratch:
        try:
            if since:
                from darkfleet.store import Store

                with Store(db_path, read_only=True) as store:
                    result, read_summary = run_since(store, since, config, engine)
                frames = None
            else:
                run = detect_inputs(inputs, db_path, config, engine, RunPlan(partitions, partition_rows), Path(scratch))
                result, read_summary = run.result, run.read
                frames = (result.events, run.positions, run.static)
        finally:
            close_engine(engine)
        result.summary = summary = {**result.summary, "read": read_summary, "preset": preset}
        result.write(out_dir)
        if db_path:
            from darkfleet.store import Store

            with Store(db_path) as store, store.transaction():
                store.replace("events", schema.EVENTS, result.events_table())
                record_state(store, config.digest())
        counts = ", ".join(f"{k}={v}" for k, v in summary["events"].items() if v)
        click.echo(f"{result.events.height} events ({counts or 'none'}) from {summary['input']['input_rows']} positions -> {out_dir}")
        _write_products(out_dir, db_path, None if db_path else frames, not no_report)


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
      darkfleet detect scen/ --out out/ --no-report
      darkfleet evaluate --truth scen/ --events out/
    """
    from darkfleet.detect.evaluate import evaluate_dirs, format_report

    report = evaluate_dirs(Path(truth_dir), Path(events_dir))
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))
