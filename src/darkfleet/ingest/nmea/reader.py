"""``read_nmea``: stream a source in bounded chunks of lines and decode each chunk.

Memory stays bounded whatever the input: at most ``batch_lines`` new lines per chunk, a
line never grows past ``LINE_CAP_BYTES`` (the rest of an over-long line is discarded while
reading and the line is rejected), and the lines carried to the next chunk are limited.
"""

from __future__ import annotations

import zlib
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone


from darkfleet.errors import InputError, StrictModeError
from darkfleet.ingest.batch import Batch, ReadOptions, Source
from darkfleet.ingest.nmea import codes as C
from darkfleet.ingest.nmea.chunk import decode_chunk
from darkfleet.ingest.nmea.linefeed import LineFeed

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MAX_CARRY_LINES = 64 * C.WINDOW_LINES  # only adversarial chains of groups get near this
_MAX_BLOCK_BYTES = 64 << 20
_MAX_CHUNK_BYTES = 256 << 20  # with long lines a chunk ends before batch_lines
_TYPICAL_LINE_BYTES = 72  # a tag-blocked VDM line; DMA files average ~50
PARALLEL_MIN_LINES = 100_000  # per half: smaller chunks are not worth a thread hand-off


def _to_us(moment: datetime) -> int:
    if moment.tzinfo is None:  # a naive assume_time is read as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def read_nmea(source: Source, options: ReadOptions) -> Iterator[Batch]:
    """Decode an NMEA AIS source (VDM/VDO, tag blocks, $PGHP) into batches.

    Every physical line is counted once per batch (decoded, skipped or rejected), and
    each batch balances on its own. Lines of a multipart group or metadata still open at
    the end of a chunk go to the next batch, so ``batch_lines`` never changes the output.
    Messages without any time are rejected (``no_timestamp``) unless ``assume_time`` is
    set; ``strict`` raises :class:`StrictModeError` at the first rejected line.

    Example::

      for batch in read_nmea(source, ReadOptions(batch_lines=500_000)):
          store.append("positions", batch.positions)
    """
    assume_us = _to_us(options.assume_time) if options.assume_time is not None else None
    batch_lines = max(1, int(options.batch_lines))
    # bytes per chunk: about batch_lines typical lines, within the caps
    want_bytes = min(max(batch_lines * _TYPICAL_LINE_BYTES, 1 << 12), _MAX_CHUNK_BYTES)
    block = min(want_bytes, _MAX_BLOCK_BYTES)
    line_no0 = 0
    carried = 0
    try:
        with source.open() as stream, ThreadPoolExecutor(max_workers=2) as pool:
            feed = LineFeed(stream, block)
            while True:
                feed.fill(want_bytes)
                arr, starts, ends, n_bang, is_final = feed.chunk(carried + batch_lines)
                while starts.size <= carried and not is_final:  # progress: at least one new line
                    feed.fill(feed.size + 1)
                    arr, starts, ends, n_bang, is_final = feed.chunk(carried + batch_lines)
                if starts.size == 0:
                    return
                # adversarial chains of overlapping groups could pin the cut: resolve them here
                final = is_final or carried > _MAX_CARRY_LINES
                batches, cut = _decode_halves(pool, arr, starts, ends, n_bang, final, line_no0,
                                              source.source_id, assume_us)
                for batch in batches:
                    if options.strict and batch.rejects.num_rows:
                        first = batch.rejects.slice(0, 1).to_pylist()[0]
                        raise StrictModeError(
                            f"rejected line ({first['reason']}): {first['raw'][:80]}",
                            path=source.name, line_no=first["line_no"],
                        )
                feed.consume(starts, ends, cut)
                line_no0 += cut
                carried = starts.size - cut
                yield from batches
                if final and cut == starts.size:
                    return
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"cannot read NMEA: {exc}", path=source.name, line_no=line_no0 + 1) from exc


def _decode_halves(pool, arr, starts, ends, n_bang, final, line_no0, source_id, assume_us):
    """Decode a chunk, as two halves on two threads when it is big (the kernels release the GIL).

    The second half assumes nothing is pending where it starts. That holds exactly when the
    first half's cut is at its end; otherwise its result is dropped and those lines are
    re-read with the next chunk, so the output never depends on the split.
    """
    n = starts.size
    common = {"source_id": source_id, "assume_time_us": assume_us}
    if n < 2 * PARALLEL_MIN_LINES:
        batch, cut = decode_chunk(arr, starts, ends, n_bang, is_final=final, line_no0=line_no0, **common)
        return [batch], cut
    mid = n // 2
    first = pool.submit(decode_chunk, arr, starts[:mid], ends[:mid], n_bang, is_final=False,
                        line_no0=line_no0, **common)
    second = pool.submit(decode_chunk, arr, starts[mid:], ends[mid:], n_bang, is_final=final,
                         line_no0=line_no0 + mid, **common)
    batch_a, cut_a = first.result()
    batch_b, cut_b = second.result()
    if cut_a < mid:
        return [batch_a], cut_a
    return [batch_a, batch_b], mid + cut_b
