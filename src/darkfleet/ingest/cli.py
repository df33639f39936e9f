"""``darkfleet ingest`` and ``darkfleet info``: load AIS into the store and describe it."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import click

from darkfleet.errors import ConfigError

FORMATS = ["auto", "nmea", "noaa", "dma", "csv", "parquet"]


def _parse_columns(value: str | None) -> dict[str, str] | None:
    """``mmsi=MMSI,timestamp=Time`` -> {"mmsi": "MMSI", "timestamp": "Time"}."""
    if not value:
        return None
    mapping: dict[str, str] = {}
    for part in value.split(","):
        key, sep, column = part.partition("=")
        if not sep or not key.strip() or not column.strip():
            raise ConfigError(f"--columns expects name=COLUMN pairs separated by commas, got {part!r}")
        mapping[key.strip().lower()] = column.strip()
    return mapping


def _parse_assume_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"--assume-time expects an ISO time such as 2024-01-31T12:00:00Z, got {value!r}") from exc
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


@click.command("ingest")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False), help="DuckDB database file (created if absent).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True, help="Input format; auto sniffs each file.")
@click.option("--columns", help="Column mapping for generic CSV/Parquet: mmsi=..,timestamp=..,lat=..,lon=.. (optional sog=,cog=,heading=).")
@click.option("--assume-time", help="UTC time for NMEA lines that carry no timestamp (ISO 8601).")
@click.option("--strict", is_flag=True, help="Fail on the first rejected line (exit 2); nothing from that file is stored.")
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False), help="JSON summary path [default: <db>.summary.json].")
def ingest(inputs: tuple[str, ...], db_path: str, fmt: str, columns: str | None, assume_time: str | None,
           strict: bool, summary_path: str | None) -> None:
    """Append AIS files (NMEA, NOAA, DMA, CSV, Parquet) to a DuckDB store.

    INPUT may be files, folders (recursive), globs, or .gz/.bz2/.zip archives.
    Content already ingested (same SHA-256) is skipped. Every line ends up decoded,
    skipped by rule or rejected with a reason; the counts are written as JSON.

    \b
    Example:
      darkfleet ingest ../shared/data/ais --db fleet.duckdb
      darkfleet ingest 'exports/*.csv' --db fleet.duckdb --columns mmsi=id,timestamp=t,lat=y,lon=x
    """
    from darkfleet.ingest.batch import ReadOptions
    from darkfleet.ingest.driver import ingest as run_ingest

    options = ReadOptions(format=fmt, assume_time=_parse_assume_time(assume_time),
                          columns=_parse_columns(columns), strict=strict)
    summary = run_ingest(list(inputs), Path(db_path), options,
                         summary_path=Path(summary_path) if summary_path else None)
    click.echo(summary.one_line())


@click.command("info")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False), help="DuckDB database file.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def info(db_path: str, as_json: bool) -> None:
    """Describe a store: rows, vessels, time span, bounding box and per-source counts.

    \b
    Example:
      darkfleet info --db fleet.duckdb
      darkfleet info --db fleet.duckdb --json
    """
    from darkfleet.ingest.overview import describe_store, render_overview

    overview = describe_store(Path(db_path))
    if as_json:
        click.echo(json.dumps(overview, indent=2, default=str))
    else:
        render_overview(overview)
