"""The ingest driver: inputs -> sources -> readers -> validation -> store (or memory).

Consistency: each source (file or archive member) appears whole or not at all - see
:mod:`darkfleet.ingest.writer` for the one-transaction and staged strategies. A process
killed mid-file leaves no trace of that file in the real tables, and re-running the same
command resumes: sources already committed are recognised by the SHA-256 of their content
and skipped, the interrupted one is read again from the start.

All inputs are expanded, sniffed and hashed before anything is written, so a missing,
empty, binary or unrecognised file stops the run with nothing stored.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa

from darkfleet import schema
from darkfleet._progress import Bar, track
from darkfleet.errors import ConfigError, StrictModeError
from darkfleet.ingest.batch import Batch, Counts, ReadOptions, Source
from darkfleet.ingest.csv_readers import ExactPassNeeded
from darkfleet.ingest.formats import TableLayout, detect
from darkfleet.ingest.readers import read_source
from darkfleet.ingest.sources import content_sha256, expand_inputs
from darkfleet.ingest.validate import validate
from darkfleet.ingest.writer import write_source
from darkfleet.store import Store


@dataclass(frozen=True)
class PlannedSource:
    source: Source
    format: str
    layout: TableLayout | None
    content_sha256: str | None


@dataclass
class SourceReport:
    name: str
    format: str
    status: str  # "ingested" | "already_ingested" | "read"
    source_id: int | None = None
    content_sha256: str | None = None
    counts: Counts = field(default_factory=Counts)
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"name": self.name, "format": self.format, "status": self.status, "source_id": self.source_id,
                "content_sha256": self.content_sha256, "seconds": round(self.seconds, 3),
                "counts": self.counts.to_json()}


@dataclass
class IngestSummary:
    """What one run did; ``totals`` balances: lines_read = decoded + skipped + rejected."""

    sources: list[SourceReport]
    totals: Counts
    elapsed_s: float
    db_path: Path | None = None
    summary_path: Path | None = None

    def to_json(self) -> dict:
        return {"db": str(self.db_path) if self.db_path else None, "elapsed_s": round(self.elapsed_s, 3),
                "lines_per_s": round(self.totals.lines_read / self.elapsed_s) if self.elapsed_s else None,
                "totals": self.totals.to_json(), "sources": [s.to_json() for s in self.sources]}

    def one_line(self) -> str:
        t = self.totals
        done = sum(s.status != "already_ingested" for s in self.sources)
        again = len(self.sources) - done
        text = (f"{done} source(s) read{f' ({again} already ingested, skipped)' if again else ''}: "
                f"{t.lines_read:,} lines -> {t.positions:,} positions, {t.static:,} static, "
                f"{sum(t.skipped.values()):,} skipped, {sum(t.rejected.values()):,} rejected "
                f"in {self.elapsed_s:.1f} s")
        return text + (f"; summary {self.summary_path}" if self.summary_path else "")


def plan(inputs: list[str | Path], options: ReadOptions, with_hash: bool = True) -> list[PlannedSource]:
    """Expand, sniff and (optionally) hash every input; raises InputError before any write."""
    planned = []
    for source in expand_inputs(list(inputs)):
        fmt, layout = detect(source, options)
        planned.append(PlannedSource(source, fmt, layout, content_sha256(source) if with_hash else None))
    return planned


def _validated(item: PlannedSource, source: Source, options: ReadOptions, exact: bool) -> Iterator[Batch]:
    with Bar(f"reading {Path(source.name).name}") as bar:
        for batch in read_source(source, item.format, item.layout, options, exact=exact):
            batch = validate(batch)
            if options.strict and batch.counts.rejected:
                first = batch.rejects.slice(0, 1).to_pylist()
                reason = first[0]["reason"] if first else next(iter(batch.counts.rejected))
                raise StrictModeError(f"line rejected ({reason}) and --strict is set: nothing from this file "
                                      "was stored", path=source.name, line_no=first[0]["line_no"] if first else None)
            bar.advance(batch.counts.lines_read)
            yield batch


def _store_source(store: Store, item: PlannedSource, options: ReadOptions, exact: bool = False) -> SourceReport:
    started = time.perf_counter()
    try:
        source, counts = write_source(store, item.source, item.format, item.content_sha256,
                                      lambda source: _validated(item, source, options, exact))
    except ExactPassNeeded:
        # Nothing of this source was kept: read it all again, exactly.
        return _store_source(store, item, options, exact=True)
    return SourceReport(source.name, item.format, "ingested", source.source_id, item.content_sha256, counts,
                        time.perf_counter() - started)


def _duckdb_memory_limit() -> str:
    value = os.environ.get("DARKFLEET_DUCKDB_MEMORY", "512MB").strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", value, flags=re.IGNORECASE):
        raise ConfigError(f"DARKFLEET_DUCKDB_MEMORY must look like 1GB or 512MB, got {value!r}")
    return value


def default_summary_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + ".summary.json")


def ingest(inputs: list[str | Path], db_path: str | Path, options: ReadOptions | None = None,
           summary_path: Path | None = None) -> IngestSummary:
    """Append ``inputs`` to the store at ``db_path``; writes and returns the run summary."""
    options = options or ReadOptions()
    started = time.perf_counter()
    db_path = Path(db_path)
    planned = plan(inputs, options)
    memory_limit = _duckdb_memory_limit()
    reports: list[SourceReport] = []
    with Store(db_path) as store:
        # Bounded memory: DuckDB spills to disk instead of caching everything it writes.
        store.con.execute(f"SET memory_limit = '{memory_limit}'")
        store.ensure_ingest_tables()
        store.drop_staging()  # left by a killed staged ingest: never part of the data
        known = store.known_content()
        for item in track(planned, "ingesting", total=len(planned)):
            if item.content_sha256 in known:
                reports.append(SourceReport(item.source.name, item.format, "already_ingested",
                                            content_sha256=item.content_sha256))
                continue
            reports.append(_store_source(store, item, options))
            known.add(item.content_sha256 or "")
        store.con.execute("CHECKPOINT")
    totals = Counts()
    for report in reports:
        totals.add(report.counts)
    summary = IngestSummary(reports, totals, time.perf_counter() - started, db_path,
                            summary_path or default_summary_path(db_path))
    assert summary.summary_path is not None
    summary.summary_path.write_text(json.dumps(summary.to_json(), indent=2) + "\n", encoding="utf-8")
    return summary


def read(inputs: list[str | Path], options: ReadOptions | None = None) -> tuple[pa.Table, pa.Table, IngestSummary]:
    """In-memory ingest without a database: (positions, static, summary); source_id = 1, 2, ..."""
    options = options or ReadOptions()
    started = time.perf_counter()
    positions, static, reports = [], [], []
    for source_id, item in enumerate(plan(inputs, options, with_hash=False), start=1):
        source = replace(item.source, source_id=source_id)
        try:
            batches = list(_validated(item, source, options, exact=False))
        except ExactPassNeeded:
            batches = list(_validated(item, source, options, exact=True))
        report = SourceReport(source.name, item.format, "read", source_id)
        for batch in batches:
            positions.append(batch.positions)
            static.append(batch.static)
            report.counts.add(batch.counts)
        reports.append(report)
    totals = Counts()
    for report in reports:
        totals.add(report.counts)
    return (pa.concat_tables([schema.empty_table(schema.POSITIONS), *positions]),
            pa.concat_tables([schema.empty_table(schema.STATIC), *static]),
            IngestSummary(reports, totals, time.perf_counter() - started))
