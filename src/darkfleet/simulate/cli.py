"""``darkfleet simulate``: write a scenario (AIS + truth + registry + sanctions list) to a folder."""

from __future__ import annotations

import json

import click

from darkfleet.errors import ConfigError


def _parse_area(value: str | None) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    try:
        w, s, e, n = (float(x) for x in value.split(","))
    except ValueError as exc:
        raise ConfigError(f"--area expects W,S,E,N in degrees, e.g. 19,34.5,28.5,41; got {value!r}") from exc
    return w, s, e, n


@click.command("simulate")
@click.option("--preset", type=click.Choice(["tiny", "regional", "global-day"]), default="tiny", show_default=True,
              help="Scenario size: tiny (~65 vessels, 60 h), regional (1,500 vessels, 7 days), global-day (60,000, 24 h).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; same seed, same output.")
@click.option("--vessels", type=int, help="Override the number of vessels.")
@click.option("--hours", type=float, help="Override the scenario length in hours (12-744).")
@click.option("--area", help="Override the sea area as W,S,E,N degrees (ports are chosen inside it).")
@click.option("--format", "fmt", type=click.Choice(["parquet", "noaa", "nmea"]), default="parquet", show_default=True,
              help="AIS output: canonical parquet, MarineCadastre CSV, or NMEA with tag blocks.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder (created).")
@click.option("--downsample-s", type=int, default=None,
              help="Keep one received position per N seconds and vessel (preset default: 60, like NOAA); 0 keeps all.")
@click.option("--workers", type=click.IntRange(1, 64), help="Generator processes [default: 1 for tiny, else up to 2].")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def simulate_command(preset: str, seed: int, vessels: int | None, hours: float | None, area: str | None, fmt: str,
                     out_dir: str, downsample_s: int | None, workers: int | None, as_json: bool) -> None:
    """Simulate AIS traffic with planted dark-fleet behaviour and its ground truth.

    Writes positions/ (AIS in the chosen format), static/ (parquet only), truth.parquet,
    benign.parquet (look-alikes that must not alert), vessels.parquet (registry) and
    sanctions/ (OFAC SDN CSV and FollowTheMoney JSON lines of the sanctioned vessels).

    \b
    Example:
      darkfleet simulate --preset tiny --out demo
      darkfleet simulate --preset regional --seed 7 --format nmea --out regional-nmea
      darkfleet ingest demo/positions demo/static --db demo.duckdb
    """
    from darkfleet.simulate.writers import write

    ds: int | None | str = "preset" if downsample_s is None else (downsample_s or None)
    summary = write(preset, seed, out_dir, fmt, vessels=vessels, hours=hours, area=_parse_area(area), downsample_s=ds,
                    workers=workers)
    if as_json:
        click.echo(json.dumps(summary.to_json()))
    else:
        click.echo(f"{summary.positions:,} positions, {summary.static:,} static, {summary.truth} truth events, "
                   f"{summary.benign} benign, {summary.vessels} vessels -> {summary.out_dir} ({summary.seconds} s)")
