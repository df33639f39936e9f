"""``darkfleet report``: write the self-contained HTML report (and optional PNG figures) from a store."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("report")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="darkfleet DuckDB store with events (and vessels, positions, static).")
@click.option("--out", "out_path", default=Path("report.html"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="HTML file to write.")
@click.option("--figures", "figures_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write PNG figures (overview map, top events) into this directory.")
@click.option("--max-events", default=5000, show_default=True, type=click.IntRange(1, 100_000),
              help="Events drawn on the map (highest vessel risk first).")
@click.option("--max-detail-events", default=300, show_default=True, type=click.IntRange(0, 5000),
              help="Events whose tracks and plots are inlined.")
def report(db_path: Path, out_path: Path, figures_dir: Path | None, max_events: int, max_detail_events: int) -> None:
    """Write one self-contained report.html (opens offline, from disk).

    \b
    Example:
      darkfleet report --db fleet.duckdb --out report.html --figures docs/img
    """
    from darkfleet.report.html import read_payload, report_html_to
    from darkfleet.report.payload import ReportLimits

    payload = read_payload(db_path, ReportLimits(max_events=max_events, max_detail_events=max_detail_events))
    written = report_html_to(payload, out_path)
    click.echo(f"report: {written} ({written.stat().st_size / 1e6:.1f} MB)")
    if figures_dir is not None:
        from darkfleet.report.plots import write_figures

        for path in write_figures(payload, figures_dir):
            click.echo(f"figure: {path}")
