"""What a detection run leaves next to its events: ``vessels.parquet`` and ``report.html``.

``darkfleet detect --out`` (and so ``darkfleet run``) calls :func:`write_products` on the
store it wrote events to, or, for files and scenario folders given as INPUT, on an
in-memory store whose tables are views over the run's own frames.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from darkfleet.store import Store

VESSELS_FILE = "vessels.parquet"
REPORT_FILE = "report.html"


def frames_store(events: Any, positions: Any, static: Any) -> Store:
    """An in-memory store viewing the run's frames (pyarrow or polars).

    ``positions`` may instead be a list of Parquet paths: the partitioned driver never holds
    every position, and DuckDB reads only the windows the report draws.
    """
    from darkfleet.report.html import view_frames

    store = Store(":memory:")
    paths = positions if isinstance(positions, list) else None
    view_frames(store.con, {"events": events, "static": static, "positions": None if paths else positions})
    if paths:
        listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)  # operator's files, not request input
        store.con.execute(f"CREATE OR REPLACE VIEW positions AS SELECT * FROM read_parquet([{listed}])")
    return store


def write_products(out_dir: str | Path, store: Store, *, report: bool = True) -> dict[str, Any]:
    """Score (and screen, when the store holds lists) every vessel, then write the files.

    Returns what was written, for the command's one-line summary.
    """
    from darkfleet.score.from_store import score_store

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    vessels, matches = score_store(store)
    written: dict[str, Any] = {"vessels": out / VESSELS_FILE, "n_vessels": vessels.num_rows,
                               "n_matches": None if matches is None else matches.height}
    pq.write_table(vessels, written["vessels"])
    if report:
        from darkfleet.report.html import report_html_to
        from darkfleet.report.payload import collect_payload

        written["report"] = report_html_to(collect_payload(store.con), out / REPORT_FILE)
    return written
