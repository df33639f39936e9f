"""``darkfleet score``: screen + events -> the store's ``vessels`` table (and vessels.parquet)."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from darkfleet import schema
from darkfleet.errors import InputError
from darkfleet.store import Store


@click.command("score")
@click.option("--db", required=True, type=click.Path(path_type=Path, exists=True),
              help="Store with ingested AIS, detected events and stored lists; its vessels table is rewritten.")
@click.option("--vessels", "vessels_file", type=click.Path(path_type=Path, exists=True),
              help="Registry file (Parquet/CSV with mmsi, imo, name, flag, owner, manager...) instead of the static reports.")
@click.option("--events", "events_file", type=click.Path(path_type=Path, exists=True),
              help="events.parquet from 'darkfleet detect --out' (default: the store's events table).")
@click.option("--lists", "list_files", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="List files to screen against (default: the lists stored in --db; none: no sanctions factors).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="TOML file whose [risk] table overrides the weights (docs/risk.md).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Also write vessels.parquet here.")
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True, help="Print the N riskiest vessels.")
def score_command(db: Path, vessels_file: Path | None, events_file: Path | None, list_files: tuple[Path, ...],
                  config_path: Path | None, out: Path | None, top: int) -> None:
    """Score every vessel 0-100 with explained factors and write the vessels table.

    \b
    Example:
      darkfleet detect --db fleet.duckdb --out out/
      darkfleet lists update --from ../shared/data/sanctions/ofac-sdn-csv-2021 --db fleet.duckdb
      darkfleet score --db fleet.duckdb --out out/vessels.parquet
    """
    from darkfleet.score import load_risk_config, score_vessels
    from darkfleet.screen.inputs import read_vessels_file, registry_for, vessels_from_store, write_matches
    from darkfleet.screen.screening import screen

    config = load_risk_config(config_path)
    with Store(db, read_only=True) as store:
        vessels, identities = vessels_from_store(store, prefer_static=True)
        if events_file is None and not store.has_table("events"):
            raise InputError("no events: run 'darkfleet detect --db' first or give --events events.parquet", path=db)
        events = pl.read_parquet(events_file) if events_file else pl.from_arrow(store.arrow("SELECT * FROM events"))
        has_lists = bool(list_files) or store.has_table("sanctions_lists")
    if vessels_file is not None:
        vessels = read_vessels_file(vessels_file)
    matches = screen(registry_for(list_files, db), vessels, identities) if has_lists else None
    if matches is None:
        click.echo("darkfleet: warning: no sanctions lists stored: scoring behaviour only", err=True)
    table = score_vessels(vessels, events, matches, config)
    with Store(db) as store:
        store.replace("vessels", schema.VESSELS, table)
    if matches is not None:
        write_matches(db, matches)
    if out is not None:
        pl.from_arrow(table).write_parquet(out)
    for row in pl.from_arrow(table).head(top).iter_rows(named=True):
        click.echo(f"{row['mmsi']}\t{row['risk_score']:.0f}\t{row['name'] or ''}\t{row['flag'] or ''}")
    click.echo(f"scored {table.num_rows} vessels", err=True)
