"""The ``darkfleet`` command. Each area keeps its commands in its own ``cli`` module."""

from __future__ import annotations

import sys

import click

from darkfleet import __version__
from darkfleet.errors import DarkfleetError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="darkfleet")
def cli() -> None:
    """darkfleet: expose the dark fleet on open AIS data.

    \b
    Example:
      darkfleet ingest ../shared/data/ais --db fleet.duckdb
      darkfleet info --db fleet.duckdb
    """


def _register() -> None:
    # Commands live next to the code they drive; importing here keeps `darkfleet --help` complete.
    from darkfleet.ingest.cli import info, ingest

    for command in (ingest, info):
        cli.add_command(command)

    from darkfleet.report.cli import report
    from darkfleet.serve.cli import serve

    for command in (report, serve):
        cli.add_command(command)

    from darkfleet.score.cli import score_command
    from darkfleet.screen.cli import lists, screen_command

    for command in (lists, screen_command, score_command):
        cli.add_command(command)

    from darkfleet.detect.cli import detect, evaluate

    for command in (detect, evaluate):
        cli.add_command(command)

    from darkfleet.simulate.cli import simulate_command

    cli.add_command(simulate_command)

    from darkfleet.workflow import run

    cli.add_command(run)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console entry point: darkfleet errors become one stderr line and their exit code."""
    try:
        cli.main(args=argv, prog_name="darkfleet", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.exceptions.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except DarkfleetError as exc:
        click.echo(f"darkfleet: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
