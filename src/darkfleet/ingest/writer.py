"""Writing one source's batches to the store so that it appears whole or not at all.

Two strategies, same guarantee (a killed process leaves no part of the source visible):

* direct: every batch and, last, the ``sources`` row in ONE transaction. Fastest, but
  DuckDB keeps much of a transaction's appended rows in memory (~70 bytes a row; a 0.8 GB
  NMEA file of 12 M lines peaked at 1.9 GB RSS direct, 1.2 GB staged), so it is used
  only when the source's size says it holds at most ``DARKFLEET_STAGE_ABOVE_ROWS`` rows
  (default 10.5 M, which keeps a direct ingest under ~1.8 GB RSS).
* staged (bigger or compressed sources of unknown size): each batch is committed into
  ``_staging_*`` tables, then ONE transaction moves them into the real tables with an
  ``INSERT ... SELECT`` (which DuckDB streams in bounded memory) and adds the
  ``sources`` row. A killed run leaves only staging tables, dropped by the next ingest.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timezone

import pyarrow as pa

from darkfleet import schema
from darkfleet.errors import ConfigError
from darkfleet.ingest.batch import Batch, Counts, Source
from darkfleet.ingest.prefetch import prefetch
from darkfleet.store import STAGING_PREFIX, Store

DEFAULT_STAGE_ABOVE_ROWS = 10_500_000
# Typical bytes per row (line) by format, to estimate rows from a file's size: NOAA/DMA
# CSV rows are ~105-110 bytes, tag-blocked NMEA lines ~65, Parquet ~30 compressed.
_BYTES_PER_ROW = {"nmea": 65, "noaa": 105, "dma": 105, "csv": 60, "parquet": 30}


def stage_above_rows() -> int:
    value = os.environ.get("DARKFLEET_STAGE_ABOVE_ROWS", str(DEFAULT_STAGE_ABOVE_ROWS)).strip()
    if not value.isdigit():
        raise ConfigError(f"DARKFLEET_STAGE_ABOVE_ROWS must be a whole number of rows, got {value!r}")
    return int(value)


def uses_staging(source: Source, fmt: str) -> bool:
    """Stage when the source may hold more rows than a direct transaction should (or size is unknown)."""
    if source.size_bytes is None:
        return True
    return source.size_bytes / _BYTES_PER_ROW.get(fmt, 60) > stage_above_rows()


def _source_row(source: Source, fmt: str, sha256: str | None, counts: Counts) -> pa.Table:
    row = {"source_id": source.source_id, "name": source.name, "content_sha256": sha256, "format": fmt,
           "size_bytes": source.size_bytes, "ingested_utc": datetime.now(timezone.utc),
           "counts": json.dumps(counts.to_json())}
    return pa.Table.from_pylist([row], schema=schema.SOURCES)


def _append(store: Store, batch: Batch, prefix: str = "") -> None:
    store.append(prefix + "positions", batch.positions)
    store.append(prefix + "static", batch.static)
    store.append(prefix + "rejects", batch.rejects)


def write_source(store: Store, source: Source, fmt: str, sha256: str | None,
                 batches: Callable[[Source], Iterator[Batch]]) -> tuple[Source, Counts]:
    """Write ``batches(source)`` (source_id assigned here) whole; returns (source, counts)."""
    counts = Counts()
    # Reading, parsing and validating run one batch ahead in a thread while DuckDB appends
    # the previous one (both release the GIL), so the two cores work at the same time.
    if not uses_staging(source, fmt):
        with store.transaction():
            source = replace(source, source_id=store.next_source_id())
            for batch in prefetch(batches(source), depth=1):
                _append(store, batch)
                counts.add(batch.counts)
            store.append("sources", _source_row(source, fmt, sha256, counts))
        return source, counts

    source = replace(source, source_id=store.next_source_id())
    store.create_staging()
    try:
        for batch in prefetch(batches(source), depth=1):
            with store.transaction():
                _append(store, batch, STAGING_PREFIX)
            counts.add(batch.counts)
        with store.transaction():
            store.promote_staging()
            store.append("sources", _source_row(source, fmt, sha256, counts))
    finally:
        store.drop_staging()
    return source, counts
