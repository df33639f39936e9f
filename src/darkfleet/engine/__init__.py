"""Execution engines for detection stages (see :mod:`darkfleet.engine.base` for the contract)."""

from darkfleet.engine.base import Engine
from darkfleet.engine.embedded import EmbeddedEngine

__all__ = ["EmbeddedEngine", "Engine"]
