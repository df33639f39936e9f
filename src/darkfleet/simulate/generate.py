"""Generate units into Arrow tables, chunk by chunk (bounded memory, chunking-independent output)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pyarrow as pa

from darkfleet import schema
from darkfleet.simulate.behaviours.background import build_background
from darkfleet.simulate.behaviours.benign import build_benign
from darkfleet.simulate.behaviours.planted import build_planted
from darkfleet.simulate.emit import emit_positions, emit_static
from darkfleet.simulate.presets import BENIGN_KINDS
from darkfleet.simulate.scenario import Scenario, Unit
from darkfleet.simulate.truth import label_unit

@dataclass
class Chunk:
    positions: pa.Table
    static: pa.Table
    truth: pa.Table
    benign: pa.Table
    n_units: int
    static_receiver: pa.Array  # station of each static row (STATIC has no receiver column; NMEA tags need it)


def unit_rng(seed: int, unit: Unit) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 1, unit.index])))


def build_unit(scn: Scenario, unit: Unit):
    rng = unit_rng(scn.cfg.seed, unit)
    benign: list[dict] = []
    if unit.kind == "background":
        plans = build_background(scn, unit, rng)
    elif unit.kind in BENIGN_KINDS:
        plans, benign = build_benign(scn, unit, rng)
    else:
        plans = build_planted(scn, unit, rng)
    for plan in plans:
        for call in plan.calls:
            call["port_lat"], call["port_lon"] = float(scn.routes.lat[call["port"]]), float(scn.routes.lon[call["port"]])
    return plans, benign, rng


_SHARED: Scenario | None = None  # the scenario forked worker processes generate from


def generate_chunks(scn: Scenario, chunk_units: int | None = None, workers: int = 1) -> Iterator[Chunk]:
    """Chunks of consecutive units, in order. With ``workers > 1`` chunks are generated in forked
    processes; every unit has its own seed, so the output is the same as with one worker."""
    step = chunk_units or scn.cfg.chunk_units
    bounds = [(lo, min(lo + step, len(scn.units))) for lo in range(0, len(scn.units), step)]
    if workers <= 1 or len(bounds) < 2:
        for lo, hi in bounds:
            yield generate_units(scn, scn.units[lo:hi])
        return
    import multiprocessing as mp

    global _SHARED
    ctx = mp.get_context("fork")
    with ctx.Pool(workers) as pool:
        # Route the port network once, in parallel, so forked generators share the cache.
        for paths, partners in pool.imap_unordered(_warm_routes, [(scn, i, workers) for i in range(workers)]):
            scn.routes.absorb(paths, partners)
    _SHARED = scn
    try:
        with ctx.Pool(workers) as pool:
            yield from pool.imap(_generate_bounds, bounds)
    finally:
        _SHARED = None


def _warm_routes(args):
    scn, part, parts = args
    for port in range(part, len(scn.routes), parts):
        scn.routes.partners_of(port)
    return scn.routes._paths, scn.routes._partners


def _generate_bounds(bounds: tuple[int, int]) -> Chunk:
    assert _SHARED is not None
    return generate_units(_SHARED, _SHARED.units[bounds[0] : bounds[1]])


def generate_units(scn: Scenario, units: list[Unit]) -> Chunk:
    pos_parts, stat_parts, truth_rows, benign_rows = [], [], [], []
    hours = scn.cfg.hours
    for unit in units:  # per-unit Python loop; everything per message inside is vectorised
        plans, benign, rng = build_unit(scn, unit)
        pos = [emit_positions(scn.reception, plan, hours, rng) for plan in plans]
        stat = [emit_static(scn.reception, plan, hours, rng) if not plan.ghost else _no_static() for plan in plans]
        t, b = label_unit(unit.kind, plans, pos, stat, benign)
        pos_parts += pos
        stat_parts += stat
        truth_rows += t
        benign_rows += b
    t0 = scn.cfg.start_utc
    return Chunk(_positions_table(scn, pos_parts, t0), _static_table(scn, stat_parts, t0),
                 _rows_table(truth_rows, schema.TRUTH, t0), _rows_table(benign_rows, schema.BENIGN, t0), len(units),
                 _receiver(scn, _cat(stat_parts, "station", np.int32)))


def _no_static() -> dict:
    return {"t_s": np.empty(0), "stamp_s": np.empty(0, np.int64), "mmsi": np.empty(0, np.int64), "identity": np.empty(0, np.int64),
            "draught_m": np.empty(0, np.float32), "station": np.empty(0, np.int32)}


def _ts(stamp_s: np.ndarray, t0) -> pa.Array:
    base = int(t0.timestamp()) * 1_000_000
    return pa.array(base + stamp_s.astype(np.int64) * 1_000_000, type=schema.UTC_TS)


def _receiver(scn: Scenario, station: np.ndarray) -> pa.Array:
    names = np.r_[scn.reception.station_names, np.array(["SAT"], dtype=object)]
    idx = np.where(station == -2, len(names) - 1, station).astype(np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(idx), pa.array(names, pa.string())).cast(pa.string())


def _cat(parts: list[dict], key: str, dtype=None) -> np.ndarray:
    arrs = [p[key] for p in parts if p["t_s"].size]
    if not arrs:
        return np.empty(0, dtype=dtype or np.float64)
    return np.concatenate(arrs)


def _positions_table(scn: Scenario, parts: list[dict], t0) -> pa.Table:
    nav = _cat(parts, "nav_status", np.int8)
    table = pa.table(
        {
            "mmsi": pa.array(_cat(parts, "mmsi", np.int64), pa.int64()),
            "timestamp_utc": _ts(_cat(parts, "stamp_s", np.int64), t0),
            "lat": pa.array(_cat(parts, "lat"), pa.float64()),
            "lon": pa.array(_cat(parts, "lon"), pa.float64()),
            "sog_kn": pa.array(_cat(parts, "sog_kn", np.float32), pa.float32()),
            "cog_deg": pa.array(_cat(parts, "cog_deg", np.float32), pa.float32()),
            "heading_deg": pa.array(_cat(parts, "heading_deg", np.int16), pa.int16()),
            "nav_status": pa.array(nav, pa.int8(), mask=nav < 0),
            "msg_type": pa.array(_cat(parts, "msg_type", np.int8), pa.int8()),
            "receiver": _receiver(scn, _cat(parts, "station", np.int32)),
        }
    )
    return schema.conform(table, schema.POSITIONS)


def _static_table(scn: Scenario, parts: list[dict], t0) -> pa.Table:
    parts = [p for p in parts if p["t_s"].size]
    if not parts:
        return schema.empty_table(schema.STATIC)
    from darkfleet.simulate.fleet import imo_is_valid

    imo = _cat(parts, "imo", np.int64)
    draught = _cat(parts, "draught_m", np.float32)
    table = pa.table(
        {
            "mmsi": pa.array(_cat(parts, "mmsi", np.int64), pa.int64()),
            "timestamp_utc": _ts(_cat(parts, "stamp_s", np.int64), t0),
            "imo": pa.array(imo, pa.int64(), mask=imo <= 0),
            "imo_valid": pa.array(imo_is_valid(imo), pa.bool_(), mask=imo <= 0),
            "name": pa.array(_cat(parts, "name"), pa.string()),
            "callsign": pa.array(_cat(parts, "callsign"), pa.string()),
            "ship_type": pa.array(_cat(parts, "ship_type", np.int16), pa.int16()),
            "draught_m": pa.array(draught, pa.float32(), mask=np.isnan(draught)),
            "length_m": pa.array(_cat(parts, "length_m", np.float32), pa.float32()),
            "width_m": pa.array(_cat(parts, "width_m", np.float32), pa.float32()),
            "msg_type": pa.array(_cat(parts, "msg_type", np.int8), pa.int8()),
        }
    )
    return schema.conform(table, schema.STATIC)


def _rows_table(rows: list[dict], target: pa.Schema, t0) -> pa.Table:
    if not rows:
        return schema.empty_table(target)
    cols = {}
    for field in target:
        if field.name in ("start_utc", "end_utc"):
            key = field.name.replace("_utc", "_s")
            cols[field.name] = pa.array([t0 + timedelta(seconds=r[key]) for r in rows], schema.UTC_TS)
        else:
            cols[field.name] = pa.array([r[field.name] for r in rows], field.type)
    return pa.table(cols, schema=target)
