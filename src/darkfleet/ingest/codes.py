"""Word-to-code tables for CSV exports that write AIS codes as text (DMA aisdk, NOAA class).

ITU-R M.1371 navigational status and ship type codes; DMA writes the words, NOAA writes
the transceiver class letter. Unmapped words become null (and are documented), never
guessed.
"""

from __future__ import annotations

NAV_STATUS = {  # in DMA's casing; lower/upper/capitalised variants are added on lookup
    "Under way using engine": 0, "At anchor": 1, "Not under command": 2,
    "Restricted maneuverability": 3, "Restricted manoeuvrability": 3, "Constrained by her draught": 4,
    "Moored": 5, "Aground": 6, "Engaged in fishing": 7, "Under way sailing": 8,
    "Reserved for future amendment [HSC]": 9, "Reserved for future amendment [WIG]": 10,
    "Power-driven vessel towing astern": 11, "Power-driven vessel pushing ahead or towing alongside": 12,
    "Reserved for future use": 13, "AIS-SART is active": 14, "Unknown value": 15, "Not defined": 15,
}

# DMA's ship type words -> the first ITU ship type code of that category.
SHIP_TYPE = {
    "wig": 20, "fishing": 30, "towing": 31, "towing long/wide": 32, "dredging": 33, "diving": 34,
    "military": 35, "sailing": 36, "pleasure": 37, "hsc": 40, "pilot": 50, "sar": 51, "tug": 52,
    "port tender": 53, "anti-pollution": 54, "law enforcement": 55, "medical": 58,
    "not party to conflict": 59, "passenger": 60, "cargo": 70, "tanker": 80, "other": 90,
}

# AIS transceiver / mobile kind -> the message type that carries its positions.
MSG_TYPE = {
    "a": 1, "class a": 1, "b": 18, "class b": 18, "base station": 4, "sar airborne": 9,
    "aton": 21, "search and rescue transponder": 1, "man overboard device": 1,
}

# Text that means "no value" in CSV exports (matched after stripping spaces).
_NULL_WORDS = ("", "unknown", "undefined", "n/a", "na", "null", "none", "nan", "-")


def _casings(word: str) -> set[str]:
    return {word, word.lower(), word.upper(), word.capitalize(), word.title()}


# Exact-match sets are much cheaper than lower-casing whole columns in the hot path.
NULL_WORDS = sorted({c for w in _NULL_WORDS for c in _casings(w)})


def any_casing(table: dict[str, int]) -> dict[str, int]:
    """``table`` with its keys also in upper, capitalised and title case."""
    return {c: code for word, code in table.items() for c in _casings(word)}
