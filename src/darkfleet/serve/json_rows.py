"""Rows rendered to JSON once, kept in one contiguous buffer, joined into arrays per request.

The store is read-only while it is served, so an event or a vessel is rendered to JSON text once
at start-up; a response is then a copy of the chosen texts with commas between them, done by a
compiled loop (no Python object per row, no JSON encoder on the request path).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa
from numba import njit

_OPEN, _COMMA, _CLOSE = ord("["), ord(","), ord("]")


@njit(cache=True)
def _join(data: np.ndarray, offsets: np.ndarray, rows: np.ndarray) -> np.ndarray:
    total = 2 + max(rows.size - 1, 0)
    for r in rows:
        total += offsets[r + 1] - offsets[r]
    out = np.empty(total, dtype=np.uint8)
    out[0] = _OPEN
    at = 1
    for k in range(rows.size):
        if k:
            out[at] = _COMMA
            at += 1
        a, b = offsets[rows[k]], offsets[rows[k] + 1]
        out[at:at + b - a] = data[a:b]
        at += b - a
    out[at] = _CLOSE
    return out


class JsonRows:
    """One JSON text per row; ``array(rows)`` is the JSON array of the texts at ``rows``."""

    def __init__(self, data: np.ndarray, offsets: np.ndarray) -> None:
        self._data = data
        self._offsets = offsets

    @classmethod
    def from_arrow(cls, texts: pa.Array | pa.ChunkedArray) -> "JsonRows":
        """From a string column without nulls (e.g. JSON rendered by DuckDB); its buffers are used as they are."""
        if isinstance(texts, pa.ChunkedArray):
            texts = texts.combine_chunks()
        large = pa.types.is_large_string(texts.type)
        _, offsets, data = texts.buffers()
        offsets = np.frombuffer(offsets, dtype=np.int64 if large else np.int32)[texts.offset:texts.offset + len(texts) + 1]
        data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
        return cls(data, offsets.astype(np.int64))

    @classmethod
    def from_bytes(cls, texts: Iterable[bytes]) -> "JsonRows":
        texts = list(texts)
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in texts], out=offsets[1:])
        return cls(np.frombuffer(b"".join(texts), dtype=np.uint8), offsets)

    def text(self, row: int) -> bytes:
        return self._data[self._offsets[row]:self._offsets[row + 1]].tobytes()

    def array(self, rows: np.ndarray) -> bytes:
        return _join(self._data, self._offsets, np.asarray(rows, dtype=np.int64)).tobytes()
