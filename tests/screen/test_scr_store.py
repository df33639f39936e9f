"""Stored list versions: newer versions win entry by entry, partial files hide nothing."""

from __future__ import annotations

from darkfleet.screen import load_list
from darkfleet.screen.store import list_versions, load_registry, save_list
from darkfleet.store import Store


def test_newest_version_wins_per_entry(tmp_path, lists_dir, ofac_2023):
    sample = load_list(lists_dir / "ofac-sdn-xml-2026-sample.xml")
    with Store(tmp_path / "f.duckdb") as store:
        save_list(store, ofac_2023)
        save_list(store, sample)
        save_list(store, sample)  # reloading a version replaces it
        assert list_versions(store)["list_version"].to_list() == ["ofac_sdn@2023-01-21", "ofac_sdn@2026-04-30"]
        latest = load_registry(store)
        every = load_registry(store, all_versions=True)
    entries = latest.entries_frame()
    # each entry once, from the newest version holding it
    assert entries["entry_id"].n_unique() == entries.height == len({e.entry_id for e in ofac_2023.entries} |
                                                                    {e.entry_id for e in sample.entries})
    artavil = entries.filter(entries["name"] == "ARTAVIL").row(0, named=True)
    assert artavil["list_version"] == "ofac_sdn@2026-04-30"
    mar_azul = entries.filter(entries["entry_id"] == "ofac_sdn:4238").row(0, named=True)  # in both versions
    assert mar_azul["list_version"] == "ofac_sdn@2026-04-30"
    hermann = [e for e in ofac_2023.vessels if e.entry_id not in {s.entry_id for s in sample.entries}][0]
    assert entries.filter(entries["entry_id"] == hermann.entry_id)["list_version"].to_list() == ["ofac_sdn@2023-01-21"]
    assert every.entries_frame().height == len(ofac_2023.entries) + len(sample.entries)
    # relations and former names survive the round trip
    stored_artavil = next(e for lst in latest.lists for e in lst.entries if e.name == "ARTAVIL")
    assert {"SHONA"} <= {f.value for f in stored_artavil.former}
