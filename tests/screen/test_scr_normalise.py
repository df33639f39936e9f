"""Name and identifier normalisation shared by lists and vessels."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from darkfleet.screen.normalise import (
    ais_truncate,
    company_legal_forms,
    imo_valid_mask,
    name_numbers,
    normalise_company_name,
    normalise_vessel_name,
    parse_imo,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("M/V Ангара-2 ", "ANGARA 2"),  # Cyrillic transliterated, prefix and punctuation gone
        ("mt. Frío", "FRIO"),
        ("M.T. NS LEADER", "NS LEADER"),
        ("MV", "MV"),  # a prefix alone is the name
        ("M/V MT ALPHA", "ALPHA"),
        ("MV MT", "MT"),
        ("ST NICHOLAS", "ST NICHOLAS"),  # "ST" is a saint, not a hull prefix
        ("Αθηνά", "ATHINA"),
        ("  ", None),
        (None, None),
    ],
)
def test_vessel_names(raw, expected):
    assert normalise_vessel_name(raw) == expected


def test_company_names_keep_legal_forms_apart():
    assert normalise_company_name("Sand & Swan Navigation Co. Ltd.") == "SAND SWAN NAVIGATION"
    assert normalise_company_name("OOO Совкомфлот") == "SOVKOMFLOT"
    forms = company_legal_forms(pl.Series(["X Co., Limited", "X COMPANY LTD", "X S.A.", "X"])).to_list()
    assert forms == [["CO", "LTD"], ["CO", "LTD"], ["SA"], []]


def test_numbers_and_ais_truncation():
    names = pl.Series(["FU YUAN YU 7613", "OCEAN", "PRINCESS OF THE NORTHERN SEAS"])
    assert name_numbers(names).to_list() == ["7613", "", ""]
    assert ais_truncate(names).to_list() == ["FU YUAN YU 7613", "OCEAN", "PRINCESS OF THE NORT"]


def test_imo_parsing_keeps_bad_check_digits():
    assert [parse_imo(t) for t in ("IMO 9187629", "IMO9187628", "8606173", "RS 150443", None)] == [
        9187629, 9187628, 8606173, None, None,
    ]
    assert imo_valid_mask(pl.Series("imo", [9187629, 9187628, None], dtype=pl.Int64)).to_list() == [True, False, None]


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_normalising_twice_changes_nothing(raw):
    once = normalise_vessel_name(raw)
    assert once is None or normalise_vessel_name(once) == once
    company = normalise_company_name(raw)
    assert company is None or normalise_company_name(company) == company
    if once is not None:
        assert once == once.strip() and "  " not in once and once.upper() == once
