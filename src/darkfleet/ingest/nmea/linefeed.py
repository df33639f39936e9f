"""Reading a binary stream as whole lines, in chunks, with line length capped while reading."""

from __future__ import annotations

from typing import IO

import numpy as np
from numba import njit

from darkfleet.ingest.nmea import codes as C


@njit(cache=True)
def _split(buf, max_lines, eof):
    """Line bounds of up to ``max_lines`` lines of ``buf`` and the '!' count inside them.

    Returns (starts, ends, n_bang, is_final); a last line without newline counts only at EOF.
    """
    ends = np.empty(max_lines, np.int64)
    n = 0
    bangs = 0
    pending_bangs = 0
    for k in range(buf.shape[0]):
        c = buf[k]
        if c == 10:
            if n == max_lines:
                break
            ends[n] = k
            n += 1
            bangs += pending_bangs
            pending_bangs = 0
        elif c == 33:
            pending_bangs += 1
    complete_end = ends[n - 1] + 1 if n else 0
    is_final = False
    if eof and complete_end == buf.shape[0]:
        is_final = True
    elif eof and n < max_lines:
        tail_newline = False
        for k in range(complete_end, buf.shape[0]):
            if buf[k] == 10:
                tail_newline = True
                break
        if not tail_newline:  # the last line has no newline
            ends[n] = buf.shape[0]
            n += 1
            bangs += pending_bangs
            is_final = True
    starts = np.empty(n, np.int64)
    if n:
        starts[0] = 0
        for i in range(1, n):
            starts[i] = ends[i - 1] + 1
    return starts, ends[:n], bangs, is_final


class LineFeed:
    """Buffers a stream; :meth:`chunk` hands out whole lines, :meth:`consume` drops them.

    The rest of a line longer than ``LINE_CAP_BYTES`` is discarded while reading (the kept
    part is still rejected as too long), so one hostile line cannot fill memory.
    """

    def __init__(self, stream: IO[bytes], block_bytes: int) -> None:
        self.stream = stream
        self.block_bytes = block_bytes
        self.data = b""
        self.complete = 0  # newlines in self.data
        self.eof = False
        self._discarding = False

    def fill(self, want_lines: int, min_lines: int, max_bytes: int) -> None:
        """Read until ``want_lines`` complete lines are buffered or the stream ends; stop
        early at ``max_bytes`` (long lines) once ``min_lines`` are there (progress)."""
        blocks = [self.data]
        size = len(self.data)
        tail = size - self.data.rfind(b"\n") - 1  # bytes after the last newline
        while not self.eof and self.complete < want_lines and (size < max_bytes or self.complete < min_lines):
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
            newlines = block.count(b"\n")
            self.complete += newlines
            tail = len(block) - block.rfind(b"\n") - 1 if newlines else tail + len(block)
            blocks.append(block)
            size += len(block)
            if tail > C.LINE_CAP_BYTES + 1:  # keep enough to reject it, end the line here
                joined = b"".join(blocks)
                blocks = [joined[: len(joined) - tail + C.LINE_CAP_BYTES + 1], b"\n"]
                size = len(blocks[0]) + 1
                self.complete += 1
                tail = 0
                self._discarding = True
        self.data = b"".join(blocks) if len(blocks) > 1 else blocks[0]

    def chunk(self, max_lines: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, bool]:
        """(buffer, line starts, line ends, '!' count, is_final) of up to ``max_lines`` lines."""
        arr = np.frombuffer(self.data, np.uint8)
        starts, ends, bangs, is_final = _split(arr, max_lines, self.eof)
        return arr, starts, ends, int(bangs), bool(is_final)

    def consume(self, starts: np.ndarray, ends: np.ndarray, n_lines: int) -> None:
        if n_lines == 0:
            return
        if n_lines < starts.size:
            cut_byte = int(starts[n_lines])
        else:
            cut_byte = min(int(ends[n_lines - 1]) + 1, len(self.data))
        self.complete -= self.data.count(b"\n", 0, cut_byte)
        self.data = self.data[cut_byte:]
