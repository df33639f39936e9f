"""Named scenario sizes: the unit-test fixture, a regional week and a global day."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from darkfleet.errors import ConfigError

PLANTED_KINDS = (
    "sts_visible",
    "dark_sts",
    "dark_sts_both",
    "loitering",
    "deliberate_gap",
    "draught_change",
    "spoof_position_jump",
    "spoof_circle",
    "spoof_shared_mmsi",
    "spoof_no_fix",
    "identity_rename",
    "identity_reflag",
    "identity_imo_invalid",
    "identity_imo_borrowed",
)
# Planted after every other unit, from their own generator and on hulls appended to the registry:
# adding them changed no other vessel's random stream, so earlier truth rows stay identical.
LATE_PLANTED_KINDS = ("spoof_grid_regular", "spoof_sog_mismatch")
BENIGN_KINDS = ("moored_together", "bunkering", "tug_assist", "coverage_hole")


@dataclass(frozen=True)
class Config:
    preset: str
    seed: int = 0
    vessels: int = 60
    hours: float = 60.0
    area: tuple[float, float, float, float] | None = None  # W, S, E, N
    ports: int = 12
    planted_per_kind: int = 1
    benign_per_kind: int = 1
    downsample_s: int | None = 60
    start_utc: datetime = datetime(2026, 1, 5, tzinfo=timezone.utc)
    chunk_units: int = 400
    hubs: tuple[str, ...] = field(default_factory=tuple)


PRESETS: dict[str, Config] = {
    # Aegean + Ionian: Piraeus, Laconian Gulf and Kalamata STS areas in a few seconds.
    "tiny": Config("tiny", vessels=64, hours=60.0, area=(19.0, 34.5, 28.5, 41.0), ports=10,
                   hubs=("laconian_gulf", "kalamata")),
    "regional": Config("regional", vessels=1500, hours=168.0, area=(12.0, 30.0, 36.5, 41.5), ports=45,
                       planted_per_kind=24, benign_per_kind=24, chunk_units=100,
                       hubs=("laconian_gulf", "kalamata")),
    "global-day": Config("global-day", vessels=60_000, hours=24.0, area=None, ports=400,
                         planted_per_kind=60, benign_per_kind=60, downsample_s=30,
                         hubs=("laconian_gulf", "kalamata", "ceuta", "malaysia_eopl", "gulf_of_oman", "skagen")),
}


def planted_vessels(cfg: Config) -> int:
    """Hulls taken by planted behaviours and benign look-alikes (pairs count twice)."""
    pairs = {"sts_visible", "dark_sts", "dark_sts_both"}
    planted = sum(2 if k in pairs else 1 for k in PLANTED_KINDS) * cfg.planted_per_kind
    return planted + 2 * 3 * cfg.benign_per_kind + 2 * max(1, cfg.benign_per_kind // 4)


def resolve(preset: str, seed: int = 0, vessels: int | None = None, hours: float | None = None,
            area: tuple[float, float, float, float] | None = None, downsample_s: int | None | str = "preset") -> Config:
    """The preset's configuration with any user overrides applied and checked."""
    if preset not in PRESETS:
        raise ConfigError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}", preset=preset)
    cfg = replace(PRESETS[preset], seed=int(seed))
    if vessels is not None:
        needed = planted_vessels(cfg)
        if vessels < needed:
            raise ConfigError(f"--vessels must be at least {needed} for preset {preset} (planted behaviours)",
                              vessels=vessels)
        cfg = replace(cfg, vessels=int(vessels))
    if hours is not None:
        if not 12 <= hours <= 24 * 31:
            raise ConfigError("--hours must be between 12 and 744", hours=hours)
        cfg = replace(cfg, hours=float(hours))
    if area is not None:
        w, s, e, n = area
        if not (-180 <= w < e <= 180 and -80 <= s < n <= 80):
            raise ConfigError("--area must be W,S,E,N with W<E, S<N in degrees", area=area)
        cfg = replace(cfg, area=tuple(float(x) for x in area))
    if downsample_s != "preset":
        cfg = replace(cfg, downsample_s=downsample_s)
    return cfg
