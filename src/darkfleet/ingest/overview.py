"""What ``darkfleet info`` shows: one SQL pass per table over the store, rendered with rich."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from darkfleet.store import Store

_TOTALS_SQL = """
SELECT count(*) AS positions, count(DISTINCT mmsi) AS vessels,
       min(timestamp_utc) AS first_utc, max(timestamp_utc) AS last_utc,
       min(lat) AS lat_min, max(lat) AS lat_max, min(lon) AS lon_min, max(lon) AS lon_max
FROM positions
"""
_PER_SOURCE_SQL = """
SELECT s.source_id, s.name, s.format, s.ingested_utc, s.counts,
       coalesce(p.n, 0) AS positions, coalesce(p.vessels, 0) AS vessels,
       coalesce(st.n, 0) AS static, coalesce(r.n, 0) AS rejects
FROM sources s
LEFT JOIN (SELECT source_id, count(*) AS n, count(DISTINCT mmsi) AS vessels FROM positions GROUP BY 1) p
       USING (source_id)
LEFT JOIN (SELECT source_id, count(*) AS n FROM static GROUP BY 1) st USING (source_id)
LEFT JOIN (SELECT source_id, count(*) AS n FROM rejects GROUP BY 1) r USING (source_id)
ORDER BY s.source_id
"""


def describe_store(db_path: Path) -> dict[str, Any]:
    """Rows, vessels, time span, bounding box and per-source counts of an ingested store."""
    with Store(db_path, read_only=True) as store:
        if not store.has_table("sources"):
            return {"db": str(db_path), "positions": 0, "sources": []}
        totals = store.arrow(_TOTALS_SQL).to_pylist()[0]
        totals["static"] = store.arrow("SELECT count(*) AS n FROM static").to_pylist()[0]["n"]
        totals["rejects"] = store.arrow("SELECT count(*) AS n FROM rejects").to_pylist()[0]["n"]
        sources = store.arrow(_PER_SOURCE_SQL).to_pylist()
    for row in sources:
        row["counts"] = json.loads(row["counts"]) if row["counts"] else None
    return {"db": str(db_path), **totals, "sources": sources}


def render_overview(overview: dict[str, Any]) -> None:
    """Print the overview as two rich tables on stdout."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        # piped or logged, nothing wraps the lines: rich's 80-column guess would squeeze the source names out
        console = Console(width=max(console.width, 160))
    summary = Table(title=f"darkfleet store {overview['db']}", show_header=False)
    summary.add_column("what")
    summary.add_column("value", justify="right")
    summary.add_row("positions", f"{overview.get('positions', 0):,}")
    summary.add_row("vessels (MMSI)", f"{overview.get('vessels', 0) or 0:,}")
    summary.add_row("static rows", f"{overview.get('static', 0):,}")
    summary.add_row("rejected lines", f"{overview.get('rejects', 0):,}")
    summary.add_row("time span (UTC)", f"{overview.get('first_utc')} .. {overview.get('last_utc')}")
    if overview.get("lat_min") is not None:
        summary.add_row("bounding box (deg)", f"lat {overview['lat_min']:.4f}..{overview['lat_max']:.4f}, "
                                              f"lon {overview['lon_min']:.4f}..{overview['lon_max']:.4f}")
    console.print(summary)

    per_source = Table(title="sources")
    for name in ("id", "name", "format", "lines", "positions", "vessels", "static", "rejected", "skipped"):
        per_source.add_column(name, justify="left" if name in ("name", "format") else "right",
                              overflow="fold", no_wrap=name != "name")
    for row in overview["sources"]:
        counts = row["counts"] or {}
        per_source.add_row(str(row["source_id"]), row["name"], row["format"], f"{counts.get('lines_read', 0):,}",
                           f"{row['positions']:,}", f"{row['vessels']:,}", f"{row['static']:,}",
                           f"{row['rejects']:,}", f"{sum(counts.get('skipped', {}).values()):,}")
    console.print(per_source)
