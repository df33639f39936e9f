"""Bulk text: byte spans and 6-bit character matrices -> Arrow string arrays, no per-row Python."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numba import njit

_AT = 64
_SPACE = 32
_QUESTION = 63


@njit(cache=True, nogil=True)  # nogil: two halves of a chunk may run in threads
def _pack_rows(mat):
    """Rows of ASCII codes cut at the first '@' (AIS padding) and stripped of spaces."""
    n, width = mat.shape
    offsets = np.zeros(n + 1, np.int32)
    data = np.empty(n * width, np.uint8)
    valid = np.zeros(n, np.bool_)
    out = 0
    for i in range(n):
        end = width
        for k in range(width):
            if mat[i, k] == _AT:
                end = k
                break
        start = 0
        while start < end and mat[i, start] == _SPACE:
            start += 1
        while end > start and mat[i, end - 1] == _SPACE:
            end -= 1
        for k in range(start, end):
            data[out] = mat[i, k]
            out += 1
        offsets[i + 1] = out
        valid[i] = end > start
    return offsets, data[:out], valid


@njit(cache=True, nogil=True)  # nogil: two halves of a chunk may run in threads
def _gather(buf, spans, cap):
    """Copy ``buf[start:end]`` (capped) per row; bytes outside printable ASCII become '?'.

    Rows with ``start < 0`` are null. Sanitising keeps every output valid UTF-8 whatever
    the input bytes were.
    """
    n = spans.shape[0]
    offsets = np.zeros(n + 1, np.int32)
    size = 0
    for i in range(n):
        if spans[i, 0] >= 0:
            size += min(spans[i, 1] - spans[i, 0], cap)
    data = np.empty(size, np.uint8)
    valid = np.zeros(n, np.bool_)
    out = 0
    for i in range(n):
        a = spans[i, 0]
        if a >= 0:
            valid[i] = True
            for k in range(a, min(spans[i, 1], a + cap)):
                c = buf[k]
                data[out] = c if 32 <= c <= 126 else _QUESTION
                out += 1
        offsets[i + 1] = out
    return offsets, data, valid


def _string_array(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray) -> pa.Array:
    n = len(valid)
    bitmap = None
    if not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), bitmap)


def text_column(mat: np.ndarray) -> pa.Array:
    """A string column from an (n, width) matrix of ASCII codes; empty text is null."""
    return _string_array(*_pack_rows(mat))


def span_column(buf: np.ndarray, spans: np.ndarray, cap: int = 1 << 30) -> pa.Array:
    """A string column from (start, end) byte spans of ``buf``; start < 0 is null."""
    spans = np.ascontiguousarray(spans, dtype=np.int64).reshape(-1, 2)
    return _string_array(*_gather(buf, spans, cap))
