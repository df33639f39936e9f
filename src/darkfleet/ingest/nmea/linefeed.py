"""Reading a binary stream as whole lines, in chunks, with line length capped while reading."""

from __future__ import annotations

from typing import IO

import numpy as np
from numba import njit

from darkfleet.ingest.nmea import codes as C
from darkfleet.ingest.nmea.scan import count_byte, find_byte

_MIN_READ_BYTES = 1 << 20


@njit(cache=True, nogil=True)
def _split(buf, max_lines, eof):
    """Line bounds of up to ``max_lines`` lines of ``buf`` and the '!' count inside them.

    Returns (starts, ends, n_bang, is_final); a last line without newline counts only at EOF.
    """
    max_lines = min(max_lines, buf.shape[0] + 1)  # never more lines than bytes
    ends, n = find_byte(buf, 10, max_lines)
    complete_end = ends[n - 1] + 1 if n else 0
    bangs = count_byte(buf, 0, complete_end, 33)
    is_final = False
    if eof and complete_end == buf.shape[0]:
        is_final = True
    elif eof and n < max_lines:  # find_byte saw every newline: the last line has none
        ends[n] = buf.shape[0]
        n += 1
        bangs += count_byte(buf, complete_end, buf.shape[0], 33)
        is_final = True
    starts = np.empty(n, np.int32)
    if n:
        starts[0] = 0
        starts[1:] = ends[: n - 1] + 1
    return starts, ends[:n], bangs, is_final


@njit(cache=True)
def _first_newline(buf, a, b):
    for k in range(a, b):
        if buf[k] == 10:
            return k
    return -1


@njit(cache=True)
def _last_newline(buf, a, b):
    for k in range(b - 1, a - 1, -1):
        if buf[k] == 10:
            return k
    return -1


def read_into(stream: IO[bytes], window: memoryview) -> int:
    """Read from ``stream`` into ``window``; the byte count, 0 at the end."""
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        return readinto(window) or 0
    data = stream.read(len(window))
    window[: len(data)] = data
    return len(data)


class LineFeed:
    """Buffers a stream; :meth:`chunk` hands out whole lines, :meth:`consume` drops them.

    One reusable NumPy buffer is filled with ``readinto`` (no joins, no fresh pages per
    chunk). The rest of a line longer than ``LINE_CAP_BYTES`` is discarded while reading
    (the kept part is still rejected as too long), so one hostile line cannot fill memory.
    """

    def __init__(self, stream: IO[bytes], block_bytes: int) -> None:
        self.stream = stream
        self.block_bytes = block_bytes
        self.buf = np.empty(2 * block_bytes, np.uint8)
        self.size = 0
        self.eof = False
        self._discarding = False

    def _read_block(self) -> int:
        need = self.size + self.block_bytes
        if need > self.buf.size and self.buf.size - self.size >= _MIN_READ_BYTES:
            need = self.buf.size  # read into the room left: growing would copy and fault fresh pages
        if need > self.buf.size:
            grown = np.empty(max(need, 2 * self.buf.size), np.uint8)
            grown[: self.size] = self.buf[: self.size]
            self.buf = grown
        return read_into(self.stream, memoryview(self.buf)[self.size : need])

    def fill(self, target: int) -> bool:
        """Read until ``target`` bytes are buffered or the stream ends; False if nothing came."""
        got = False
        while not self.eof and self.size < target:
            start = self.size
            n = self._read_block()
            if n == 0:
                self.eof = True
                break
            got = True
            end = start + n
            if self._discarding:
                first = _first_newline(self.buf, start, end)
                if first < 0:
                    continue
                kept = end - first - 1
                self.buf[start : start + kept] = self.buf[first + 1 : end]
                end = start + kept
                self._discarding = False
            self.size = end
            self._cap_last_line()
        return got

    def _cap_last_line(self) -> None:
        """End an over-long last line after LINE_CAP_BYTES + 1 bytes and skip its rest."""
        limit = C.LINE_CAP_BYTES + 1
        last = _last_newline(self.buf, max(self.size - limit - 1, 0), self.size)
        line_start = last + 1 if last >= 0 else (0 if self.size <= limit + 1 else -1)
        if line_start >= 0 and self.size - line_start <= limit:
            return
        if line_start < 0:  # no newline in the last limit+1 bytes: find where the line began
            line_start = _last_newline(self.buf, 0, self.size) + 1
        self.size = line_start + limit
        self.buf[self.size] = 10
        self.size += 1
        self._discarding = True

    def chunk(self, max_lines: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, bool]:
        """(buffer, line starts, line ends, '!' count, is_final) of up to ``max_lines`` lines.

        The buffer is a view that :meth:`consume` overwrites: use it before consuming.
        """
        arr = self.buf[: self.size]
        starts, ends, bangs, is_final = _split(arr, max_lines, self.eof)
        return arr, starts, ends, int(bangs), bool(is_final)

    def consume(self, starts: np.ndarray, ends: np.ndarray, n_lines: int) -> None:
        if n_lines == 0:
            return
        if n_lines < starts.size:
            cut_byte = int(starts[n_lines])
        else:
            cut_byte = min(int(ends[n_lines - 1]) + 1, self.size)
        rest = self.size - cut_byte
        self.buf[:rest] = self.buf[cut_byte : self.size]  # NumPy copies safely when ranges overlap
        self.size = rest


class ReadAhead:
    """A binary stream that can read ahead into a side buffer while threads decode.

    :meth:`prefetch` fills the side buffer (the file read or decompression releases the GIL
    or overlaps the decoding threads); ``readinto`` serves it first, then the stream. A read
    error met ahead is raised where it would have been: at the read of those bytes.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self._ahead = np.empty(0, np.uint8)
        self._start = 0
        self._end = 0
        self._error: BaseException | None = None

    def prefetch(self, n_bytes: int) -> None:
        """Read up to ``n_bytes`` ahead, unless bytes read ahead are still unused."""
        if self._start < self._end or self._error is not None:
            return
        if self._ahead.size < n_bytes:
            self._ahead = np.empty(n_bytes, np.uint8)
        self._start = self._end = 0
        try:
            while self._end < n_bytes:
                got = read_into(self.stream, memoryview(self._ahead)[self._end : n_bytes])
                if got == 0:
                    break
                self._end += got
        except Exception as exc:  # noqa: BLE001  (kept for the read that reaches these bytes)
            self._error = exc

    def readinto(self, window: memoryview) -> int:
        if self._start < self._end:
            n = min(len(window), self._end - self._start)
            window[:n] = memoryview(self._ahead)[self._start : self._start + n]
            self._start += n
            return n
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return read_into(self.stream, window)
