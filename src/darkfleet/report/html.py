"""Write the self-contained ``report.html``: vendored scripts, styles, basemap and data inlined.

Nothing in the file refers to the network, so it opens from disk on an air-gapped laptop and
can be mailed as one attachment.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import duckdb
import pyarrow as pa

from darkfleet import schema
from darkfleet.errors import InputError, StoreError
from darkfleet.report.payload import ReportLimits, collect_payload
from darkfleet.report.records import VIEW_TABLES

VENDOR_SCRIPTS = ("vendor/leaflet.js", "vendor/topojson-client.min.js")
VENDOR_STYLES = ("vendor/leaflet.css",)


def asset_path(name: str) -> Path:
    """Path of a packaged asset (vendored by ``scripts/vendor-web.sh`` or written by us)."""
    return Path(str(resources.files("darkfleet.report") / "assets" / name))


def asset_text(name: str) -> str:
    return asset_path(name).read_text(encoding="utf-8")


def render_page(*, title: str, subtitle: str, head: str, scripts: str) -> str:
    """The page shared by the report and the served map; only how assets arrive differs."""
    return Template(asset_text("page.html")).substitute(title=title, subtitle=subtitle, head=head, scripts=scripts)


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no '</script>' or line separators can end it early)."""
    text = json.dumps(value, separators=(",", ":"), allow_nan=False, default=str)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _inline_script(code: str) -> str:
    return "<script>\n" + code.replace("</script", "<\\/script") + "\n</script>"


def report_html(payload: dict[str, Any]) -> str:
    """The complete HTML text of a report for a payload from :func:`collect_payload`."""
    styles = "".join(f"<style>\n{asset_text(n)}\n</style>\n" for n in (*VENDOR_STYLES, "darkfleet.css"))
    data = (
        f"<script>window.DARKFLEET_LAND = {asset_text('vendor/land-50m.json')};</script>\n"
        f"<script>window.DARKFLEET_DATA = {script_json(payload)};</script>"
    )
    code = "\n".join(_inline_script(asset_text(n)) for n in (*VENDOR_SCRIPTS, "darkfleet-map.js", "report-source.js"))
    return render_page(
        title="darkfleet report",
        subtitle=f"report generated {payload['generated_utc']}",
        head=styles,
        scripts=data + "\n" + code,
    )


def report_html_to(payload: dict[str, Any], path: str | Path) -> Path:
    out = Path(path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(out.suffix + ".tmp")
        tmp.write_text(report_html(payload), encoding="utf-8")
        tmp.replace(out)  # a reader never sees half a report
    except OSError as exc:
        raise InputError(f"cannot write report: {exc.strerror}", path=out) from exc
    return out


def _as_arrow(value: Any, name: str) -> pa.Table:
    if value is None:
        return VIEW_TABLES[name].empty_table()
    if hasattr(value, "to_arrow") and not isinstance(value, pa.Table):  # polars DataFrame
        value = value.to_arrow()
    if not isinstance(value, pa.Table):
        raise InputError(f"{name} must be a pyarrow Table or polars DataFrame, not {type(value).__name__}")
    return schema.conform(value, VIEW_TABLES[name])


def write_report(events, vessels, positions, static, path: str | Path, *, limits: ReportLimits | None = None) -> Path:
    """Write ``report.html`` from in-memory tables (pyarrow or polars; ``None`` for a missing one).

    This is what ``darkfleet detect --out DIR`` calls with its results; returns the written path.
    """
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        view_frames(con, {"events": events, "vessels": vessels, "positions": positions, "static": static})
        return report_html_to(collect_payload(con, limits), path)
    finally:
        con.close()


def view_frames(con: duckdb.DuckDBPyConnection, frames: dict[str, Any]) -> None:
    """One view per store table over in-memory frames (nothing copied); ``None`` gives an empty table."""
    for name, value in frames.items():
        con.register(f"_{name}", _as_arrow(value, name))
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM "_{name}"')  # names are ours, not user input


def read_payload(db_path: str | Path, limits: ReportLimits | None = None) -> dict[str, Any]:
    """The report payload of a darkfleet store (read-only)."""
    from darkfleet.store import Store

    with Store(db_path, read_only=True) as store:
        if not store.has_table("events"):
            raise StoreError("the database has no events: run 'darkfleet detect' first", path=db_path)
        try:
            return collect_payload(store.con, limits)
        except duckdb.Error as exc:
            raise StoreError(f"cannot read report data: {exc}", path=db_path) from exc


def build_report(db_path: str | Path, out_path: str | Path, *, limits: ReportLimits | None = None) -> Path:
    """Write ``report.html`` from a darkfleet store (``darkfleet report --db PATH --out FILE``)."""
    return report_html_to(read_payload(db_path, limits), out_path)
