"""MMSI classification and flag state, vectorised over NumPy arrays.

An MMSI is nine digits (leading zeros matter, so as an integer it is < 10**9). Its
structure (ITU-R M.585) tells what transmits it and, through the three Maritime
Identification Digits (MID), which administration assigned it:

==================  ==============  =====================================
pattern             class           MID position
==================  ==============  =====================================
MIDxxxxxx (2-7..)   ship            digits 1-3
0MIDxxxxx           group           digits 2-4
00MIDxxxx           base_station    digits 3-5
111MIDxxx           sar_aircraft    digits 4-6
8MIDxxxxx           handheld        digits 2-4 (diver / handheld VHF)
98MIDxxxx           craft_associated digits 3-5 (tender of a parent ship)
99MIDxxxx           aid_to_navigation digits 3-5
970xxxxxx           sart            (no MID)
972xxxxxx           mob             (no MID)
974xxxxxx           epirb           (no MID)
anything else       invalid
==================  ==============  =====================================

A MID always starts with 2-7; a pattern whose MID does not is ``invalid``. MIDs that
the ITU has not allocated keep their class but get no flag.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import numpy as np

CLASSES = (
    "invalid", "ship", "group", "base_station", "sar_aircraft", "handheld",
    "craft_associated", "aid_to_navigation", "sart", "mob", "epirb",
)
_CODE = {name: code for code, name in enumerate(CLASSES)}


@cache
def mid_table() -> dict[int, tuple[str, str]]:
    """The ITU MID table shipped as package data: MID -> (ISO 3166 alpha-2, country name)."""
    text = resources.files("darkfleet.data").joinpath("mid.csv").read_text(encoding="utf-8")
    return {int(row["mid"]): (row["iso2"], row["country"]) for row in csv.DictReader(text.splitlines())}


def _digits(values: np.ndarray, start: int, count: int) -> np.ndarray:
    """Digits ``start``..``start+count`` (1-based, of the zero-padded nine) as an integer."""
    return (values // 10 ** (9 - start - count + 1)) % 10**count


def classify_codes(mmsi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(class code into :data:`CLASSES`, MID or 0) for every MMSI."""
    values = np.asarray(mmsi, dtype=np.int64)
    d1, d2, d3 = _digits(values, 1, 1), _digits(values, 2, 1), _digits(values, 3, 1)
    in_range = (values > 0) & (values < 10**9)
    # (condition, class, MID start digit); the first matching rule wins.
    rules = [
        ((d1 >= 2) & (d1 <= 7), "ship", 1),
        ((d1 == 0) & (d2 == 0), "base_station", 3),
        (d1 == 0, "group", 2),
        ((d1 == 1) & (d2 == 1) & (d3 == 1), "sar_aircraft", 4),
        (d1 == 8, "handheld", 2),
        ((d1 == 9) & (d2 == 8), "craft_associated", 3),
        ((d1 == 9) & (d2 == 9), "aid_to_navigation", 3),
        ((d1 == 9) & (d2 == 7) & (d3 == 0), "sart", 0),
        ((d1 == 9) & (d2 == 7) & (d3 == 2), "mob", 0),
        ((d1 == 9) & (d2 == 7) & (d3 == 4), "epirb", 0),
    ]
    code = np.zeros(values.shape, dtype=np.int8)
    mid = np.zeros(values.shape, dtype=np.int64)
    decided = ~in_range
    for condition, name, mid_start in rules:
        hit = condition & ~decided
        code[hit] = _CODE[name]
        if mid_start:
            mid[hit] = _digits(values[hit], mid_start, 3)
        decided |= hit
    # A MID must start with 2-7; otherwise the number is structurally wrong.
    has_mid_rule = (code != _CODE["invalid"]) & (code < _CODE["sart"])
    bad_mid = has_mid_rule & ((mid < 200) | (mid >= 800))
    code[bad_mid] = _CODE["invalid"]
    mid[code == _CODE["invalid"]] = 0
    return code, mid


def classify(mmsi: np.ndarray) -> np.ndarray:
    """Class name (see module docstring) for every MMSI, as a NumPy string array."""
    code, _ = classify_codes(mmsi)
    return np.asarray(CLASSES, dtype=object)[code]


def is_invalid(mmsi: np.ndarray) -> np.ndarray:
    """True where the MMSI cannot be a real identity (the ``invalid`` class)."""
    return classify_codes(mmsi)[0] == _CODE["invalid"]


def flag_state(mmsi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ISO 3166 alpha-2, country name) from each MMSI's MID; None where unknown."""
    _, mid = classify_codes(mmsi)
    table = mid_table()
    iso_lookup = np.full(1000, None, dtype=object)
    name_lookup = np.full(1000, None, dtype=object)
    for code, (iso2, country) in table.items():
        iso_lookup[code], name_lookup[code] = iso2, country
    return iso_lookup[mid], name_lookup[mid]


def describe(mmsi: int) -> dict[str, str | None]:
    """Scalar convenience: {"class", "flag", "country"} for one MMSI."""
    values = np.array([mmsi], dtype=np.int64)
    iso2, country = flag_state(values)
    return {"class": str(classify(values)[0]), "flag": iso2[0], "country": country[0]}
