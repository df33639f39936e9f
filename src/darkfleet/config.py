"""Typed detection settings: one frozen dataclass per stage, each default documented with its source.

A TOML file overrides any of them, one table per stage::

    [encounter]
    max_distance_m = 200
    [loitering]
    min_duration_h = 6

Unknown tables or keys and impossible values (negative distances, zero durations) raise
:class:`~darkfleet.errors.ConfigError` naming the offending key. ``docs/detection.md`` is
generated from these docstrings and field comments (:func:`describe`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from darkfleet.errors import ConfigError


@dataclass(frozen=True)
class SegmentConfig:
    """Segmentation: split each MMSI's reports into physically possible tracks (GFW segmenter)."""

    name = "segment"
    max_speed_kn: float = 30.0  # implied speed that opens a new segment (GFW gpsdio-segment)
    max_open_segments: int = 4  # parallel tracks kept per MMSI (shared MMSIs)
    min_dt_s: float = 60.0  # implied speeds use at least this time step, so GPS jitter is not speed
    fast_craft_max_speed_kn: float = 60.0  # faster hops continue a segment if reported SOG agrees (HSC ferries ~35-58 kn)
    sog_agreement_kn: float = 5.0  # ... within this margin of the larger SOG at the hop's two ends
    hsc_max_speed_kn: float = 60.0  # limit of AIS types 40-49 (HSC) and 20-29 (WIG), SOG or not (HSC Code fast ferries 35-45 kn, fastest ~58 kn)


@dataclass(frozen=True)
class ResampleConfig:
    """Resampling of each segment to a regular time grid for the spatial stages."""

    name = "resample"
    step_min: int = 10  # grid step (GFW encounters use 10 minutes)
    max_interp_gap_h: float = 1.0  # interpolate only across silences shorter than this
    max_stationary_gap_h: float = 6.0  # ... or, for a vessel that did not move, shorter than the gap threshold
    stationary_max_speed_kn: float = 2.0  # "did not move": implied speed across the silence below this


@dataclass(frozen=True)
class PortConfig:
    """Port and anchorage reference used for in-port flags (darkfleet.ports.load_ports)."""

    name = "ports"
    in_port_radius_m: float = 10_000.0  # GFW: events within 10 km of an anchorage are in port
    extra_files: tuple[str, ...] = ()  # extra WPI / GFW anchorage files to load


@dataclass(frozen=True)
class EncounterConfig:
    """Encounter: two vessels close and slow together (Miller et al. 2018, Front. Mar. Sci.)."""

    name = "encounter"
    max_distance_m: float = 500.0  # GFW encounters: within 500 m
    min_duration_h: float = 2.0  # GFW encounters: for at least 2 h
    max_median_speed_kn: float = 2.0  # GFW encounters: both median speeds below 2 kn
    merge_gap_h: float = 4.0  # GFW: runs of the same pair less than 4 h apart are one encounter
    max_heading_diff_deg: float | None = None  # tanker_sts: headings parallel/opposite within this
    in_port_step_min: int = 60  # in-port pairs (moored side by side) are sampled hourly to bound the cost


@dataclass(frozen=True)
class LoiteringConfig:
    """Loitering: a vessel slow for hours away from ports (GFW loitering events)."""

    name = "loitering"
    max_speed_kn: float = 2.0  # GFW loitering: average speed below 2 kn
    min_duration_h: float = 4.0  # GFW carrier loitering: at least 4 h
    max_silence_h: float = 6.0  # a silence this long (a gap) ends the run


@dataclass(frozen=True)
class GapConfig:
    """AIS gaps and likely disabling (Welch et al. 2022, Science Advances)."""

    name = "gap"
    min_gap_h: float = 6.0  # every silence of at least 6 h is reported
    disabling_min_h: float = 12.0  # Welch et al. 2022: disabling candidates are >= 12 h
    reception_cell_deg: float = 0.25  # cell in which other vessels' reports prove reception
    min_reception_fraction: float = 0.5  # share of gap hours with others heard along the path


