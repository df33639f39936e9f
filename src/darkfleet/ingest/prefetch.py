"""Run a producer iterator one step ahead in a thread.

Readers spend their time in Arrow's CSV parser or in zlib, which release the GIL, while
the consumer converts the previous batch in Polars and DuckDB (which also release it):
overlapping the two uses both cores without any per-row Python.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def prefetch(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yield ``items`` while a thread already produces up to ``depth`` next ones."""
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                slots.put((True, item))
            slots.put((True, _DONE))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            slots.put((False, exc))

    worker = threading.Thread(target=produce, name="darkfleet-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            ok, item = slots.get()
            if not ok:
                raise item
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                slots.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)
