"""A byte-bounded LRU of rendered JSON responses.

The store is opened read-only, so a response for given parameters never changes while the
server runs: repeating it from memory is exact, and it spares the cores for queries that
have not been answered yet (the map page asks the same pages again and again).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import orjson
from fastapi.responses import Response


def render_json(value: Any) -> bytes:
    """orjson: a 7-day track is ~30k numbers, where the standard encoder costs more than the query.
    Non-finite floats become null, as JSON has no NaN."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


class ResponseCache:
    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._bodies: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def json(self, key: Hashable, produce: Callable[[], Any]) -> Response:
        """The cached body for ``key``, or render ``produce()`` (a JSON value, or JSON bytes) and keep it."""
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
                self.hits += 1
        if body is None:
            value = produce()  # errors raised by produce() are never cached
            body = value if isinstance(value, bytes) else render_json(value)  # bytes: already JSON
            self._store(key, body)
        return Response(body, media_type="application/json")

    def _store(self, key: Hashable, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:  # one huge track must not flush everything else
            return
        with self._lock:
            self.misses += 1
            if key in self._bodies:
                return
            self._bodies[key] = body
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _, old = self._bodies.popitem(last=False)
                self._bytes -= len(old)