@dataclass(frozen=True)
class DarkStsConfig:
    """Dark ship-to-ship transfer: a gap that hides a meeting with a slow or dark partner."""

    name = "dark_sts"
    min_alongside_h: float = 2.0  # same 2 h as visible encounters
    tanker_max_speed_kn: float = 16.0  # tankers (AIS type 80-89): VLCC-MR service speeds reach ~15 kn
    max_speed_kn: float = 22.0  # other classes: fast container and passenger ships
    hsc_max_speed_kn: float = 40.0  # high-speed and WIG craft (AIS 40-49, 20-29): fast-ferry service speeds 35-40 kn
    min_gap_h: float = 6.0  # only gaps at least this long can hide a transfer
    require_cargo_evidence: bool = True  # a draught change of A across its gap must show that cargo moved
    berth_radius_m: float = 3_000.0  # A back within this of a port (port-visit entry radius): the berth may explain the new draught
    partner_slow_kn: float = 2.0  # B slow before and after its own silence, no faster across it (loitering speed): one slow period
    co_silence_h: float = 0.5  # two vessels falling silent this close in time ...
    co_silence_m: float = 5_000.0  # ... and place were silenced by one reception outage: not a both-dark meeting
    min_coincidence: float = 0.4  # intersection over union of when A could be alongside and when B was there


@dataclass(frozen=True)
class SpoofingConfig:
    """Position spoofing and manipulation."""

    name = "spoofing"
    max_jump_points: int = 3  # a segment with this few reports beside a bigger one is a position jump
    max_jump_h: float = 1.0  # ... and so is one lasting at most this long
    min_shared_points: int = 10  # two parallel segments this long mean a shared MMSI
    min_shared_overlap_h: float = 1.0  # ... overlapping in time at least this long
    min_shared_separation_m: float = 1_000.0  # ... on paths this far apart (not a late receiver's echo)
    circle_window_h: float = 2.0  # window in which a full turn is looked for
    circle_min_turn_deg: float = 330.0  # net turning within the window that makes a circle
    circle_min_speed_kn: float = 3.0  # slower vessels swing at anchor; not a circle
    circle_max_step_turn_deg: float = 120.0  # a U-turn within one grid step is manoeuvring, not a circle
    no_fix_merge_h: float = 1.0  # no-fix reports closer than this form one episode
    sog_thin_min: int = 5  # SOG check: first report per 5 min (GPS jitter over seconds is not speed)
    sog_max_hop_min: float = 20.0  # ... hops across longer silences are not measured (no interpolation)
    sog_window_min: int = 30  # ... reported and implied speeds compared per window
    sog_min_coverage_fraction: float = 0.5  # ... a window counts when measured hops cover this share of it
    sog_mismatch_min_kn: float = 5.0  # ... disagreement beyond log-vs-GPS speed and tidal current (3-4 kn)
    sog_mismatch_fraction: float = 0.5  # ... and beyond this share of the larger speed (turns, accelerations)
    sog_min_duration_h: float = 1.0  # ... sustained this long (consecutive windows)
    grid_quantum_deg: float = 0.001  # lattice far coarser than AIS's 1/10000 min (1.7e-6 deg) resolution
    grid_step_tol_deg: float = 1e-6  # steps repeating the previous one within this are a constant-step pattern
    grid_min_step_m: float = 30.0  # only moving reports count (a moored vessel repeats the zero step)
    grid_min_reports: int = 12  # run that fires: 2-4 h of satellite-only reception; chance ~(1/600)^24 for real fixes
    grid_min_dt_spread: float = 1.25  # ... while the longest report interval is this x the shortest (stamp jitter ~1.07x)


@dataclass(frozen=True)
class IdentityConfig:
    """Identity changes in static reports (name, call sign, IMO, type, MMSI, flag)."""

    name = "identity_change"
    fields: tuple[str, ...] = ("name", "callsign", "imo", "ship_type")  # static fields whose change between reports is an event
    check_imo: bool = True  # flag IMOs with an invalid check digit


