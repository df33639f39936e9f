"""``read_nmea``: stream a source in bounded chunks of lines and decode each chunk.

Memory stays bounded whatever the input: at most ``batch_lines`` new lines per chunk, a
line never grows past ``LINE_CAP_BYTES`` (the rest of an over-long line is discarded while
reading and the line is rejected), and the lines carried to the next chunk are limited.
"""

from __future__ import annotations

import zlib
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


def _to_us(moment: datetime) -> int:
    if moment.tzinfo is None:  # a naive assume_time is read as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def read_nmea(source: Source, options: ReadOptions) -> Iterator[Batch]:
    """Decode an NMEA AIS source (VDM/VDO, tag blocks, $PGHP) into batches.

    \b
    Example:
      for batch in read_nmea(source, ReadOptions(batch_lines=500_000)):
          store.append("positions", batch.positions)
    """
    assume_us = _to_us(options.assume_time) if options.assume_time is not None else None
    batch_lines = max(1, int(options.batch_lines))
    block = min(max(batch_lines * 96, 1 << 16), _MAX_BLOCK_BYTES)
    line_no0 = 0
    carried = 0
    try:
        with source.open() as stream:
            feed = LineFeed(stream, block)
            while True:
                feed.fill(carried + batch_lines)
                arr, starts, ends, n_bang, is_final = feed.chunk(carried + batch_lines)
                if starts.size == 0:
                    return
                # adversarial chains of overlapping groups could pin the cut: resolve them here
                force = carried > _MAX_CARRY_LINES
                batch, cut = decode_chunk(
                    arr, starts, ends, n_bang, is_final=is_final or force, line_no0=line_no0,
                    source_id=source.source_id, assume_time_us=assume_us,
                )
                if options.strict and batch.rejects.num_rows:
                    first = batch.rejects.slice(0, 1).to_pylist()[0]
                    raise StrictModeError(
                        f"rejected line ({first['reason']}): {first['raw'][:80]}",
                        path=source.name, line_no=first["line_no"],
                    )
                feed.consume(starts, ends, cut)
                line_no0 += cut
                carried = starts.size - cut
                yield batch
                if is_final:
                    return
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"cannot read NMEA: {exc}", path=source.name, line_no=line_no0 + 1) from exc
