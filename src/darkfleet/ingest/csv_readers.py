"""Streaming readers for tabular sources: CSV (NOAA, DMA, generic) and Parquet.

CSV is parsed by Arrow's streaming reader (bounded memory: one block of ``_BLOCK_BYTES``
at a time) and converted by :mod:`darkfleet.ingest.tabular`. Two modes:

* fast (default): Arrow multi-threaded, numeric and ISO time columns typed by Arrow. It
  gives up with :class:`ExactPassNeeded` at the first row it cannot split or convert,
  because multi-threaded Arrow cannot say on which line that row was.
* exact: Arrow single-threaded (it then reports malformed rows' line numbers), every
  column read as text, each bad row rejected with its line. The driver re-reads a source
  in this mode, inside a fresh transaction, when the fast mode gave up.
"""

from __future__ import annotations

import codecs
import io
import threading
from collections.abc import Iterator

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from darkfleet import schema
from darkfleet.errors import InputError
from darkfleet.ingest.batch import Batch, ReadOptions, Source
from darkfleet.ingest.formats import COLUMNS_HINT, TableLayout, csv_header, map_columns
from darkfleet.ingest.prefetch import prefetch
from darkfleet.ingest.sources import head_bytes
from darkfleet.ingest.tabular import parse_rows

_BLOCK_BYTES = 32 << 20  # ~300k NOAA rows: each conversion step copies a batch a few times
_PARQUET_ROWS = 250_000
_ARROW_TYPED = ("mmsi", "lat", "lon", "sog", "cog", "heading", "nav_status", "ship_type", "draught",
                "length", "width")
_WORD_CODED = ("nav_status", "ship_type")


class ExactPassNeeded(Exception):
    """The fast pass met a row it cannot number or convert: re-read the source exactly."""


def _column_types(header: list[str], layout: TableLayout, exact: bool) -> dict[str, pa.DataType]:
    types: dict[str, pa.DataType] = {c: pa.string() for c in header}
    if exact:
        return types
    for name, column in layout.columns.items():
        if name in _ARROW_TYPED and not (layout.text_codes and name in _WORD_CODED):
            types[column] = pa.int64() if name == "mmsi" else pa.float64()
        elif name == "timestamp" and layout.time_format is None:
            types[column] = pa.timestamp("us")
    return types


class _MalformedRows:
    """Collects rows Arrow cannot split into the header's columns.

    Arrow calls it from the prefetch thread while the consumer takes rows out: a lock
    keeps a row from being lost between the two.
    """

    def __init__(self) -> None:
        self._rows: list[tuple[int, str]] = []
        self._lock = threading.Lock()

    def __call__(self, row: pacsv.InvalidRow) -> str:
        # an unbalanced quote makes Arrow read the following lines into the same row: each
        # physical line is counted and quarantined under its own number
        lines = [(row.number + k, text.rstrip("\r")) for k, text in enumerate(row.text.split("\n"))]
        with self._lock:
            self._rows.extend(lines)
        return "skip"

    def snapshot(self) -> list[tuple[int, str]]:
        with self._lock:
            return list(self._rows)

    def take_before(self, line_no: int) -> list[tuple[int, str]]:
        with self._lock:
            taken = [r for r in self._rows if r[0] < line_no]
            self._rows = [r for r in self._rows if r[0] >= line_no]
        return taken


class _Utf8Repair(io.RawIOBase):
    """A binary stream whose invalid UTF-8 bytes are replaced by U+FFFD (exact pass only).

    Arrow rejects a whole file on one bad byte; this keeps the rest of it readable and the
    damaged field visible (as U+FFFD) instead. Works in 1 MiB chunks, not per line.
    """

    def __init__(self, raw) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        # Fill the whole buffer: Arrow sizes its parse blocks by what one read returns.
        filled, view = 0, memoryview(buffer).cast("B")
        while filled < len(view):
            if not self._pending and not self._refill():
                break
            size = min(len(view) - filled, len(self._pending))
            view[filled:filled + size] = self._pending[:size]
            self._pending = self._pending[size:]
            filled += size
        return filled

    def _refill(self) -> bool:
        """Decode more input into ``_pending``; False at the end of the stream."""
        while not self._pending:
            chunk = self._raw.read(1 << 20)
            self._pending = self._decoder.decode(chunk, final=not chunk).encode("utf-8")
            if not chunk:
                return bool(self._pending)
        return True

    def close(self) -> None:
        self._raw.close()
        super().close()


def _line_numbers(first: int, count: int, malformed: list[tuple[int, str]]) -> np.ndarray:
    """File line numbers of ``count`` good rows starting at line ``first``, around malformed lines."""
    skipped = np.array(sorted(n for n, _ in malformed if n >= first), dtype=np.int64)
    candidates = np.arange(first, first + count + len(skipped), dtype=np.int64)
    return np.setdiff1d(candidates, skipped, assume_unique=True)[:count]


