"""The simulator's public entry points."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from darkfleet.simulate.generate import generate_chunks
from darkfleet.simulate.presets import Config, resolve
from darkfleet.simulate.registry_table import vessels_table
from darkfleet.simulate.scenario import plan_scenario


@dataclass
class SimResult:
    """An in-memory scenario: AIS as received, and what really happened."""

    config: Config
    positions: pa.Table  # schema.POSITIONS
    static: pa.Table  # schema.STATIC
    truth: pa.Table  # schema.TRUTH
    benign: pa.Table  # schema.BENIGN
    vessels: pa.Table  # the registry: one row per broadcast MMSI


def simulate(preset: str = "tiny", seed: int = 0, vessels: int | None = None, hours: float | None = None,
             area: tuple[float, float, float, float] | None = None, chunk_units: int | None = None,
             downsample_s: int | None | str = "preset") -> SimResult:
    """Generate a whole scenario in memory (meant for ``tiny`` and ``regional``)."""
    cfg = resolve(preset, seed, vessels, hours, area, downsample_s)
    scn = plan_scenario(cfg)
    chunks = list(generate_chunks(scn, chunk_units))
    return SimResult(
        cfg,
        pa.concat_tables([c.positions for c in chunks]),
        pa.concat_tables([c.static for c in chunks]),
        pa.concat_tables([c.truth for c in chunks]),
        pa.concat_tables([c.benign for c in chunks]),
        vessels_table(scn),
    )


def write_scenario(preset: str, seed: int, out_dir, format: str = "parquet", **overrides):  # noqa: A002
    """Stream a scenario to ``out_dir`` in ``format`` (parquet, noaa or nmea); see :mod:`.writers`."""
    from darkfleet.simulate.writers import write

    return write(preset, seed, out_dir, format, **overrides)
