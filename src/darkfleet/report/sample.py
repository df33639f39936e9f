"""A small, hand-planned dark-fleet scene for previews, tests and benchmarks of the report and API.

It does not replace the simulator: it exists so the views can be built and tested on their own.
The scene (Gulf of Laconia, a real STS hotspot) has a tanker that switches AIS off for 12 h,
meets a loitering partner and comes back deeper in the water (gap + dark_sts + draught change),
a visible encounter between two other tankers, and background traffic. Events and risk are
written to agree with the tracks, so a viewer showing them shows something coherent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pyarrow as pa

from darkfleet import schema

T0_UTC = datetime(2024, 3, 1, tzinfo=timezone.utc)
STEP_S = 120
KN_PER_DEG_H = 60.0  # one degree of latitude per hour is 60 kn


@dataclass(frozen=True)
class SampleData:
    positions: pa.Table
    static: pa.Table
    events: pa.Table
    vessels: pa.Table


# waypoints: (hour, lat, lon); silent: (from_h, to_h) with AIS off
_PLAN = {
    636012345: dict(
        name="OCEAN VOYAGER", imo=9187629, callsign="D5AB1", ship_type=80,
        waypoints=[(0, 36.00, 23.75), (8, 36.25, 23.25), (10, 36.30, 23.15), (13, 36.41, 22.96),
                   (19, 36.41, 22.96), (22, 36.36, 23.04), (26, 36.22, 23.35), (48, 36.05, 25.20)],
        silent=[(10.0, 22.0)], draught=[(0, 11.5), (22, 14.7)],
    ),
    273456789: dict(
        name="SEA PEARL", imo=9321172, callsign="UBCD7", ship_type=80,
        waypoints=[(0, 35.70, 22.40), (14, 36.40, 22.95), (30, 36.41, 22.96), (48, 35.60, 21.50)],
        silent=[], draught=[(0, 16.0), (30, 12.8)],
    ),
    538001234: dict(
        name="NORDIC STAR", imo=9402419, callsign="V7XY9", ship_type=84,
        waypoints=[(0, 35.95, 25.00), (10, 36.22, 23.40), (19, 36.404, 22.952), (25, 36.404, 22.953),
                   (48, 36.00, 21.20)],
        silent=[], draught=[(0, 9.8)],
    ),
    247123400: dict(
        name="LIGURIA EXPRESS", imo=9500111, callsign="IBXQ", ship_type=70,
        waypoints=[(0, 35.90, 21.00), (20, 36.12, 23.30), (48, 35.85, 26.00)], silent=[], draught=[(0, 8.1)],
    ),
    215999000: dict(
        name="AEGEAN TRADER", imo=9611222, callsign="9HAB4", ship_type=70,
        waypoints=[(0, 36.00, 25.80), (22, 36.15, 23.35), (48, 35.80, 21.60)], silent=[(30.0, 37.0)],
        draught=[(0, 7.4)],
    ),
}


def _ts(hours: np.ndarray) -> pa.Array:
    us = (np.asarray(hours) * 3_600_000_000).astype(np.int64) + int(T0_UTC.timestamp() * 1_000_000)
    return pa.array(us, type=pa.int64()).cast(schema.UTC_TS)


def _track(plan: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    hours = np.arange(0, 48 * 3600, STEP_S) / 3600.0
    for start_h, end_h in plan["silent"]:
        hours = hours[(hours <= start_h) | (hours >= end_h)]
    wp = np.array(plan["waypoints"], dtype=float)
    lat = np.interp(hours, wp[:, 0], wp[:, 1])
    lon = np.interp(hours, wp[:, 0], wp[:, 2])
    dlat = np.gradient(lat, hours)
    dlon = np.gradient(lon, hours) * np.cos(np.radians(lat))
    sog_kn = np.hypot(dlat, dlon) * KN_PER_DEG_H + rng.normal(0, 0.15, hours.size)
    # GPS scatter of a few metres, added after speed so the speed plot stays readable
    lat = lat + rng.normal(0, 0.00003, hours.size)
    lon = lon + rng.normal(0, 0.00003, hours.size)
    cog_deg = (np.degrees(np.arctan2(dlon, dlat)) + 360.0) % 360.0
    return dict(hours=hours, lat=lat, lon=lon, sog_kn=np.clip(sog_kn, 0, 25), cog_deg=cog_deg)


def _positions(rng: np.random.Generator) -> pa.Table:
    parts = []
    for mmsi, plan in _PLAN.items():
        tr = _track(plan, rng)
        n = tr["hours"].size
        parts.append(pa.table({
            "mmsi": pa.array(np.full(n, mmsi), pa.int64()),
            "timestamp_utc": _ts(tr["hours"]),
            "lat": tr["lat"], "lon": tr["lon"],
            "sog_kn": tr["sog_kn"].astype(np.float32), "cog_deg": tr["cog_deg"].astype(np.float32),
            "nav_status": pa.array(np.zeros(n, np.int8)), "msg_type": pa.array(np.ones(n, np.int8)),
        }))
    return schema.conform(pa.concat_tables(parts), schema.POSITIONS)


def _static() -> pa.Table:
    rows = []
    for mmsi, plan in _PLAN.items():
        for hour, draught_m in plan["draught"]:
            rows.append(dict(mmsi=mmsi, hour=hour, imo=plan["imo"], imo_valid=True, name=plan["name"],
                             callsign=plan["callsign"], ship_type=plan["ship_type"], draught_m=draught_m))
    # NORDIC STAR renames itself after the encounter: an identity change the API history must show
    rows.append(dict(_plan_row(538001234), hour=30, name="NORD STAR", draught_m=9.8))
    cols = {k: [r[k] for r in rows] for k in rows[0] if k != "hour"}
    table = pa.table(cols).append_column("timestamp_utc", _ts(np.array([r["hour"] for r in rows])))
    return schema.conform(table.append_column("msg_type", pa.array([5] * len(rows), pa.int8())), schema.STATIC)


def _plan_row(mmsi: int) -> dict:
    plan = _PLAN[mmsi]
    return dict(mmsi=mmsi, imo=plan["imo"], imo_valid=True, name=plan["name"], callsign=plan["callsign"],
                ship_type=plan["ship_type"])


def _event(event_id, event_type, mmsi, other, start_h, end_h, lat, lon, confidence, details) -> dict:
    return dict(event_id=event_id, event_type=str(event_type), mmsi=mmsi, other_mmsi=other,
                start_h=start_h, end_h=end_h, lat=lat, lon=lon, confidence=confidence, in_port=False,
                details=json.dumps(details))


def _events() -> pa.Table:
    et = schema.EventType
    rows = [
        _event("gap-0001", et.GAP, 636012345, None, 10.0, 22.0, 36.30, 23.15, 0.9,
               {"duration_h": 12.0, "distance_km": 12.2, "implied_speed_kn": 0.55, "likely_disabling": True,
                "cause": "deliberate", "reception_ok": True}),
        _event("dark-0001", et.DARK_STS, 636012345, 273456789, 10.0, 22.0, 36.41, 22.96, 0.95,
               {"partner_name": "SEA PEARL", "draught_change_m": 3.2, "partner_draught_change_m": -3.2,
                "partner_slow_h": 16.0, "both_dark": False}),
        _event("draught-0001", et.DRAUGHT_CHANGE, 636012345, None, 0.0, 22.0, 36.36, 23.04, 0.8,
               {"old_m": 11.5, "new_m": 14.7, "change_m": 3.2, "across_gap": True}),
        _event("loiter-0001", et.LOITERING, 273456789, None, 14.0, 30.0, 36.41, 22.955, 0.9,
               {"duration_h": 16.0, "median_sog_kn": 0.2, "nearest_port_km": 41.0}),
        _event("enc-0001", et.ENCOUNTER, 273456789, 538001234, 19.0, 25.0, 36.405, 22.953, 0.85,
               {"duration_h": 6.0, "min_distance_m": 160.0, "median_sog_kn": [0.2, 0.3], "nearest_port_km": 41.0}),
        _event("id-0001", et.IDENTITY_CHANGE, 538001234, None, 30.0, 30.0, 36.32, 22.57, 0.7,
               {"field": "name", "old": "NORDIC STAR", "new": "NORD STAR"}),
        _event("gap-0002", et.GAP, 215999000, None, 30.0, 37.0, 36.04, 22.81, 0.2,
               {"duration_h": 7.0, "likely_disabling": False, "cause": "coverage"}),
    ]
    cols = {k: [r[k] for r in rows] for k in rows[0] if k not in ("start_h", "end_h")}
    table = pa.table(cols)
    table = table.append_column("start_utc", _ts(np.array([r["start_h"] for r in rows])))
    table = table.append_column("end_utc", _ts(np.array([r["end_h"] for r in rows])))
    return schema.conform(table, schema.EVENTS)


def _vessels() -> pa.Table:
    factors = {
        636012345: [
            {"factor": "sanctioned", "points": 40, "evidence": "IMO 9187629 on OFAC SDN"},
            {"factor": "dark_sts", "points": 30, "evidence": "dark-0001 with SEA PEARL"},
            {"factor": "ais_gap", "points": 15, "evidence": "gap-0001: 12.0 h"},
        ],
        273456789: [
            {"factor": "encounter", "points": 20, "evidence": "enc-0001 with NORDIC STAR"},
            {"factor": "sts_partner", "points": 25, "evidence": "partner of dark-0001"},
            {"factor": "flag_risk", "points": 10, "evidence": "flag RU"},
        ],
        538001234: [
            {"factor": "encounter", "points": 20, "evidence": "enc-0001 with SEA PEARL"},
            {"factor": "identity_change", "points": 10, "evidence": "renamed NORDIC STAR -> NORD STAR"},
        ],
        247123400: [],
        215999000: [{"factor": "ais_gap", "points": 2, "evidence": "gap-0002: 7.0 h, coverage"}],
    }
    sanctions = {636012345: [{"list": "OFAC SDN", "entry": "OCEAN VOYAGER", "imo": 9187629, "match": "imo",
                              "score": 1.0, "program": "IRAN"}]}
    flags = {636012345: "LR", 273456789: "RU", 538001234: "MH", 247123400: "IT", 215999000: "MT"}
    mmsis = list(_PLAN)
    return schema.conform(pa.table({
        "mmsi": pa.array(mmsis, pa.int64()),
        "imo": pa.array([_PLAN[m]["imo"] for m in mmsis], pa.int64()),
        "name": [_PLAN[m]["name"] for m in mmsis],
        "callsign": [_PLAN[m]["callsign"] for m in mmsis],
        "flag": [flags[m] for m in mmsis],
        "ship_type": pa.array([_PLAN[m]["ship_type"] for m in mmsis], pa.int16()),
        "risk_score": [float(min(100, sum(f["points"] for f in factors[m]))) for m in mmsis],
        "risk_factors": [json.dumps(factors[m]) for m in mmsis],
        "sanctions": [json.dumps(sanctions.get(m, [])) for m in mmsis],
    }), schema.VESSELS)


def sample_data(seed: int = 0) -> SampleData:
    """The planned scene as Arrow tables in the canonical schemas."""
    rng = np.random.default_rng(seed)
    return SampleData(positions=_positions(rng), static=_static(), events=_events(), vessels=_vessels())


def write_sample_db(path, seed: int = 0) -> SampleData:
    """Write the scene into a new store at ``path`` (tables positions, static, events, vessels)."""
    from darkfleet.store import Store

    data = sample_data(seed)
    with Store(path) as store, store.transaction():
        for name, table, sch in (("positions", data.positions, schema.POSITIONS), ("static", data.static, schema.STATIC),
                                 ("events", data.events, schema.EVENTS), ("vessels", data.vessels, schema.VESSELS)):
            store.replace(name, sch, table)
    return data


__all__ = ["SampleData", "sample_data", "write_sample_db", "T0_UTC"]
