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
from darkfleet.ingest.nmea.linefeed import LineFeed, ReadAhead
from darkfleet.ingest.nmea.pieces import piece_bounds
from darkfleet.ingest.nmea.scan import count_byte

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MAX_CARRY_LINES = 64 * C.WINDOW_LINES  # only adversarial chains of groups get near this
_MAX_BLOCK_BYTES = 64 << 20
_MAX_CHUNK_BYTES = 256 << 20  # with long lines a chunk ends before batch_lines
_TYPICAL_LINE_BYTES = 72  # a tag-blocked VDM line; DMA files average ~50
PARALLEL_MIN_LINES = 60_000  # per piece: smaller ones are not worth a thread hand-off
MAX_PIECES = 16  # several per core: a thread the OS delays does not hold up the chunk
MAX_CHUNK_LINES = 1 << 18


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
    # chunks of at most MAX_CHUNK_LINES: the reused buffer stays small, so reading a chunk is a
    # copy into warm pages rather than page faults on fresh memory, while the threads wait
    batch_lines = max(1, min(int(options.batch_lines), MAX_CHUNK_LINES))
    # bytes per chunk: about batch_lines typical lines, within the caps
    want_bytes = min(max(batch_lines * _TYPICAL_LINE_BYTES, 1 << 12), _MAX_CHUNK_BYTES)
    block = min(want_bytes, _MAX_BLOCK_BYTES)
    line_no0 = 0
    carried = 0
    try:
        with source.open() as stream, ThreadPoolExecutor(max_workers=2) as pool:
            ahead = ReadAhead(stream)
            feed = LineFeed(ahead, block)
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
                batches, cut = _decode_pieces(pool, arr, starts, ends, n_bang, final, line_no0,
                                              source.source_id, assume_us,
                                              while_waiting=lambda: ahead.prefetch(block))
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


def _decode_pieces(pool, arr, starts, ends, n_bang, final, line_no0, source_id, assume_us, parallel=True,
                   while_waiting=None):
    """Decode a chunk, as pieces on the thread pool when it is big (the kernels release the GIL).

    Each piece assumes nothing is pending where it starts. That holds exactly when the
    previous piece's cut is at its end; otherwise the later pieces are dropped and the rest
    decoded in one piece from that cut, so the output never depends on the split.
    ``while_waiting`` runs on this thread while the pieces decode (reading ahead).
    """
    n = starts.size
    common = {"source_id": source_id, "assume_time_us": assume_us}
    n_pieces = min(n // PARALLEL_MIN_LINES, MAX_PIECES) if parallel else 1
    if n_pieces < 2:
        batch, cut = decode_chunk(arr, starts, ends, n_bang, is_final=final, line_no0=line_no0, **common)
        return [batch], cut
    bounds = piece_bounds(arr, starts, ends, n_pieces).tolist()
    futures = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        bangs = count_byte(arr, int(starts[a]), int(ends[b - 1]), 33)  # bounds this piece's sentences
        futures.append(pool.submit(decode_chunk, arr, starts[a:b], ends[a:b], bangs,
                                   is_final=final and b == n, line_no0=line_no0 + a, **common))
    if while_waiting is not None:
        while_waiting()
    batches = []
    for (a, b), future in zip(zip(bounds[:-1], bounds[1:]), futures):
        batch, cut = future.result()
        batches.append(batch)
        if a + cut < b:  # something is pending at the bound: the later pieces guessed wrong
            for later in futures:  # running ones must end before the buffer is reused
                if not later.cancel():
                    later.result()
            rest = a + cut
            tail = _decode_pieces(pool, arr, starts[rest:], ends[rest:], n_bang, final, line_no0 + rest,
                                  source_id, assume_us, parallel=False)
            return batches + tail[0], rest + tail[1]
    return batches, n
