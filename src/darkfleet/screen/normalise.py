"""Name and identifier normalisation shared by list loaders and the matcher.

Both sides of a comparison go through the same functions, so a list entry written
"M/V Ангара" and an AIS name "ANGARA" meet as ``ANGARA``. Vectorised over Polars
series; the scalar helpers wrap the vectorised ones so there is one definition.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import polars as pl

from darkfleet.imo import imo_check_digit_ok

AIS_NAME_CHARS = 20  # AIS type 5 carries 20 six-bit characters; longer names arrive cut

# Prefixes that describe the hull, not the name: "M/V ANGARA" and "ANGARA" are one ship.
_VESSEL_PREFIX = r"^(?:(?:M[\s/]?V|M[\s/]?T|M[\s/]?S|M[\s/]?Y|S[\s/]?S|F[\s/]?V|T[\s/]?B|R[\s/]?V)\s+)+"  # strip first: a space is then always followed by a name
# Legal-form words that differ between lists for one company ("CO., LTD." vs "COMPANY LIMITED").
_LEGAL_FORMS = (
    r"\b(?:LIMITED|LTD|LLC|L\s?L\s?C|INC|INCORPORATED|CO|COMPANY|CORP|CORPORATION|S\s?A|PLC|GMBH|"
    r"JSC|PJSC|OJSC|CJSC|OOO|LLP|FZE|FZCO|DMCC|PTE|PVT|BV|NV|AG|SRL|SPA|SA\s?DE\s?CV|DE\s?CV)\b"
)

# BGN/PCGN-style romanisation: Russian is by far the most common non-Latin script on
# vessel lists; Unicode decomposition alone leaves Cyrillic untouched.
_CYRILLIC = dict(
    zip(
        "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯІЇЄҐ",
        ["A", "B", "V", "G", "D", "E", "E", "ZH", "Z", "I", "Y", "K", "L", "M", "N", "O", "P", "R", "S",
         "T", "U", "F", "KH", "TS", "CH", "SH", "SHCH", "", "Y", "", "E", "YU", "YA", "I", "YI", "YE", "G"],
        strict=True,
    )
)
_GREEK = dict(zip("ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ",
                  ["A", "V", "G", "D", "E", "Z", "I", "TH", "I", "K", "L", "M", "N", "X", "O", "P", "R",
                   "S", "T", "Y", "F", "CH", "PS", "O"], strict=True))
_TRANSLIT = {ord(k): v for k, v in {**_CYRILLIC, **_GREEK}.items()}


def transliterate(text: str) -> str:
    """Latin letters for Cyrillic and Greek (upper-cased first).

    Mapped before and after removing accents: "Й" must stay "Y" (not decompose to "И"), while
    an accented Greek "Ά" only maps once its accent is gone."""
    mapped = text.upper().translate(_TRANSLIT)
    bare = "".join(c for c in unicodedata.normalize("NFKD", mapped) if not unicodedata.combining(c))
    return bare.translate(_TRANSLIT)


def _ascii_upper(names: pl.Series) -> pl.Series:
    """Upper-case, transliterated, accents stripped; only rows with non-ASCII go through Python."""
    upper = names.cast(pl.String).str.to_uppercase()
    non_ascii = upper.str.contains(r"[^\x00-\x7F]").fill_null(False)
    if non_ascii.any():
        # Unique non-ASCII names only: a handful per list, none in AIS (6-bit ASCII).
        mapping = {n: transliterate(n) for n in upper.filter(non_ascii).unique().to_list()}
        upper = upper.replace(mapping)
    return upper.str.normalize("NFKD").str.replace_all(r"\p{M}", "")


def normalise_vessel_names(names: pl.Series) -> pl.Series:
    """Comparable vessel names: ``"M/V Ангара-2 "`` -> ``"ANGARA 2"``; empty -> null."""
    out = (
        _ascii_upper(names)
        .str.replace_all(r"[^A-Z0-9/ ]", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .str.replace(_VESSEL_PREFIX, "")
        .str.replace_all("/", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    return out.replace("", None)


def normalise_company_names(names: pl.Series) -> pl.Series:
    """Comparable company names: legal forms and punctuation dropped; empty -> null."""
    out = (
        _ascii_upper(names)
        .str.replace_all(r"[^A-Z0-9 ]", " ")
        .str.replace_all(r"\s+", " ")
        .str.replace_all(_LEGAL_FORMS, " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    return out.replace("", None)


_LEGAL_CANON = {"LIMITED": "LTD", "INCORPORATED": "INC", "COMPANY": "CO", "CORPORATION": "CORP", "LLC": "LLC",
                "SA": "SA", "LLP": "LLP"}


def company_legal_forms(names: pl.Series) -> pl.Series:
    """The legal-form words of each company name, canonical ("Co., Limited" -> ["CO", "LTD"]).

    Kept apart from the name so "NEREUS CARRIERS SA" and "NEREUS CARRIERS LTD" (two companies)
    can be told apart while "CO., LTD." and "COMPANY LIMITED" (one company) still agree."""
    words = _ascii_upper(names).str.replace_all(r"[^A-Z0-9 ]", " ").str.replace_all(r"\s+", " ")
    return (
        words.str.extract_all(_LEGAL_FORMS)
        .list.eval(pl.element().str.replace_all(" ", "").replace(_LEGAL_CANON))
        .list.unique()
        .list.sort()
    )


def name_numbers(normalised: pl.Series) -> pl.Series:
    """The digit groups of a normalised name ("NS LEADER 2" -> "2"); names must agree on them."""
    return normalised.str.extract_all(r"\d+").list.join(" ").fill_null("")


def ais_truncate(normalised: pl.Series) -> pl.Series:
    """What an AIS transmitter would show for a long name: the first 20 characters."""
    return normalised.str.slice(0, AIS_NAME_CHARS).str.strip_chars()


def normalise_callsigns(callsigns: pl.Series) -> pl.Series:
    return callsigns.cast(pl.String).str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "").replace("", None)


def normalise_vessel_name(name: str | None) -> str | None:
    return normalise_vessel_names(pl.Series([name], dtype=pl.String))[0]


def normalise_company_name(name: str | None) -> str | None:
    return normalise_company_names(pl.Series([name], dtype=pl.String))[0]


_IMO_RE = re.compile(r"(?<!\d)(\d{7})(?!\d)")


def parse_imo(text: str | None) -> int | None:
    """The seven-digit number in "IMO 9187629", "IMO9187629" or "9187629"; kept even when the
    check digit is wrong (validity is reported separately, never "corrected")."""
    if not text:
        return None
    found = _IMO_RE.search(str(text))
    return int(found.group(1)) if found else None


def imo_valid_mask(imos: pl.Series) -> pl.Series:
    """Check-digit validity for an Int64 series of IMOs (null -> null)."""
    values = imos.cast(pl.Int64).fill_null(-1).to_numpy()
    valid = pl.Series(imos.name, np.asarray(imo_check_digit_ok(values)), dtype=pl.Boolean)
    return pl.select(pl.when(imos.is_null()).then(None).otherwise(valid)).to_series().alias(imos.name)
