"""Allocator settings for darkfleet's own processes (the ``darkfleet`` command, the benchmarks).

Detection allocates and frees gigabytes per stage (12 M positions: ~3 GB of columns, arrays
and pair lists). Polars' allocator (jemalloc) hands freed pages back to the kernel after a
delay, so the next stage faults them in again: ~800 k page faults and ~3 CPU s of kernel time
per 12 M positions. Keeping freed pages for reuse removes most of that; the process's peak
memory is unchanged (pages are reused, not added), it just does not shrink until exit.
"""

from __future__ import annotations

import os
import sys

POLARS_JEMALLOC_CONF = "dirty_decay_ms:-1,muzzy_decay_ms:-1"  # never return freed pages before exit


def keep_freed_memory() -> bool:
    """Ask jemalloc to keep freed pages, unless the user set ``_RJEM_MALLOC_CONF`` (theirs
    wins). jemalloc reads it once, at Polars' first allocation, so this works only before
    ``polars`` is imported; returns whether it could still apply."""
    if "polars" in sys.modules:
        return False
    os.environ.setdefault("_RJEM_MALLOC_CONF", POLARS_JEMALLOC_CONF)
    return True
