"""``darkfleet lists update|show`` and ``darkfleet screen``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import polars as pl

from darkfleet._progress import track
from darkfleet.errors import InputError
from darkfleet.store import Store

MAX_ISSUES_SHOWN = 20  # the rest are stored (sanctions_issues), not lost


@click.group("lists")
def lists() -> None:
    """Sanctions lists kept in the store (OFAC, EU, UK, FollowTheMoney).

    \b
    Example:
      darkfleet lists update --from ../shared/data/sanctions/ofac-sdn-csv-2021 --db fleet.duckdb
      darkfleet lists show --db fleet.duckdb
    """


@lists.command("update")
@click.option("--from", "sources", multiple=True, required=True, type=click.Path(path_type=Path),
              help="List file or OFAC folder (repeatable); the layout is recognised from the content.")
@click.option("--db", required=True, type=click.Path(path_type=Path), help="DuckDB store to write.")
@click.option("--published", type=click.DateTime(["%Y-%m-%d"]), help="Publication date when the file does not say.")
@click.option("--list-id", help="Store under this list id instead of the layout's default (e.g. ofac_sample).")
@click.option("--strict", is_flag=True, help="Exit non-zero when any row could not be read.")
def update(sources: tuple[Path, ...], db: Path, published, list_id: str | None, strict: bool) -> None:
    """Load list files and store them with their publication date.

    Malformed rows are reported on stderr with their line numbers; the rest still loads.

    \b
    Example:
      darkfleet lists update --from sdn.xml --from eu-reg-833-2014-annexes.csv --db fleet.duckdb
    """
    from darkfleet.screen.lists import load_list
    from darkfleet.screen.store import save_list

    if list_id and len(sources) > 1:
        raise click.UsageError("--list-id names one list: give a single --from with it")
    day: date | None = published.date() if published else None
    loaded = [load_list(p, list_id, day) for p in track(sources, "reading lists", total=len(sources))]
    issues = 0
    with Store(db) as store:
        for lst in loaded:
            save_list(store, lst)
            v = lst.version
            click.echo(f"{v.label}\t{v.layout}\t{v.source}\tentries={len(lst.entries)}\tvessels={len(lst.vessels)}\t"
                       f"issues={len(lst.issues)}")
            for issue in lst.issues[:MAX_ISSUES_SHOWN]:
                where = f"{issue.path}:{issue.line_no}" if issue.line_no else issue.path
                click.echo(f"darkfleet: warning: {where}: {issue.reason}", err=True)
            if len(lst.issues) > MAX_ISSUES_SHOWN:
                click.echo(f"darkfleet: warning: ... {len(lst.issues) - MAX_ISSUES_SHOWN} more in the store's "
                           "sanctions_issues table", err=True)
            issues += len(lst.issues)
    if strict and issues:
        raise InputError(f"{issues} row(s) could not be read (--strict)")


@lists.command("show")
@click.option("--db", required=True, type=click.Path(path_type=Path, exists=True), help="DuckDB store.")
def show(db: Path) -> None:
    """List the stored list versions.

    \b
    Example:
      darkfleet lists show --db fleet.duckdb
    """
    from darkfleet.screen.store import list_versions

    with Store(db, read_only=True) as store:
        versions = list_versions(store)
    for row in versions.iter_rows(named=True):
        click.echo(f"{row['list_version']}\t{row['layout']}\t{row['source']}\tentries={row['entries']}\t"
                   f"vessels={row['vessels']}\tissues={row['issues']}")


@click.command("screen")
@click.option("--db", type=click.Path(path_type=Path, exists=True),
              help="Store with ingested AIS and/or lists; matches are written back to it.")
@click.option("--vessels", "vessels_file", type=click.Path(path_type=Path, exists=True),
              help="Vessels file (Parquet/CSV: mmsi, imo, name, callsign, flag, ship_type, owner, manager).")
@click.option("--lists", "list_files", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="List files to screen against (default: the lists stored in --db).")
@click.option("--out", type=click.Path(path_type=Path), help="Write all matches to .parquet, .csv or .json.")
@click.option("--review/--hits-only", default=True, help="Also print review-level matches.")
def screen_command(db: Path | None, vessels_file: Path | None, list_files: tuple[Path, ...], out: Path | None,
                   review: bool) -> None:
    """Screen vessels, their former identities and their owners against sanctions lists.

    Vessels come from --vessels when given; otherwise from the --db store (detected vessels, else the static reports,
    whose earlier names/IMOs are screened as former identities); matches are also written to
    the store's sanctions_matches table.

    \b
    Example:
      darkfleet screen --db fleet.duckdb
      darkfleet screen --vessels vessels.parquet --lists ../shared/data/sanctions/ofac-sdn-csv-2021 --out hits.csv
    """
    from darkfleet.screen.inputs import read_vessels_file, registry_for, vessels_from_store, write_matches
    from darkfleet.screen.screening import screen

    if db is None and vessels_file is None:
        raise click.UsageError("give --db (vessels and lists from the store) or --vessels FILE")
    identities = None
    if vessels_file is not None:
        vessels = read_vessels_file(vessels_file)
    else:
        with Store(db, read_only=True) as store:
            vessels, identities = vessels_from_store(store)
    registry = registry_for(list_files, db)
    matches = screen(registry, vessels, identities)
    if db is not None:
        write_matches(db, matches)
    if out is not None:
        _write(matches, out)
    shown = matches if review else matches.filter(pl.col("level") == "hit")
    for row in shown.iter_rows(named=True):
        click.echo(f"{row['mmsi']}\t{row['level']}\t{row['score']:.0f}\t{row['list_version']}\t{row['entry_id']}\t"
                   f"{row['entry_name']}\t{','.join(row['matched_fields'])}\tvia={row['via']}\tidentity={row['identity']}"
                   + ("\tNAME MISMATCH" if row["name_mismatch"] else ""))
    hits = matches.filter(pl.col("level") == "hit")["mmsi"].n_unique()
    click.echo(f"screened {vessels.height} vessels against {len(registry.lists)} list(s): {hits} with hits, "
               f"{matches.filter(pl.col('level') == 'review')['mmsi'].n_unique()} to review", err=True)


def _write(matches: pl.DataFrame, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix in (".parquet", ".csv", ".json"):
        out.parent.mkdir(parents=True, exist_ok=True)  # like detect --out and report --out
    if suffix == ".parquet":
        matches.write_parquet(out)
    elif suffix == ".csv":
        matches.with_columns(pl.col("matched_fields").list.join(",")).write_csv(out)
    elif suffix == ".json":
        matches.write_json(out)
    else:
        raise InputError("--out must end in .parquet, .csv or .json", path=out)
