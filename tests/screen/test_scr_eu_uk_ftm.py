"""EU Annex XLII (real file), UK Sanctions List (fixtures built from the published layout) and
FollowTheMoney JSON lines loaders; bad rows and unknown layouts."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from darkfleet.errors import InputError
from darkfleet.screen import Registry, detect_layout, load_list

EU_HEADER = ("celex,recordId,programKey,annex,measure,startDate,reason,schema,name,alias,weakAlias,previousName,"
             "country,nationality,jurisdiction,birthDate,birthPlace,position,passportNumber,gender,appearance,ethnicity,"
             "fatherName,motherName,incorporationDate,legalForm,sector,registrationNumber,taxNumber,idNumber,innCode,"
             "ogrnCode,kppCode,okpoCode,leiCode,swiftBic,ticker,imoNumber,mmsi,flag,address,phone,email,website,notes")

UK_HEADER = [
    "Last Updated", "Unique ID", "OFSI Group ID", "UN Reference Number", "Name 6", "Name 1", "Name 2", "Name 3",
    "Name 4", "Name 5", "Name type", "Alias strength", "Title", "Name non-latin script", "Non-latin script type",
    "Non-latin script language", "Regime Name", "Designation Type", "Designation source", "Sanctions Imposed",
    "Other Information", "UK Statement of Reasons", "Address Line 1", "Address Line 2", "Address Line 3",
    "Address Line 4", "Address Line 5", "Address Line 6", "Address Postal Code", "Address Country", "Phone number",
    "Website", "Email address", "Date Designated", "D.O.B", "Nationality(/ies)", "National Identifier number",
    "National Identifier additional information", "Passport number", "Passport additional information", "Position",
    "Gender", "Town of birth", "Country of birth", "Type of entity", "Subsidiaries", "Parent company",
    "Business registration number (s)", "IMO number", "Current owner/operator (s)", "Previous owner/operator (s)",
    "Current believed flag of ship", "Previous flags", "Type of ship", "Tonnage of ship", "Length of ship",
    "Year Built", "Hull identification number (HIN)",
]


def _eu_row(record: str, name: str, imo: str, previous: str = "") -> list[str]:
    row = dict.fromkeys(EU_HEADER.split(","), "")
    row.update(celex="32014R0833", recordId=record, programKey="EU-RUS", annex="XLII", schema="Vessel", name=name,
               imoNumber=imo, previousName=previous, measure="Transportation restrictions")
    return list(row.values())


def test_eu_annex_xlii_real_file(lists_dir):
    lst = load_list(lists_dir / "eu-reg-833-2014-annexes.csv")
    assert len(lst.vessels) == 633 and len(lst.entries) == 633  # only vessel rows are ownership sanctions
    assert all(e.imo is not None for e in lst.vessels)
    angara = next(e for e in lst.vessels if e.name == "Angara")
    assert angara.imo == 9179842 and "XLII" in angara.programs


def test_eu_bad_rows_and_bad_check_digit(tmp_path):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EU_HEADER.split(","))
    writer.writerow(_eu_row("1", "Angara", "9179842", previous='"Old; Name"; Other'))
    writer.writerow(["32014R0833", "2", "EU-RUS"])  # cut row
    writer.writerow(_eu_row("3", "Badcheck", "9187628"))  # check digit should be 9
    path = tmp_path / "annexes.csv"
    path.write_text(out.getvalue())
    lst = load_list(path)
    assert [e.name for e in lst.vessels] == ["Angara", "Badcheck"]
    assert [i.line_no for i in lst.issues] == [3]
    assert [f.value for f in lst.vessels[0].former] == ["Old; Name", "Other"]
    # the wrong IMO is kept as printed, and flagged invalid -- never "corrected" to 9187629
    frame = Registry([lst]).entries_frame()
    bad = frame.filter(frame["name"] == "Badcheck").row(0, named=True)
    assert bad["imo"] == 9187628 and bad["imo_valid"] is False


def _uk_csv(tmp_path):
    out = io.StringIO()
    out.write("Report Date: 11-Sep-2026\n")
    writer = csv.DictWriter(out, UK_HEADER)
    writer.writeheader()
    ship = {"Last Updated": "04/08/2026", "Unique ID": "RUS9001", "Regime Name": "The Russia (Sanctions) (EU Exit) Regulations 2019",
            "Designation Type": "Ship", "Designation source": "UK", "Date Designated": "24/02/2025", "IMO number": "IMO9187629",
            "Current owner/operator (s)": "(1) Gemini Marine Limited (2) Tanker Ops LLC",
            "Current believed flag of ship": "Cameroon", "Previous flags": "(1) Panama (2) Gabon",
            "Type of ship": "Crude Oil Tanker", "Year Built": "2001"}
    writer.writerow({**ship, "Name 6": "ARTAVIL", "Name type": "Primary Name"})
    writer.writerow({**ship, "Name 6": "SHONA", "Name type": "Alias", "Name non-latin script": "АРТАВИЛ"})
    writer.writerow({"Unique ID": "RUS0001", "Name 6": "PERSON", "Name 1": "A", "Name type": "Primary Name",
                     "Designation Type": "Individual"})
    path = tmp_path / "UK_Sanctions_List.csv"
    path.write_text(out.getvalue())
    return path


def test_uk_csv_from_published_layout(tmp_path):
    lst = load_list(_uk_csv(tmp_path))
    assert lst.version.layout == "uk-sanctions-list-csv" and lst.version.published == date(2026, 9, 11)
    assert len(lst.entries) == 1  # the individual is not a ship
    ship = lst.entries[0]
    assert (ship.name, ship.aliases, ship.imo, ship.flag, ship.build_year) == (
        "ARTAVIL", ["SHONA", "АРТАВИЛ"], 9187629, "Cameroon", 2001)
    assert [f.value for f in ship.former] == ["Panama", "Gabon"]
    assert sorted(r.object_name for r in lst.relations) == ["Gemini Marine Limited", "Tanker Ops LLC"]


def test_uk_xml_from_published_layout(tmp_path):
    path = tmp_path / "UK_Sanctions_List.xml"
    path.write_text("""<?xml version="1.0" encoding="utf-8"?>
