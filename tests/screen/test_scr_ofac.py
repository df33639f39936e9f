"""OFAC loaders on the real published files: legacy CSV (with and without header) and sdn.xml."""

from __future__ import annotations

import csv
from datetime import date

from darkfleet.screen import load_list
from darkfleet.screen.registry import VESSEL

OFAC_2021, OFAC_2025, OFAC_XML = "ofac-sdn-csv-2021", "ofac-sdn-csv-2025-sample", "ofac-sdn-xml-2026-sample.xml"


def _by_name(lst, name):
    return next(e for e in lst.entries if e.name == name)


def test_2023_file_with_added_header_loads_every_row(ofac_2023):
    # 11,443 data rows, 685 vessels (shared/data/README.md); the header row is not an entry
    assert len(ofac_2023.entries) == 11_443
    assert len(ofac_2023.vessels) == 685
    assert ofac_2023.issues == []
    assert ofac_2023.version.published == date(2023, 1, 21)
    assert all(e.entry_id != "ofac_sdn:ID" for e in ofac_2023.entries)


def test_remarks_give_imo_mmsi_former_flags_and_owner_links(lists_dir):
    lst = load_list(lists_dir / OFAC_2021)
    assert len(lst.vessels) == 406
    artavil = _by_name(lst, "ARTAVIL")
    assert (artavil.kind, artavil.imo, artavil.mmsi, artavil.callsign) == (VESSEL, 9187629, 572469210, "T2EU4")
    assert {f.value for f in artavil.former if f.field == "flag"} == {"Malta", "Tuvalu", "Tanzania"}
    assert "ALPHA" in {f.value for f in artavil.former if f.field == "name"}
    links = {(r.object_name, r.kind) for r in lst.relations if r.subject_id == artavil.entry_id}
    assert ("NATIONAL IRANIAN TANKER COMPANY", "linked_to") in links
    # the -0- placeholder is never a value
    assert all(e.callsign != "-0-" and e.flag != "-0-" for e in lst.entries)


def test_alt_csv_and_comment_continuations_are_merged(lists_dir):
    lst = load_list(lists_dir / OFAC_2025)
    suex = next(e for e in lst.entries if e.entry_id.endswith(":33151"))
    # 'SUCCESSFUL EXCHANGE' is only in sdn_comments.csv, past OFAC's remarks cut
    assert "SUCCESSFUL EXCHANGE" in suex.aliases
    makran = _by_name(lst, "IRIS MAKRAN")
    assert makran.imo == 9486910 and "MAKRAN" in makran.aliases
    assert "+sdn_comments.csv" in lst.version.source
    # the sample's alt.csv names entries its sdn.csv lacks: reported with line numbers, not dropped
    known = {e.entry_id.split(":")[1] for e in lst.entries}
    with open(lists_dir / OFAC_2025 / "alt.csv", newline="") as fh:
        orphans = [n for n, row in enumerate(csv.reader(fh), start=1) if row[0] not in known]
    assert orphans and [i.line_no for i in lst.issues] == orphans


def test_bare_imo_after_registration_label(ofac_2023):
    # "Vessel Registration Identification 8606173" has no "IMO" word but is the IMO number
    assert _by_name(ofac_2023, "RYONG GUN BONG").imo == 8606173
    # a national registration number is not an IMO
    assert _by_name(ofac_2023, "BONU 5").imo is None


def test_sdn_xml_idlist_vesselinfo_and_publish_date(lists_dir):
    lst = load_list(lists_dir / OFAC_XML)
    assert lst.version.published == date(2026, 4, 30)
    assert len(lst.vessels) == 7
    artavil = _by_name(lst, "ARTAVIL")
    assert (artavil.imo, artavil.mmsi, artavil.callsign) == (9187629, 572469210, "T2EU4")
    assert {"ABADAN", "ALPHA", "SHONA"} <= {f.value for f in artavil.former if f.field == "name"}
    assert "None Identified" not in {f.value for f in artavil.former}
    ebano = _by_name(lst, "EBANO")
    assert ebano.imo == 7406784 and {"ANA I", "SAND SWAN"} <= {f.value for f in ebano.former}
    mar_azul = _by_name(lst, "MAR AZUL")
    assert any(r.object_name == "Samir de Navegacion S.A." and r.kind == "owner"
               for r in lst.relations if r.subject_id == mar_azul.entry_id)


def test_malformed_rows_reported_with_line_numbers_rest_loads(tmp_path):
    good = '15036,"ARTAVIL","vessel","IRAN",-0- ,"T2EU4","Tanker",-0- ,-0- ,"Iran",-0- ,"Vessel Registration Identification IMO 9187629."'
    other = '4249,"TIFON","vessel","CUBA",-0- ,"CL2059","Tug",-0- ,"164","Cuba",-0- ,-0- '
    text = "\n".join([good, "17,TOO,FEW,COLUMNS", other, 'X1,"A","vessel",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-']) + "\n"
    path = tmp_path / "sdn.csv"
    path.write_text(text)
    lst = load_list(path)
    assert [e.name for e in lst.entries] == ["ARTAVIL", "TIFON"]
    assert [i.line_no for i in lst.issues] == [2, 4]
    assert all(i.path == str(path) for i in lst.issues)
    assert "12 columns" in lst.issues[0].reason


def test_cut_remarks_joined_with_their_continuation(tmp_path):
    (tmp_path / "sdn.csv").write_text(
        '28263,"SOME CO",-0- ,"CYBER2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'SC\'; Linked To: LAZARUS GRO"\n'
    )
    (tmp_path / "sdn_comments.csv").write_text('28263,"UP; a.k.a. \'SOMECO\'."\n')
    lst = load_list(tmp_path)
    assert [r.object_name for r in lst.relations] == ["LAZARUS GROUP"]
    assert lst.entries[0].aliases == ["SC", "SOMECO"]
