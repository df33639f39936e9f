"""``darkfleet score``: screen + events -> the store's ``vessels`` table (and vessels.parquet)."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

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
    from darkfleet.score import load_risk_config
    from darkfleet.score.from_store import score_store
    from darkfleet.screen.inputs import read_vessels_file

    config = load_risk_config(config_path)
    events = pl.read_parquet(events_file) if events_file else None
    vessels = read_vessels_file(vessels_file) if vessels_file else None
    with Store(db) as store:
        table, matches = score_store(store, config, events=events, vessels=vessels, list_files=list_files)
    if matches is None:
        click.echo("darkfleet: warning: no sanctions lists stored: scoring behaviour only", err=True)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)  # like detect --out and report --out
        pl.from_arrow(table).write_parquet(out)
    for row in pl.from_arrow(table).head(top).iter_rows(named=True):
        click.echo(f"{row['mmsi']}\t{row['risk_score']:.0f}\t{row['name'] or ''}\t{row['flag'] or ''}")
    click.echo(f"scored {table.num_rows} vessels", err=True)