@dataclass(frozen=True)
class DraughtConfig:
    """Draught changes outside port (cargo loaded or discharged at sea)."""

    name = "draught_change"
    min_change_m: float = 1.0  # smallest change that counts
    vlcc_min_change_m: float = 3.0  # VLCCs report coarse draughts: larger change required
    vlcc_min_length_m: float = 300.0  # VLCC length (~330 m)
    across_gap_h: float = 6.0  # a change spanning a silence this long is flagged across_gap
    carried_static_lag_h: float = 6.0  # static copied onto position rows by an export (MarineCadastre CSV) may show a new draught this late


@dataclass(frozen=True)
class PortVisitConfig:
    """Port visits with hysteresis (GFW port visits: enter 3 km, leave 4 km)."""

    name = "port_visit"
    entry_radius_m: float = 3_000.0  # GFW port visits: a visit starts within 3 km of a port or anchorage point
    exit_radius_m: float = 4_000.0  # GFW port visits: ... and ends beyond 4 km (hysteresis)
    stop_max_speed_kn: float = 0.5  # GFW port stop: a call includes a report below 0.5 kn
    max_silence_h: float = 6.0  # a gap ends the visit (unknown whether the vessel stayed)


@dataclass(frozen=True)
class DetectConfig:
    """All stages' settings."""

    segment: SegmentConfig = field(default_factory=SegmentConfig)
    resample: ResampleConfig = field(default_factory=ResampleConfig)
    ports: PortConfig = field(default_factory=PortConfig)
    encounter: EncounterConfig = field(default_factory=EncounterConfig)
    loitering: LoiteringConfig = field(default_factory=LoiteringConfig)
    gap: GapConfig = field(default_factory=GapConfig)
    dark_sts: DarkStsConfig = field(default_factory=DarkStsConfig)
    spoofing: SpoofingConfig = field(default_factory=SpoofingConfig)
    identity_change: IdentityConfig = field(default_factory=IdentityConfig)
    draught_change: DraughtConfig = field(default_factory=DraughtConfig)
    port_visit: PortVisitConfig = field(default_factory=PortVisitConfig)

    def digest(self) -> str:
        """Short hash of every setting: part of each event id, so ids change with the config."""
        text = json.dumps(dataclasses.asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "default": {},
    # Stricter tanker ship-to-ship transfer: alongside (<= 200 m), nearly stopped, hulls parallel.
    "tanker_sts": {"encounter": {"max_distance_m": 200.0, "max_median_speed_kn": 1.0, "max_heading_diff_deg": 30.0}},
}

_NON_NEGATIVE_SUFFIXES = ("_m", "_kn", "_h", "_deg", "_s", "_min", "_points", "_reports", "_segments", "_fraction")
# zero is impossible too: durations, radii, cell sizes and speed limits (stages divide by them)
_ZERO_MEANS_OFF = ("merge_gap_h", "carried_static_lag_h")  # durations where 0 turns a behaviour off
_POSITIVE_SUFFIXES = ("_h", "_min", "_radius_m", "_cell_deg", "_quantum_deg", "max_speed_kn")
_SHARE_SUFFIXES = ("_fraction", "_coincidence")  # shares and intersections over union: 0-1


def _check(section: str, key: str, value: Any, expected: Any, origin: str | None = None) -> Any:
    where = f"{section}.{key}"

    def refuse(message: str) -> ConfigError:
        return ConfigError(f"{where} {message}", key=where, path=origin)

    if isinstance(expected, tuple):
        if not isinstance(value, (list, tuple)):
            raise refuse("must be a list")
        # a list with a fixed vocabulary (its default) accepts only those values
        unknown = [v for v in value if expected and v not in expected]
        if unknown:
            raise refuse(f"has unknown values {unknown} (known: {', '.join(expected)})")
        return tuple(value)
    if isinstance(expected, bool):
        if not isinstance(value, bool):
            raise refuse("must be true or false")
        return value
    if value is None and expected is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise refuse(f"must be a number, got {value!r}")
    if key.endswith(_NON_NEGATIVE_SUFFIXES) and value < 0:
        raise refuse(f"cannot be negative ({value})")
    if key.endswith(_POSITIVE_SUFFIXES) and value == 0 and not key.endswith(_ZERO_MEANS_OFF):
        raise refuse("must be positive")
    if key.endswith("_diff_deg") and value > 180:
        raise refuse(f"is an angle between two headings: at most 180 ({value})")
    if key.endswith(_SHARE_SUFFIXES) and not 0 <= value <= 1:
        raise refuse(f"must be between 0 and 1 ({value})")
    if key.endswith("_spread") and value < 1:
        raise refuse(f"is a ratio of the longest to the shortest interval: at least 1 ({value})")
    return int(value) if isinstance(expected, int) and not isinstance(expected, bool) else float(value)


