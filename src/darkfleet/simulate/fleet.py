"""The vessel registry: classes, identities (MMSI with the flag's MID, IMO with check digit), owners.

Every number here is documented with its source in ``docs/simulator.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa


@dataclass(frozen=True)
class VesselClass:
    name: str
    ship_type: int  # AIS ship-and-cargo type (ITU-R M.1371 table 53)
    length_m: tuple[float, float]
    width_m: tuple[float, float]
    speed_kn: tuple[float, float]  # service speed range
    draught_laden_m: float
    draught_ballast_m: float
    ais_class: str  # "A" or "B"
    tanker: bool = False


CLASSES: dict[str, VesselClass] = {
    c.name: c
    for c in [
        VesselClass("vlcc", 80, (320, 333), (58, 60), (12.5, 15.0), 20.5, 9.5, "A", True),
        VesselClass("suezmax", 80, (264, 275), (48, 50), (13.0, 15.0), 16.5, 8.0, "A", True),
        VesselClass("aframax", 80, (228, 250), (42, 44), (13.0, 15.0), 14.5, 7.0, "A", True),
        VesselClass("panamax_tanker", 80, (220, 228), (32, 32.3), (13.0, 14.5), 12.5, 6.5, "A", True),
        VesselClass("mr_tanker", 80, (175, 185), (31, 32.3), (12.5, 14.5), 11.5, 6.0, "A", True),
        VesselClass("bunker_tanker", 80, (70, 100), (12, 16), (9.0, 11.0), 5.5, 3.0, "A", True),
        VesselClass("container", 71, (200, 400), (30, 59), (16.0, 21.0), 14.0, 9.0, "A"),
        VesselClass("bulk", 70, (180, 292), (30, 45), (12.0, 14.5), 13.0, 6.5, "A"),
        VesselClass("general_cargo", 70, (90, 150), (14, 23), (11.0, 13.5), 7.5, 4.0, "A"),
        VesselClass("passenger", 60, (120, 220), (20, 32), (17.0, 22.0), 6.5, 6.5, "A"),
        VesselClass("fishing", 30, (20, 60), (6, 12), (8.0, 11.0), 4.5, 4.5, "A"),
        VesselClass("tug", 52, (25, 35), (9, 13), (10.0, 12.0), 5.0, 5.0, "A"),
        VesselClass("pleasure", 37, (8, 25), (3, 6), (6.0, 20.0), 2.0, 2.0, "B"),
    ]
}

# Maritime Identification Digits (ITU MARS) for the flags the simulator uses.
MIDS: dict[str, tuple[int, ...]] = {
    "PA": (351, 352, 353, 354, 355, 356, 357, 370, 371, 372, 373),
    "LR": (636,),
    "MH": (538,),
    "MT": (215, 229, 248, 249, 256),
    "GR": (237, 239, 240, 241),
    "CY": (209, 210, 212),
    "SG": (563, 564, 565, 566),
    "HK": (477,),
    "BS": (308, 309, 311),
    "CN": (412, 413, 414),
    "NO": (257, 258, 259),
    "GB": (232, 233, 234, 235),
    "US": (366, 367, 368, 369),
    "TR": (271,),
    "IT": (247,),
    "RU": (273,),
    "IR": (422,),
    "KM": (616,),
    "CM": (613,),
    "GA": (626,),
    "CK": (518,),
    "PW": (511,),
    "SL": (667,),
    "TG": (671,),
}
MAINSTREAM_FLAGS = ["PA", "LR", "MH", "MT", "GR", "CY", "SG", "HK", "BS", "CN", "NO", "GB", "US", "TR", "IT"]
SHADOW_FLAGS = ["PA", "LR", "KM", "CM", "GA", "CK", "PW", "SL", "TG", "RU", "IR"]

_NAME_A = np.array(
    "OCEAN SEA STAR NORDIC AEGEAN PACIFIC ATLANTIC GOLDEN SILVER BLUE GREAT ROYAL EASTERN WESTERN "
    "NORTHERN SOUTHERN CAPE MARE AURORA PRIDE SPIRIT LADY KING QUEEN DELTA ALPHA ORIENT CORAL".split()
)
_NAME_B = np.array(
    "GLORY WAVE HARMONY TRADER VOYAGER PIONEER FORTUNE HORIZON LEGEND DREAM GRACE HOPE EXPRESS "
    "VENTURE BREEZE PEARL FALCON EAGLE DOLPHIN LION TIGER PHOENIX SPIRIT CROWN JEWEL ARROW".split()
)
_COMPANY_A = np.array("Poseidon Meridian Trident Halcyon Argo Nereus Atlas Boreal Zephyr Sirius Vega Orion".split())
_COMPANY_B = np.array("Shipping Maritime Tankers Navigation Marine Carriers Ocean Lines".split())
_COMPANY_C = np.array(["Ltd", "Inc", "SA", "LLC", "Corp", "Limited"])
_LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def imo_check_digit(first_six: np.ndarray) -> np.ndarray:
    """IMO check digit: sum of the six digits weighted 7..2, modulo 10."""
    digits = (np.asarray(first_six)[:, None] // 10 ** np.arange(5, -1, -1)) % 10
    return (digits * np.arange(7, 1, -1)).sum(axis=1) % 10


def imo_is_valid(imo: np.ndarray) -> np.ndarray:
    imo = np.asarray(imo, dtype=np.int64)
    return (imo >= 1_000_000) & (imo <= 9_999_999) & (imo_check_digit(imo // 10) == imo % 10)


def make_imos(rng: np.random.Generator, n: int, taken: np.ndarray | None = None) -> np.ndarray:
    """``n`` distinct valid IMO numbers (9xxxxxx like hulls built since the 1990s), none in ``taken``."""
    pool = np.arange(900_000, 1_000_000)
    if taken is not None:
        pool = np.setdiff1d(pool, np.asarray(taken) // 10)
    six = rng.choice(pool, size=n, replace=False)
    return six * 10 + imo_check_digit(six)


def make_mmsis(rng: np.random.Generator, flags: np.ndarray, taken: set[int] | None = None) -> np.ndarray:
    """One distinct MMSI per flag, MID first (ITU-R M.585)."""
    taken = set() if taken is None else taken
    out = np.empty(len(flags), dtype=np.int64)
    mids = np.array([MIDS[f][rng.integers(len(MIDS[f]))] for f in flags], dtype=np.int64)
    for attempt in range(20):
        todo = np.flatnonzero(out == 0) if attempt else np.arange(len(flags))
        if todo.size == 0:
            break
        cand = mids[todo] * 1_000_000 + rng.integers(100_000, 1_000_000, size=todo.size)
        out[todo] = 0
        for i, m in zip(todo, cand.tolist()):  # per-vessel registry build, not a hot path
            if m not in taken:
                taken.add(m)
                out[i] = m
    return out


def make_names(rng: np.random.Generator, n: int) -> np.ndarray:
    a = rng.choice(_NAME_A, n)
    b = rng.choice(_NAME_B, n)
    suffix = rng.integers(0, 10, n)
    return np.char.add(np.char.add(a, " "), np.where(suffix < 7, b, np.char.add(np.char.add(b, " "), suffix.astype(str))))


def make_callsigns(rng: np.random.Generator, n: int) -> np.ndarray:
    letters = rng.choice(_LETTERS, (n, 3))
    digits = rng.integers(1000, 9999, n).astype(str)
    return np.char.add(np.char.add(np.char.add(letters[:, 0], letters[:, 1]), letters[:, 2]), digits)


def make_companies(rng: np.random.Generator, n: int) -> np.ndarray:
    a, b, c = rng.choice(_COMPANY_A, n), rng.choice(_COMPANY_B, n), rng.choice(_COMPANY_C, n)
    return np.char.add(np.char.add(np.char.add(np.char.add(a, " "), b), " "), c)


def registry_table(rows: dict[str, np.ndarray]) -> pa.Table:
    """vessels.parquet: one row per broadcast MMSI (a reflagged hull has two rows, same IMO)."""
    return pa.table(
        {
            "mmsi": pa.array(rows["mmsi"], pa.int64()),
            "imo": pa.array(rows["imo"], pa.int64()),
            "name": pa.array(rows["name"], pa.string()),
            "callsign": pa.array(rows["callsign"], pa.string()),
            "flag": pa.array(rows["flag"], pa.string()),
            "owner": pa.array(rows["owner"], pa.string()),
            "manager": pa.array(rows["manager"], pa.string()),
            "ship_type": pa.array(rows["ship_type"], pa.int16()),
            "vessel_class": pa.array(rows["vessel_class"], pa.string()),
            "length_m": pa.array(rows["length_m"], pa.float32()),
            "width_m": pa.array(rows["width_m"], pa.float32()),
            "sanctioned": pa.array(rows["sanctioned"], pa.bool_()),
            "hull_id": pa.array(rows["hull_id"], pa.int32()),
        }
    )
