"""Risk weights: one typed, documented section, overridable from TOML.

Every factor adds points (capped per factor); the total is capped at 100. A TOML file
overrides any weight in a ``[risk]`` table::

    [risk]
    dark_sts_points = 30
    association_share = 0.2

Unknown keys and impossible values raise :class:`~darkfleet.errors.ConfigError` naming the
key. ``docs/risk.md`` documents each default and why.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from darkfleet.config import read_toml
from darkfleet.errors import ConfigError


@dataclass(frozen=True)
class RiskConfig:
    """Points per factor (0-100 scale, additive)."""

    name = "risk"
    # sanctions (from darkfleet.screen matches)
    sanctions_hit_points: float = 70.0  # the vessel itself is listed (IMO, MMSI+name, call sign+name)
    former_identity_hit_points: float = 60.0  # an identity it carried earlier in the data is listed
    sanctions_review_points: float = 15.0  # x match score / 100: name-only or MMSI-only similarity, an analyst must look
    owner_listed_points: float = 40.0  # owner/manager is a listed party (one ownership hop)
    owner_linked_points: float = 20.0  # owner/manager is tied to a listed party (two hops)
    # behaviour (from detection events)
    dark_sts_points: float = 35.0  # per dark ship-to-ship transfer (AIS off while alongside)
    dark_sts_max_points: float = 50.0
    encounter_points: float = 4.0  # per encounter at sea (outside port)
    encounter_tanker_factor: float = 1.5  # tankers: encounters at sea are how oil changes hands
    encounter_hub_points: float = 6.0  # extra per encounter within hub_radius_m of a known STS area
    encounter_max_points: float = 20.0
    hub_radius_m: float = 60_000.0
    disabling_gap_points: float = 10.0  # per AIS gap judged likely deliberate
    disabling_gap_max_points: float = 25.0
    spoofing_points: float = 12.0  # per spoofing episode
    spoofing_max_points: float = 25.0
    identity_change_points: float = 5.0  # per name / call sign / IMO / MMSI change
    identity_change_max_points: float = 15.0
    flag_change_points: float = 8.0  # per flag change ("flag hopping")
    flag_change_max_points: float = 16.0
    flag_of_convenience_points: float = 5.0  # current flag on the ITF flags-of-convenience list
    draught_change_points: float = 8.0  # per draught change outside port (cargo moved at sea)
    draught_change_max_points: float = 16.0
    invalid_imo_points: float = 10.0  # IMO broadcast with a bad check digit
    old_vessel_age_years: float = 20.0  # shadow-fleet tankers are typically past normal trading age
    old_vessel_points: float = 5.0
    very_old_vessel_age_years: float = 25.0
    very_old_vessel_points: float = 10.0
    # network
    association_share: float = 0.25  # share of a met sanctioned vessel's own risk inherited (one hop)
    association_max_points: float = 25.0


def load_risk_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> RiskConfig:
    """Defaults, then the ``[risk]`` table of the TOML file at ``path``, then ``overrides``."""
    values: dict[str, Any] = {}
    origin = "overrides"
    if path is not None:
        path = Path(path)
        data = read_toml(path)
        section = data.get("risk", {})
        if not isinstance(section, dict):
            raise ConfigError("[risk] must be a table", key="risk", path=path)
        values.update(section)
        origin = str(path)
    values.update(overrides or {})
    return apply_risk_overrides(RiskConfig(), values, origin)


def apply_risk_overrides(config: RiskConfig, values: dict[str, Any], origin: str = "config") -> RiskConfig:
    known = {f.name for f in fields(config)}
    checked = {}
    for key, value in values.items():
        where = f"risk.{key}"
        if key not in known:
            raise ConfigError(f"unknown key {where} (known: {', '.join(sorted(known))})", key=where, path=origin)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where} must be a number, got {value!r}", key=where, path=origin)
        if value < 0:
            raise ConfigError(f"{where} cannot be negative ({value})", key=where, path=origin)
        if key == "association_share" and value > 1:
            raise ConfigError(f"{where} is a share: between 0 and 1 ({value})", key=where, path=origin)
        checked[key] = float(value)
    return replace(config, **checked)