def apply_overrides(config: DetectConfig, overrides: dict[str, Any], origin: str = "config") -> DetectConfig:
    """A copy of ``config`` with ``{section: {key: value}}`` applied, validated."""
    sections = {f.name: getattr(config, f.name) for f in fields(config)}
    updated = {}
    for section, values in overrides.items():
        if section not in sections:
            raise ConfigError(f"unknown section [{section}] (known: {', '.join(sections)})", key=section, path=origin)
        if not isinstance(values, dict):
            raise ConfigError(f"[{section}] must be a table", key=section, path=origin)
        current = sections[section]
        known = {f.name: getattr(current, f.name) for f in fields(current)}
        changes = {}
        for key, value in values.items():
            if key not in known:
                raise ConfigError(
                    f"unknown key {section}.{key} (known: {', '.join(known)})", key=f"{section}.{key}", path=origin
                )
            default = getattr(type(current)(), key)
            changes[key] = _check(section, key, value, default if default is not None else 0.0, origin)
        updated[section] = replace(current, **changes)
    result = replace(config, **updated)
    _check_consistency(result)
    return result


def _check_consistency(config: DetectConfig) -> None:
    if config.port_visit.exit_radius_m < config.port_visit.entry_radius_m:
        raise ConfigError("port_visit.exit_radius_m must be >= entry_radius_m", key="port_visit.exit_radius_m")
    if config.segment.max_open_segments < 1:
        raise ConfigError("segment.max_open_segments must be at least 1", key="segment.max_open_segments")


def load_config(path: str | Path | None = None, preset: str = "default") -> DetectConfig:
    """Defaults, then the named preset, then the TOML file at ``path`` (if any)."""
    if preset not in PRESETS:
        raise ConfigError(f"unknown preset {preset!r} (known: {', '.join(PRESETS)})", key="preset")
    config = apply_overrides(DetectConfig(), PRESETS[preset], origin=f"preset {preset}")
    if path is None:
        return config
    return apply_overrides(config, read_toml(path), origin=str(path))


def read_toml(path: str | Path) -> dict[str, Any]:
    """A TOML file as a dict; a missing or malformed file is a :class:`ConfigError` naming it."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("config file not found", path=path) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=path) from exc


def describe() -> list[dict[str, Any]]:
    """Every stage with its docstring and settings (name, default): the source of docs/detection.md."""
    out = []
    for section in fields(DetectConfig):
        cls = section.default_factory  # type: ignore[misc]
        instance = cls()
        out.append(
            {
                "section": section.name,
                "doc": (cls.__doc__ or "").strip(),
                "settings": [{"key": f.name, "default": getattr(instance, f.name)} for f in fields(instance)],
            }
        )
    return out


def _field_comments(cls: type) -> dict[str, str]:
    """The trailing ``# comment`` of each field in a config class's source: its documentation."""
    import inspect
    import re

    comments = {}
    for line in inspect.getsource(cls).splitlines():
        match = re.match(r"\s+(\w+): [^=]+=.*?#\s*(.+)$", line)
        if match:
            comments[match.group(1)] = match.group(2).strip()
    return comments


def settings_markdown() -> str:
    """The settings reference of ``docs/detection.md``: every stage, key, default and source."""
    lines = []
    for section in describe():
        cls = type(getattr(DetectConfig(), section["section"]))
        comments = _field_comments(cls)
        lines += [f"### `[{section['section']}]`", "", section["doc"], "", "| key | default | meaning / source |", "|---|---|---|"]
        for item in section["settings"]:
            lines.append(f"| `{item['key']}` | `{item['default']!r}` | {comments.get(item['key'], '')} |")
        lines.append("")
    return "\n".join(lines)
