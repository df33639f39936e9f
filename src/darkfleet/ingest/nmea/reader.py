"""``read_nmea``: stream a source in bounded chunks of lines and decode each chunk.

Memory stays bounded whatever the input: at most ``batch_lines`` new lines per chunk, a
line never grows past ``LINE_CAP_BYTES`` (the rest of an over-long line is discarded while
reading and the line is rejected), and the lines carried to the next chunk are limited.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import IO

import numpy as np

from darkfleet.errors import InputError, StrictModeError
from darkfleet.ingest.batch import Batch, ReadOptions, Source
from darkfleet.ingest.nmea import codes as C
from darkfleet.ingest.nmea.chunk import decode_chunk

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MAX_CARRY_LINES = 64 * C.WINDOW_LINES  # only adversarial chains of groups get near this
_MAX_BLOCK_BYTES = 64 << 20


def _to_us(moment: datetime) -> int:
    if moment.tzinfo is None:  # a naive assume_time is read as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // timedelta(microseconds=1)


class _LineFeed:
    """Reads a binary stream into whole lines, capping line length while reading."""

    def __init__(self, stream: IO[bytes], block_bytes: int) -> None:
        self.stream = stream
        self.block_bytes = block_bytes
        self.data = b""
        self.complete = 0  # newlines in self.data
        self.eof = False
        self._discarding = False  # inside an over-long line: drop bytes until its newline

    def fill(self, want_lines: int) -> None:
        while not self.eof and self.complete < want_lines:
            block = self.stream.read(self.block_bytes)
            if not block:
                self.eof = True
                break
            if self._discarding:
                newline = block.find(b"\n")
                if newline < 0:
                    continue
                block = block[newline + 1 :]
                self._discarding = False
            self.data += block
            self.complete += block.count(b"\n")
            tail = len(self.data) - self.data.rfind(b"\n") - 1
            if tail > C.LINE_CAP_BYTES + 1:  # keep enough to reject it, end it here
                self.data = self.data[: len(self.data) - tail + C.LINE_CAP_BYTES + 1] + b"\n"
                self.complete += 1
                self._discarding = True

    def chunk(self, max_lines: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """Up to ``max_lines`` lines from the front (kept until :meth:`consume`), and whether
        they are the last lines of the input."""
        arr = np.frombuffer(self.data, np.uint8)
        all_newlines = np.flatnonzero(arr == 10)
        ends = all_newlines[:max_lines]
        is_final = False
        if self.eof and all_newlines.size <= max_lines:
            complete_end = int(ends[-1]) + 1 if ends.size else 0
            if complete_end == arr.size:
                is_final = True
            elif ends.size < max_lines:  # a last line without a newline
                ends = np.append(ends, arr.size)
                is_final = True
        starts = np.zeros(ends.size, np.int64)
        starts[1:] = ends[:-1] + 1
        return arr, starts, ends.astype(np.int64), is_final

    def consume(self, starts: np.ndarray, ends: np.ndarray, n_lines: int) -> None:
        if n_lines == 0:
            return
        cut_byte = int(starts[n_lines]) if n_lines < starts.size else min(int(ends[-1]) + 1, len(self.data))
        self.complete -= self.data.count(b"\n", 0, cut_byte)
        self.data = self.data[cut_byte:]


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
            feed = _LineFeed(stream, block)
            while True:
                feed.fill(carried + batch_lines)
                arr, starts, ends, is_final = feed.chunk(carried + batch_lines)
                if starts.size == 0:
                    return
                # adversarial chains of overlapping groups could pin the cut: resolve them here
                force = carried > _MAX_CARRY_LINES
                batch, cut = decode_chunk(
                    arr, starts, ends, is_final=is_final or force, line_no0=line_no0,
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
