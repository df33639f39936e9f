"""Flag states as lists print them ("Panama", "Democratic People's Republic of Korea") mapped to
ISO 3166 alpha-2 (what darkfleet derives from an MMSI), for the flag booster and flag risk.

Covers the flags that appear on vessel sanctions lists and the ITF flags of convenience; a
name not covered simply gives no booster (never a false agreement).
"""

from __future__ import annotations

from functools import cache

import polars as pl

FLAG_ISO2 = {
    "ANTIGUA AND BARBUDA": "AG", "BAHAMAS": "BS", "BARBADOS": "BB", "BELIZE": "BZ", "BERMUDA": "BM",
    "BOLIVIA": "BO", "CAMBODIA": "KH", "CAMEROON": "CM", "CAYMAN ISLANDS": "KY", "CHINA": "CN",
    "COMOROS": "KM", "COOK ISLANDS": "CK", "CUBA": "CU", "CYPRUS": "CY", "DEMOCRATIC PEOPLE S REPUBLIC OF KOREA": "KP",
    "NORTH KOREA": "KP", "KOREA NORTH": "KP", "EQUATORIAL GUINEA": "GQ", "ESWATINI": "SZ", "FAROE ISLANDS": "FO",
    "GABON": "GA", "GEORGIA": "GE", "GIBRALTAR": "GI", "GREECE": "GR", "GUINEA BISSAU": "GW", "GUYANA": "GY",
    "HONDURAS": "HN", "HONG KONG": "HK", "INDIA": "IN", "IRAN": "IR", "JAMAICA": "JM", "LIBERIA": "LR",
    "LEBANON": "LB", "MALAYSIA": "MY", "MALTA": "MT", "MARSHALL ISLANDS": "MH", "MAURITIUS": "MU", "MOLDOVA": "MD",
    "MONGOLIA": "MN", "MYANMAR": "MM", "NORWAY": "NO", "PALAU": "PW", "PANAMA": "PA", "RUSSIA": "RU",
    "RUSSIAN FEDERATION": "RU", "SAINT KITTS AND NEVIS": "KN", "SAINT VINCENT AND THE GRENADINES": "VC",
    "SAO TOME AND PRINCIPE": "ST", "SIERRA LEONE": "SL", "SINGAPORE": "SG", "SRI LANKA": "LK", "SYRIA": "SY",
    "TANZANIA": "TZ", "TOGO": "TG", "TUVALU": "TV", "UNITED ARAB EMIRATES": "AE", "UNITED KINGDOM": "GB",
    "UNITED STATES": "US", "VANUATU": "VU", "VENEZUELA": "VE", "VIETNAM": "VN",
}

# ITF flags of convenience (International Transport Workers' Federation list).
FLAGS_OF_CONVENIENCE = frozenset(
    {"AG", "BS", "BB", "BZ", "BM", "BO", "KH", "KY", "KM", "CK", "CY", "GQ", "FO", "GA", "GE", "GI", "HN",
     "JM", "LB", "LR", "MT", "MH", "MU", "MD", "MN", "MM", "KP", "PA", "ST", "SL", "KN", "VC", "TZ", "TG",
     "TV", "VU", "PW", "SZ", "GW", "CM"}
)


@cache
def _names() -> dict[str, str]:
    """Country names of the ITU MID table (darkfleet.mmsi) plus the list spellings above."""
    from darkfleet.mmsi import mid_table

    names = {}
    for iso2, country in mid_table().values():
        key = " ".join("".join(c if c.isalpha() else " " for c in country.upper()).split())
        names.setdefault(key, iso2)
    return {**names, **FLAG_ISO2}


def flags_iso2(flags: pl.Series) -> pl.Series:
    """ISO alpha-2 for printed flag names (two-letter codes pass through); unknown -> null."""
    cleaned = flags.cast(pl.String).str.to_uppercase().str.replace_all(r"[^A-Z]+", " ").str.strip_chars()
    return pl.select(
        pl.when(cleaned.str.len_chars() == 2)
        .then(cleaned)
        .otherwise(cleaned.replace_strict(_names(), default=None, return_dtype=pl.String))
    ).to_series().alias(flags.name)
