"""darkfleet.ingest: AIS in any common shape -> canonical positions/static/rejects.

``ingest(inputs, db_path, options)`` appends to a DuckDB store; ``read(inputs, options)``
returns ``(positions, static, summary)`` in memory. Both are imported lazily so that
readers importing :mod:`darkfleet.ingest.batch` stay light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ingest", "read"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from darkfleet.ingest import driver

        return getattr(driver, name)
    raise AttributeError(f"module 'darkfleet.ingest' has no attribute {name!r}")
