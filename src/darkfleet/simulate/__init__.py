"""darkfleet.simulate: realistic AIS traffic with planted dark-fleet behaviour and its ground truth.

``simulate("tiny")`` returns a :class:`SimResult` in memory; ``write_scenario`` streams any preset
to disk in chunks (bounded memory). Both are deterministic for a seed, whatever the chunking.
"""

from __future__ import annotations

from darkfleet.simulate.api import SimResult, simulate, write_scenario

__all__ = ["SimResult", "simulate", "write_scenario"]
