"""Matching quality on the real lists: IMO recall, renamed vessels, fuzzy names, vetoes,
former identities, AIS truncation, MMSI rules, owners."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from darkfleet.errors import InputError
from darkfleet.imo import imo_check_digit_ok
from darkfleet.screen import Registry, load_list, screen
from darkfleet.screen.registry import VESSEL, Entry, ListVersion, Relation, SanctionsList


def _ofac_vessels_with_imo(lst):
    return [e for e in lst.vessels if e.imo is not None]


def test_every_ofac_vessel_with_an_imo_is_found_by_its_imo(ofac_2023):
    listed = _ofac_vessels_with_imo(ofac_2023)
    assert len(listed) > 600
    # each vessel broadcasts only its IMO and a name that has nothing to do with the list
    vessels = pl.DataFrame({
        "mmsi": list(range(100_000_000, 100_000_000 + len(listed))),
        "imo": [e.imo for e in listed],
        "name": ["ZZQX"] * len(listed),
    })
    matches = screen(Registry([ofac_2023]), vessels)
    hits = matches.filter((pl.col("level") == "hit") & pl.col("matched_fields").list.contains("imo"))
    found = dict(zip(hits["mmsi"].to_list(), hits["entry_imo"].to_list(), strict=True))
    assert len(found) == len(listed)
    assert all(found[m] == imo for m, imo in zip(vessels["mmsi"], vessels["imo"], strict=True))
    assert hits["name_mismatch"].all()  # "ZZQX" is nobody's name: reported, not hidden


def test_renamed_vessel_found_by_imo_with_name_mismatch(real_registry):
    # the 2023 list knows EBANO (IMO 7406784) and its former names; the vessel now calls itself NEW HORIZON
    vessels = pl.DataFrame({"mmsi": [1, 2], "imo": [7406784, 7406784], "name": ["NEW HORIZON", "SAND SWAN"]})
    matches = screen(real_registry, vessels).filter(pl.col("entry_name") == "EBANO")
    renamed = matches.filter(pl.col("mmsi") == 1).row(0, named=True)
    assert renamed["level"] == "hit" and renamed["name_mismatch"] is True and "imo" in renamed["matched_fields"]
    former = matches.filter(pl.col("mmsi") == 2).row(0, named=True)
    assert former["name_mismatch"] is False and "former_name" in former["matched_fields"]
    assert former["matched_name"] == "SAND SWAN"


def test_one_letter_fuzzy_name_is_review_level(ofac_2023):
    listed = [e for e in ofac_2023.vessels if len(e.name) >= 7 and e.name.isalpha()][:25]
    changed = [e.name[:3] + ("X" if e.name[3] != "X" else "Y") + e.name[4:] for e in listed]
    vessels = pl.DataFrame({"mmsi": list(range(1, len(listed) + 1)), "name": changed})
    matches = screen(Registry([ofac_2023]), vessels)
    for mmsi, entry in enumerate(listed, start=1):
        mine = matches.filter((pl.col("mmsi") == mmsi) & (pl.col("entry_id") == entry.entry_id))
        assert mine.height == 1, entry.name
        row = mine.row(0, named=True)
        assert row["level"] == "review"
        assert {"name", "alias"} & set(row["matched_fields"])


def test_same_name_different_valid_imo_is_not_a_hit(ofac_2023):
    artavil = next(e for e in ofac_2023.vessels if e.name == "ARTAVIL")
    other_imo = 9074729  # valid check digit, another ship
    assert imo_check_digit_ok([other_imo])[0] and other_imo != artavil.imo
    vessels = pl.DataFrame({"mmsi": [1, 2], "imo": [other_imo, None], "name": ["ARTAVIL", "ARTAVIL"]})
    matches = screen(Registry([ofac_2023]), vessels).filter(pl.col("entry_id") == artavil.entry_id)
    assert matches.filter(pl.col("mmsi") == 1).height == 0  # vetoed by the two IMOs
    assert matches.filter(pl.col("mmsi") == 2)["level"].to_list() == ["review"]  # no IMO: only a name


def test_borrowed_imo_with_listed_mmsi_and_name_is_review_not_vetoed():
    reg = _registry(Entry("t:1", VESSEL, "ARTAVIL", imo=9187629, mmsi=572469210))
    # same MMSI and name, but broadcasting another hull's valid IMO (a dark-fleet tactic)
    row = screen(reg, pl.DataFrame({"mmsi": [572469210], "imo": [9074729], "name": ["ARTAVIL"]})).row(0, named=True)
    assert row["level"] == "review" and "imo_conflict" in row["matched_fields"]


def test_numbers_in_names_must_agree():
    lst = SanctionsList(ListVersion("t", "T", "t", "test"),
                        [Entry("t:1", VESSEL, "NS LEADER 2"), Entry("t:2", VESSEL, "OCEAN 7")])
    vessels = pl.DataFrame({"mmsi": [1, 2, 3], "name": ["NS LEADER 3", "M/T NS LEADER 2", "OCEAN 17"]})
    matches = screen(Registry([lst]), vessels)
    assert matches["mmsi"].to_list() == [2]


def _registry(*entries, relations=()):
    return Registry([SanctionsList(ListVersion("t", "T", "t.csv", "test"), list(entries), list(relations))])


def test_former_identity_from_data_matched_with_dates():
    reg = _registry(Entry("t:1", VESSEL, "OLD GLORY", imo=9187629))
    vessels = pl.DataFrame({"mmsi": [7], "imo": [9283760], "name": ["NEW GLORY"]})
    seen_from, seen_to = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)
    identities = pl.DataFrame({"mmsi": [7, 7], "imo": [9187629, 9283760], "name": ["OLD GLORY", "NEW GLORY"],
                               "first_seen_utc": [seen_from, datetime(2024, 3, 2, tzinfo=UTC)],
                               "last_seen_utc": [seen_to, datetime(2024, 5, 1, tzinfo=UTC)]})
    row = screen(reg, vessels, identities).row(0, named=True)
    assert (row["identity"], row["level"], row["first_seen_utc"], row["last_seen_utc"]) == ("former", "hit", seen_from, seen_to)


def test_ais_truncated_name_matches_long_listed_name():
    reg = _registry(Entry("t:1", VESSEL, "PRINCESS OF THE NORTHERN SEAS"))
    vessels = pl.DataFrame({"mmsi": [1, 2], "name": ["PRINCESS OF THE NORT", "PRINCESS"]})
    matches = screen(reg, vessels)
    assert matches["mmsi"].to_list() == [1]
    assert "ais_truncated" in matches["matched_fields"][0].to_list()


@pytest.mark.parametrize(
    ("vessel", "level"),
    [
        ({"mmsi": 572469210, "name": "ARTAVIL"}, "hit"),  # MMSI + name
        ({"mmsi": 572469210, "callsign": "T2-EU4"}, "hit"),  # MMSI + call sign
        ({"mmsi": 572469210, "name": "SOMETHING ELSE"}, "review"),  # MMSI alone
        ({"mmsi": 1, "callsign": "T2EU4", "name": "ARTAVIL"}, "hit"),  # call sign + name
    ],
)
def test_mmsi_needs_a_second_attribute(vessel, level):
    reg = _registry(Entry("t:1", VESSEL, "ARTAVIL", mmsi=572469210, callsign="T2EU4"))
    matches = screen(reg, pl.DataFrame([vessel]))
    assert matches["level"].to_list() == [level]


def test_owner_one_and_two_hops():
    reg = _registry(
        Entry("t:1", "company", "GEMINI MARINE LIMITED"),
        Entry("t:2", VESSEL, "FRUNZE", imo=9263643),
        relations=[Relation("t:2", "Brecalin Hong Kong Co Ltd", "owner")],
    )
    vessels = pl.DataFrame({"mmsi": [1, 2, 3], "owner": ["Gemini Marine Ltd.", "BRECALIN HONG KONG CO., LTD", "Clean Co"],
                            "manager": [None, None, "Gemini Marines Ltd"]})
    matches = screen(reg, vessels).select("mmsi", "via", "hops", "entry_id")
    assert matches.rows() == [(1, "owner", 1, "t:1"), (2, "owner", 2, "t:2"), (3, "manager", 1, "t:1")]


def test_imo_with_bad_check_digit_is_flagged_not_corrected():
    reg = _registry(Entry("t:1", VESSEL, "ARTAVIL", imo=9187629))
    vessels = pl.DataFrame({"mmsi": [1], "imo": [9187628], "name": ["ARTAVIL"]})
    row = screen(reg, vessels).row(0, named=True)
    # not matched as IMO 9187629: the bad number stays what it was; only the name connects them
    assert row["query_imo"] == 9187628 and row["query_imo_invalid"] is True
    assert "imo" not in row["matched_fields"] and row["level"] == "review"


def test_real_lists_load_into_one_registry(lists_dir):
    reg = Registry([load_list(lists_dir / "ofac-sdn-csv-2021"), load_list(lists_dir / "eu-reg-833-2014-annexes.csv")])
    frame = reg.entries_frame().filter(pl.col("kind") == VESSEL)
    assert frame.height == 406 + 633
    assert frame["key"].n_unique() == frame.height


def test_vessels_without_mmsi_are_refused_not_dropped():
    reg = _registry(Entry("t:1", VESSEL, "ARTAVIL", imo=9187629))
    with pytest.raises(InputError, match="row 2"):
        screen(reg, pl.DataFrame({"mmsi": [1, None], "imo": [9187629, 9187629]}))


def test_real_ais_vessels_later_listed_under_new_names(shared_data, real_registry):
    """NOAA AIS of 2022-01-03 against the 2023 OFAC list and the EU Annex XLII: tankers sold into
    the shadow fleet after that day are found by IMO, with their later listed names."""
    noaa = shared_data / "ais" / "noaa-marinecadastre-2022-01-03-100k.csv"
    if not noaa.exists():
        pytest.skip(f"real data file missing: {noaa}")
    rows = pl.read_csv(noaa, infer_schema_length=0)
    vessels = rows.group_by("MMSI").agg(pl.col("IMO").drop_nulls().last(), pl.col("VesselName").drop_nulls().last()).select(
        mmsi=pl.col("MMSI").cast(pl.Int64), imo=pl.col("IMO").str.replace("IMO", "").cast(pl.Int64, strict=False),
        name="VesselName",
    )
    hits = screen(real_registry, vessels).filter(pl.col("level") == "hit")
    corona = hits.filter(pl.col("query_name") == "NS CORONA").row(0, named=True)
    assert (corona["entry_name"], corona["entry_imo"], corona["name_mismatch"]) == ("Capella", 9341079, True)
    assert corona["list_version"] == "eu_833_annex_xlii@undated"
    axioma = hits.filter(pl.col("query_name") == "AXIOMA").row(0, named=True)
    assert axioma["list_version"] == "ofac_sdn@2023-01-21" and axioma["name_mismatch"] is False
    # every hit here is an IMO hit: no vessel of the day is taken for a listed one on its name alone
    assert hits["matched_fields"].list.contains("imo").all()
