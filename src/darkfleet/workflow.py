"""``darkfleet run``: the main job, end to end, in one command.

ingest -> sanctions lists -> detect (which screens, scores and writes the report), all into one output
folder. On real data when ``../shared/data`` (or ``--data``) is there; otherwise on a
generated scenario, so a fresh clone shows the whole system working.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

# Real OFAC lists used by the main job. The EU annex in ../shared is CC-BY-NC (tests only),
# so the main job leaves it out; users add it with `darkfleet lists update`.
REAL_LISTS = (
    "sanctions/ofac-sdn-2023-01-21-with-header.csv",
    "sanctions/ofac-sdn-xml-2026-sample.xml",
)


# Official ports (NGA World Port Index, public domain) put the in-port flag of real traffic right
# where the packaged UN/LOCODE list has holes (it lacks Portsmouth, UK). GFW's named anchorages are
# left out: they are wherever vessels stop, STS hubs included, so they would call transfers "in port".
REAL_PORTS = ("ports/nga-world-port-index-pub150.csv",)


def default_data_dir() -> Path:
    """``../shared/data`` next to the working directory (the repository root in the README)."""
    return Path.cwd().parent / "shared" / "data"


def _real_inputs(data_dir: Path) -> tuple[list[Path], list[Path], list[Path]] | None:
    """(AIS folders, sanctions lists, extra port files) of a reference data folder, if it has AIS."""
    ais = data_dir / "ais"
    if not ais.is_dir():
        return None
    found = [[data_dir / rel for rel in names if (data_dir / rel).exists()] for names in (REAL_LISTS, REAL_PORTS)]
    return [ais], found[0], found[1]


def _ports_config(out: Path, ports: list[Path]) -> str | None:
    """A detect config file loading ``ports`` besides the packaged list (kept in the output
    folder, so the run can be repeated), or None without extra ports."""
    if not ports:
        return None
    path = out / "detect.toml"
    files = ", ".join(json.dumps(str(p.resolve())) for p in ports)  # a JSON string is a TOML basic string
    path.write_text(f"[ports]\nextra_files = [{files}]\n", encoding="utf-8")
    return str(path)


def _scenario_inputs(ctx: click.Context, out: Path, seed: int) -> tuple[list[Path], list[Path]]:
    from darkfleet.simulate.cli import simulate_command

    scenario = out / "scenario"
    click.echo(f"no real data found: generating the 'tiny' scenario (seed {seed}) in {scenario}", err=True)
    ctx.invoke(simulate_command, preset="tiny", seed=seed, fmt="nmea", out_dir=str(scenario), vessels=None,
               hours=None, area=None, downsample_s=None, workers=None, as_json=False)
    lists = sorted((scenario / "sanctions").glob("*"))
    return [scenario / "positions"], lists


@click.command("run")
@click.option("--out", "out_dir", default="darkfleet-out", show_default=True, type=click.Path(file_okay=False),
              help="Output folder: fleet.duckdb, events.*, vessels.parquet, report.html.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Reference data folder with ais/ and sanctions/ [default: ../shared/data].")
@click.option("--simulate", "force_simulate", is_flag=True, help="Use a generated scenario even when real data exists.")
@click.option("--seed", type=int, default=0, show_default=True, help="Scenario seed (with --simulate or no real data).")
@click.pass_context
def run(ctx: click.Context, out_dir: str, data_dir: Path | None, force_simulate: bool, seed: int) -> None:
    """Run the whole job: ingest, detect, screen, score and write the report.

    \b
    Example:
      darkfleet run                      # real data from ../shared/data, else a scenario
      darkfleet run --simulate --seed 3  # always on a generated scenario
      darkfleet run --data /srv/ais-data --out today
    """
    from darkfleet.detect.cli import detect
    from darkfleet.ingest.cli import ingest
    from darkfleet.screen.cli import update as lists_update

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "fleet.duckdb"
    found = None if force_simulate else _real_inputs(data_dir or default_data_dir())
    inputs, lists, ports = found if found else (*_scenario_inputs(ctx, out, seed), [])
    click.echo(f"[1/3] ingest {', '.join(map(str, inputs))} -> {db}", err=True)
    ctx.invoke(ingest, inputs=tuple(map(str, inputs)), db_path=str(db), fmt="auto", columns=None,
               assume_time=None, strict=False, summary_path=None)
    if lists:
        click.echo(f"[2/3] sanctions lists: {', '.join(p.name for p in lists)}", err=True)
        ctx.invoke(lists_update, sources=tuple(lists), db=db, published=None, list_id=None, strict=False)
    else:
        click.echo("[2/3] no sanctions lists found: scoring behaviour only", err=True)
    # detect scores, screens against the stored lists and writes the report: one code path for both commands
    config_path = _ports_config(out, ports)
    with_ports = f" (ports also from {', '.join(p.name for p in ports)}: {config_path})" if ports else ""
    click.echo(f"[3/3] detect, screen and score, report{with_ports}", err=True)
    ctx.invoke(detect, inputs=(), out_dir=str(out), db_path=str(db), config_path=config_path, preset="default",
               engine_name="embedded", scheduler=None, workers=2, since=None)
    click.echo(f"done: open {out / 'report.html'}")
