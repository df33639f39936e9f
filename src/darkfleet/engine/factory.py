"""``get_engine(name, **opts)``: the one place that maps an engine name to a class.

Stages and detectors never import a concrete engine; the CLI and library users ask here.
"""

from __future__ import annotations

from typing import Any

from darkfleet.engine.base import Engine
from darkfleet.errors import ConfigError

ENGINES = ("embedded", "dask")


def get_engine(name: str = "embedded", **opts: Any) -> Engine:
    """An engine by name. ``dask`` options: ``scheduler``, ``workers``, ``threads_per_worker``,
    ``partitions_per_worker``, ``block_cells``, ``staging_dir`` (see :class:`DaskEngine`).

    Raises :class:`~darkfleet.errors.MissingExtraError` when the dask extra is not installed
    and :class:`~darkfleet.errors.ConfigError` for an unknown name or option."""
    if name == "embedded":
        if opts:
            raise ConfigError(f"the embedded engine takes no options (got {', '.join(sorted(opts))})")
        from darkfleet.engine.embedded import EmbeddedEngine

        return EmbeddedEngine()
    if name == "dask":
        from darkfleet.engine.dask_engine import DaskEngine

        try:
            return DaskEngine(**opts)
        except TypeError as exc:
            raise ConfigError(f"bad option for the dask engine: {exc}") from exc
    raise ConfigError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}", engine=name)


def close_engine(engine: Engine) -> None:
    """Release an engine's resources (a cluster, staging files); a no-op for the embedded one."""
    close = getattr(engine, "close", None)
    if callable(close):
        close()


def engine_options(name: str, scheduler: str | None = None, workers: int = 2) -> dict[str, Any]:
    """``get_engine`` options from the CLI flags (``--scheduler``, ``--workers``)."""
    if name != "dask":
        if scheduler:
            raise ConfigError("--scheduler needs --engine dask")
        return {}
    return {"scheduler": scheduler} if scheduler else {"workers": workers}