<Designations><DateGenerated>08/10/2026</DateGenerated>
  <Designation><UniqueID>RUS9002</UniqueID><IndividualEntityShip>Ship</IndividualEntityShip>
    <RegimeName>The Russia (Sanctions) (EU Exit) Regulations 2019</RegimeName>
    <Names><Name><Name6>FOREST</Name6><NameType>Primary Name</NameType></Name>
           <Name><Name6>FAEZ</Name6><NameType>Alias</NameType></Name></Names>
    <ShipDetails><Ship><IMONumbers><IMONumber>9283760</IMONumber></IMONumbers>
      <CurrentOwnerOperators><CurrentOwnerOperator>Atlas Ship Management</CurrentOwnerOperator></CurrentOwnerOperators>
      <PreviousFlags><PreviousFlag>Malta</PreviousFlag></PreviousFlags>
      <CurrentBelievedFlagOfShips><CurrentBelievedFlagOfShip>Iran</CurrentBelievedFlagOfShip></CurrentBelievedFlagOfShips>
    </Ship></ShipDetails></Designation>
  <Designation><UniqueID>AFG0006</UniqueID><IndividualEntityShip>Individual</IndividualEntityShip></Designation>
</Designations>""")
    lst = load_list(path)
    assert lst.version.published == date(2026, 10, 8)
    (ship,) = lst.entries
    assert (ship.name, ship.aliases, ship.imo, ship.flag) == ("FOREST", ["FAEZ"], 9283760, "Iran")
    assert [r.object_name for r in lst.relations] == ["Atlas Ship Management"]


def test_ftm_json_lines_with_ownership_and_a_bad_line(tmp_path):
    lines = [
        {"id": "v1", "schema": "Vessel", "properties": {"name": ["ARTAVIL"], "imoNumber": ["9187629"], "mmsi": ["572469210"],
                                                        "previousName": ["ALPHA"], "owner": ["c1"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["Gemini Marine Ltd"]}},
        {"id": "c2", "schema": "Company", "properties": {"name": ["Clean Holding"]}},
        {"id": "o1", "schema": "Ownership", "properties": {"owner": ["c2"], "asset": ["c1"]}},
        {"id": "s1", "schema": "Sanction", "properties": {"entity": ["v1"], "program": ["IRAN"]}},
        {"id": "s2", "schema": "Sanction", "properties": {"entity": ["c1"], "program": ["IRAN"]}},
    ]
    text = "\n".join(json.dumps(x) for x in lines[:3]) + "\n{not json\n" + "\n".join(json.dumps(x) for x in lines[3:]) + "\n"
    path = tmp_path / "sanctioned.ftm.json"
    path.write_text(text)
    lst = load_list(path)
    assert [i.line_no for i in lst.issues] == [4]
    kinds = {e.name: e.kind for e in lst.entries}
    assert kinds == {"ARTAVIL": "vessel", "Gemini Marine Ltd": "company"}  # c2 is not sanctioned
    vessel = lst.vessels[0]
    assert (vessel.imo, vessel.mmsi, [f.value for f in vessel.former], vessel.programs) == (9187629, 572469210, ["ALPHA"], ["IRAN"])
    assert {(r.subject_id, r.object_name) for r in lst.relations} == {("ftm:v1", "Gemini Marine Ltd"), ("ftm:c1", "Clean Holding")}


@pytest.mark.parametrize(
    "content",
    ["a,b,c\n1,2,3\n", '{"type": "FeatureCollection"}\n', "<kml><Document/></kml>\n"],
)
def test_unknown_layout_refused_naming_file_and_layouts(tmp_path, content):
    path = tmp_path / "mystery.txt"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        detect_layout(path)
    message = str(info.value)
    assert str(path) in message
    for layout in ("OFAC SDN legacy CSV", "OFAC sdn.xml", "EU Regulation 833/2014", "UK Sanctions List", "FollowTheMoney"):
        assert layout in message


def test_empty_and_missing_list_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("\n")
    with pytest.raises(InputError, match="empty"):
        load_list(empty)
    with pytest.raises(InputError, match="not found"):
        load_list(tmp_path / "nope.csv")
