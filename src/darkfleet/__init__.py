"""darkfleet: expose the dark fleet (STS transfers, AIS gaps, spoofing, identity changes) on open AIS data.

The public API is what this module re-exports; ``tests/test_public_api.py`` pins it.
"""

from __future__ import annotations

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
from darkfleet.schema import EventType

__all__ = [
    "ConfigError",
    "DarkfleetError",
    "EventType",
    "InputError",
    "MissingExtraError",
    "NotFoundError",
    "StoreError",
    "StrictModeError",
    "__version__",
]
