"""darkfleet: expose the dark fleet (STS transfers, AIS gaps, spoofing, identity changes) on open AIS data.

The public API is what this module re-exports; ``tests/test_public_api.py`` pins it. Everything
but the errors loads on first use (module ``__getattr__``), so ``import darkfleet`` stays cheap
and optional extras (fastapi for ``create_app``, dask for ``get_engine("dask")``) are imported
only when used, raising :class:`MissingExtraError` naming the extra when they are missing.
"""

from __future__ import annotations

import sys
import types
from typing import Any

__version__ = "0.1.0"

from darkfleet.errors import (
    ConfigError,
    DarkfleetError,
    InputError,
    MissingExtraError,
    NotFoundError,
    StoreError,
    StrictModeError,
)

# public name -> (module, optional extra that module needs)
_LAZY: dict[str, tuple[str, str | None]] = {
    "EventType": ("darkfleet.schema", None),
    "read": ("darkfleet.ingest", None),
    "ingest": ("darkfleet.ingest", None),
    "simulate": ("darkfleet.simulate", None),
    "write_scenario": ("darkfleet.simulate", None),
    "SimResult": ("darkfleet.simulate", None),
    "run_detection": ("darkfleet.detect", None),
    "DetectResult": ("darkfleet.detect", None),
    "run_detection_partitioned": ("darkfleet.detect", None),
    "evaluate_frames": ("darkfleet.detect", None),
    "DetectConfig": ("darkfleet.config", None),
    "load_config": ("darkfleet.config", None),
    "get_engine": ("darkfleet.engine.factory", None),
    "screen": ("darkfleet.screen", None),
    "load_list": ("darkfleet.screen", None),
    "load_registry": ("darkfleet.screen", None),
    "score_vessels": ("darkfleet.score", None),
    "RiskConfig": ("darkfleet.score", None),
    "write_report": ("darkfleet.report", None),
    "build_report": ("darkfleet.report", None),
    "create_app": ("darkfleet.serve", "serve"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'darkfleet' has no attribute {name!r}")
    module_name, extra = _LAZY[name]
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if extra is None or (exc.name or "").startswith("darkfleet"):
            raise
        raise MissingExtraError(exc.name or module_name, extra) from exc
    value = getattr(module, name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


# Functions named like the subpackage that holds them (darkfleet.screen.screen, ...)
_SHADOWED = {name for name, (module_name, _) in _LAZY.items() if module_name == f"darkfleet.{name}"}


class _PublicModule(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        # Importing a subpackage makes Python set it as an attribute of this package, which would turn
        # darkfleet.screen(...) into the module; keep the function (the subpackage stays in sys.modules).
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _PublicModule


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "ConfigError",
    "DarkfleetError",
    "InputError",
    "MissingExtraError",
    "NotFoundError",
    "StoreError",
    "StrictModeError",
    "__version__",
    *_LAZY,
]
