"""Write a scenario to disk chunk by chunk: AIS in parquet, NOAA CSV or NMEA, plus truth,
benign look-alikes, the vessel registry and a sanctions list."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from darkfleet import schema
from darkfleet._progress import Bar
from darkfleet.errors import ConfigError, InputError
from darkfleet.simulate.generate import generate_chunks
from darkfleet.simulate.presets import resolve
from darkfleet.simulate.registry_table import vessels_table
from darkfleet.simulate.scenario import plan_scenario

FORMATS = ("parquet", "noaa", "nmea")


@dataclass
class WriteSummary:
    out_dir: Path
    format: str
    positions: int
    static: int
    truth: int
    benign: int
    vessels: int
    files: int
    seconds: float

    def to_json(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


def write(preset: str, seed: int, out_dir, format: str = "parquet", vessels: int | None = None,  # noqa: A002
          hours: float | None = None, area=None, chunk_units: int | None = None,
          downsample_s: int | None | str = "preset", workers: int | None = None) -> WriteSummary:
    """Generate and write a scenario; ``workers`` processes (default: up to 2 for big presets)."""
    if format not in FORMATS:
        raise ConfigError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}", format=format)
    started = time.perf_counter()
    out = Path(out_dir)
    try:
        (out / "positions").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output directory: {exc.strerror}", path=out) from exc
    cfg = resolve(preset, seed, vessels, hours, area, downsample_s)
    # Parts of an earlier, larger run in the same folder would silently mix into this one.
    for old in [*out.glob("positions/part-*"), *out.glob("static/part-*")]:
        old.unlink()
    scn = plan_scenario(cfg)
    writer = _make_writer(format, out)
    truth, benign = [], []
    n_pos = n_stat = 0
    if workers is None:
        workers = 1 if preset == "tiny" else min(2, os.cpu_count() or 1)
    with Bar(f"simulating {preset}", total=len(scn.units)) as bar:
        for part, chunk in enumerate(generate_chunks(scn, chunk_units, workers)):
            writer.write(part, chunk.positions, chunk.static, chunk.static_receiver)
            n_pos += chunk.positions.num_rows
            n_stat += chunk.static.num_rows
            truth.append(chunk.truth)
            benign.append(chunk.benign)
            bar.advance(chunk.n_units)
    writer.close()
    truth_t = pa.concat_tables(truth) if truth else schema.empty_table(schema.TRUTH)
    benign_t = pa.concat_tables(benign) if benign else schema.empty_table(schema.BENIGN)
    pq.write_table(truth_t, out / "truth.parquet")
    pq.write_table(benign_t, out / "benign.parquet")
    reg = vessels_table(scn)
    pq.write_table(reg, out / "vessels.parquet")
    from darkfleet.simulate.sanctions_export import write_sanctions

    write_sanctions(reg, out / "sanctions")
    summary = WriteSummary(out, format, n_pos, n_stat, truth_t.num_rows, benign_t.num_rows, reg.num_rows,
                           writer.files, round(time.perf_counter() - started, 2))
    (out / "scenario.json").write_text(json.dumps({**summary.to_json(), "preset": preset, "seed": seed,
                                                   "hours": cfg.hours, "area": cfg.area,
                                                   "start_utc": cfg.start_utc.isoformat()}, indent=2))
    return summary


def _make_writer(format: str, out: Path):  # noqa: A002
    if format == "parquet":
        return ParquetWriter(out)
    from darkfleet.simulate.text_writers import NmeaWriter, NoaaWriter

    return NoaaWriter(out) if format == "noaa" else NmeaWriter(out)


class ParquetWriter:
    """Canonical ``schema.POSITIONS`` and ``schema.STATIC`` parquet parts, one per chunk."""

    def __init__(self, out: Path) -> None:
        self.out = out
        (out / "static").mkdir(exist_ok=True)
        self.files = 0

    def write(self, part: int, positions: pa.Table, static: pa.Table, static_receiver: pa.Array) -> None:
        pq.write_table(positions, self.out / "positions" / f"part-{part:05d}.parquet")
        pq.write_table(static, self.out / "static" / f"part-{part:05d}.parquet")
        self.files += 2

    def close(self) -> None:
        pass