def _malformed_batch(rows: list[tuple[int, str]], source_id: int) -> Batch:
    """Blank lines are skipped by rule; other malformed lines are rejected."""
    batch = Batch.empty()
    blank = [r for r in rows if not r[1].strip()]
    broken = [r for r in rows if r[1].strip()]
    batch.counts.lines_read = len(rows)
    if blank:
        batch.counts.skipped["blank_line"] = len(blank)
    if broken:
        batch.counts.rejected["wrong_column_count"] = len(broken)
        batch.rejects = pa.table({
            "source_id": pa.array([source_id] * len(broken), pa.int32()),
            "line_no": pa.array([n for n, _ in broken], pa.int64()),
            "reason": pa.array(["wrong_column_count"] * len(broken)),
            "raw": pa.array([t[: schema.RAW_CAP] for _, t in broken]),
        }, schema=schema.REJECTS)
    return batch


def merge(batches: list[Batch]) -> Batch:
    """One batch holding all of ``batches`` (counts added)."""
    merged = Batch.empty()
    for part in batches:
        merged.counts.add(part.counts)
    merged.positions = pa.concat_tables([merged.positions, *[b.positions for b in batches]])
    merged.static = pa.concat_tables([merged.static, *[b.static for b in batches]])
    merged.rejects = pa.concat_tables([merged.rejects, *[b.rejects for b in batches]])
    return merged


def read_csv(source: Source, layout: TableLayout, options: ReadOptions, exact: bool = False) -> Iterator[Batch]:
    """Stream a CSV source as canonical batches; the header line counts as skipped."""
    header = csv_header(head_bytes(source))
    if len(set(header)) != len(header):
        raise InputError(f"CSV header repeats a column name ({header}): rename the columns", path=source.name)
    malformed = _MalformedRows() if exact else (lambda row: "error")
    stream = _Utf8Repair(source.open()) if exact else source.open()
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(use_threads=not exact, block_size=_BLOCK_BYTES, encoding="utf8"),
            parse_options=pacsv.ParseOptions(invalid_row_handler=malformed, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=_column_types(header, layout, exact),
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        stream.close()
        if not exact:
            raise ExactPassNeeded(str(exc)) from exc
        raise InputError(f"cannot parse CSV ({exc}): {COLUMNS_HINT}", path=source.name) from exc
    if not exact:
        yield from _fast_batches(reader, stream, layout, source)
        return

    yield _header_batch()
    next_line = 2
    try:
        for record_batch in prefetch(iter(reader)):
            lines = _line_numbers(next_line, record_batch.num_rows, malformed.snapshot())
            next_line = int(lines[-1]) + 1 if len(lines) else next_line
            raw = pl.from_arrow(record_batch)
            assert isinstance(raw, pl.DataFrame)
            parsed = parse_rows(raw, layout, source.source_id, pl.Series("line_no", lines))
            yield merge([parsed, _malformed_batch(malformed.take_before(next_line), source.source_id)])
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(f"CSV became unreadable near line {next_line} ({exc}): check the file's encoding",
                         path=source.name, line_no=next_line) from exc
    finally:
        stream.close()
    rest = malformed.take_before(np.iinfo(np.int64).max)
    if rest:
        yield _malformed_batch(rest, source.source_id)


def _header_batch() -> Batch:
    batch = Batch.empty()
    batch.counts.lines_read = 1
    batch.counts.skipped["header"] = 1
    return batch


def _fast_batches(reader: pacsv.CSVStreamingReader, stream, layout: TableLayout, source: Source) -> Iterator[Batch]:
    """Every row well formed and typed: line numbers are simply consecutive."""
    yield _header_batch()
    next_line = 2
    try:
        for record_batch in prefetch(iter(reader)):
            raw = pl.from_arrow(record_batch)
            assert isinstance(raw, pl.DataFrame)
            lines = pl.Series("line_no", np.arange(next_line, next_line + raw.height, dtype=np.int64))
            next_line += raw.height
            yield parse_rows(raw, layout, source.source_id, lines)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise ExactPassNeeded(str(exc)) from exc
    finally:
        stream.close()


def parquet_layout(source: Source, names: list[str], options: ReadOptions) -> TableLayout:
    mapping = map_columns(names, options.columns)
    if mapping is None:
        raise InputError(f"unknown Parquet columns {names[:8]}: {COLUMNS_HINT}", path=source.name)
    return TableLayout("parquet", mapping)


def read_parquet(source: Source, layout: TableLayout | None, options: ReadOptions) -> Iterator[Batch]:
    """Stream a Parquet source by row groups; ``line_no`` is the 1-based row number."""
    target = source.path if source.path is not None and source.name == str(source.path) else None
    try:
        parquet = pq.ParquetFile(target if target is not None else io.BytesIO(source.open().read()))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"cannot read Parquet ({exc}): check the file is complete", path=source.name) from exc
    layout = layout or parquet_layout(source, parquet.schema_arrow.names, options)
    columns = sorted(set(layout.columns.values()))
    first = 1
    for record_batch in prefetch(parquet.iter_batches(batch_size=min(options.batch_lines, _PARQUET_ROWS), columns=columns)):
        raw = pl.from_arrow(record_batch)
        assert isinstance(raw, pl.DataFrame)
        lines = pl.Series("line_no", np.arange(first, first + raw.height, dtype=np.int64))
        first += raw.height
        yield parse_rows(raw, layout, source.source_id, lines)
