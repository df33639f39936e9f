"""UK Sanctions List (FCDO) ship designations, CSV and XML.

CSV (published layout): an optional first line ``Report Date: 11-Sep-2026``, then a header
``Last Updated, Unique ID, OFSI Group ID, UN Reference Number, Name 6, Name 1..Name 5,
Name type, ..., Regime Name, Designation Type, ..., Date Designated, ..., IMO number,
Current owner/operator (s), Previous owner/operator (s), Current believed flag of ship,
Previous flags, Type of ship, Tonnage of ship, Length of ship, Year Built, ...``; one row per
name, so a designation spans several rows sharing its ``Unique ID``.

XML: ``<Designations><DateGenerated/>`` with ``<Designation>`` elements (``UniqueID``,
``Names/Name/Name1..Name6+NameType``, ``RegimeName``, ``IndividualEntityShip``,
``ShipDetails/Ship`` with ``IMONumbers/IMONumber``, ``CurrentOwnerOperators/
CurrentOwnerOperator``, ``PreviousOwnerOperators/...``, ``CurrentBelievedFlagOfShips/...``,
``PreviousFlags/PreviousFlag``, ``TypeOfShipDetails/TypeOfShip``, ``YearBuilt``).
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from darkfleet.errors import InputError
from darkfleet.screen._io import parse_date, read_text
from darkfleet.screen.normalise import parse_imo
from darkfleet.screen.registry import VESSEL, Entry, FormerIdentity, ListVersion, LoadIssue, Relation, SanctionsList

LAYOUT_CSV = "uk-sanctions-list-csv"
LAYOUT_XML = "uk-sanctions-list-xml"
CSV_REQUIRED = ("Unique ID", "Name 6", "Name type", "Designation Type", "IMO number")
_DATE_FORMATS = ("%d-%b-%Y", "%d/%m/%Y", "%Y-%m-%d")


def split_listed(text: str | None) -> list[str]:
    """"(1) Cameroon (2) Panama", "A|B" or "A; B" -> items."""
    if not text or text.strip().upper() in ("", "N/A", "UNKNOWN"):
        return []
    return [p.strip(" ,.") for p in re.split(r"\(\d+\)|\||;|\n", text) if p.strip(" ,.")]


def header_matches(header: list[str]) -> bool:
    return all(col in header for col in CSV_REQUIRED)


def _full_name(parts: list[str | None]) -> str:
    """Name 1..Name 5 then Name 6 (the surname / whole name for ships)."""
    return " ".join(p.strip() for p in parts if p and p.strip())


class _Ship:
    """Accumulates the rows (or XML names) of one ship designation."""

    def __init__(self, list_id: str, uid: str, line_no: int | None) -> None:
        self.entry = Entry(entry_id=f"{list_id}:{uid}", kind=VESSEL, name="", line_no=line_no)
        self.relations: list[Relation] = []

    def add_name(self, name: str, name_type: str) -> None:
        if not name:
            return
        if name_type.lower().startswith("primary name") and not self.entry.name:
            self.entry.name = name
        elif name != self.entry.name and name not in self.entry.aliases:
            self.entry.aliases.append(name)

    def add_details(self, imo: str | None, owners: list[str], former_owners: list[str], flag: list[str],
                    former_flags: list[str], ship_type: str | None, year: str | None, regime: str | None) -> None:
        e = self.entry
        e.imo = e.imo or parse_imo(imo)
        e.flag = e.flag or (flag[0] if flag else None)
        e.vessel_type = e.vessel_type or (ship_type or None)
        if year and year.strip()[:4].isdigit():
            e.build_year = int(year.strip()[:4])
        if regime and regime not in e.programs:
            e.programs.append(regime)
        for f in former_flags:
            if all(x.value != f for x in e.former):
                e.former.append(FormerIdentity("flag", f))
        for kind, names in (("owner", owners), ("former_owner", former_owners)):
            for n in names:
                if all(r.object_name != n or r.kind != kind for r in self.relations):
                    self.relations.append(Relation(e.entry_id, n, kind))

    def finish(self, out: SanctionsList, path: Path) -> None:
        if not self.entry.name:
            if not self.entry.aliases:
                out.issues.append(LoadIssue(str(path), self.entry.line_no, f"ship {self.entry.entry_id} without a name"))
                return
            self.entry.name = self.entry.aliases.pop(0)
        out.entries.append(self.entry)
        out.relations.extend(self.relations)


def load_csv(path: Path, list_id: str = "uk_sanctions_list") -> SanctionsList:
    text = read_text(path)
    lines = text.splitlines(keepends=True)
    published, skip = None, 0
    if lines and lines[0].lower().startswith("report date"):
        published, skip = parse_date(lines[0].split(":", 1)[1].strip(), _DATE_FORMATS), 1
    out = SanctionsList(ListVersion(list_id, "UK FCDO", path.name, LAYOUT_CSV, published))
    reader = csv.DictReader(io.StringIO("".join(lines[skip:])))
    width = len(reader.fieldnames or [])
    ships: dict[str, _Ship] = {}
    for row in reader:
        line_no = reader.line_num + skip
        if None in row or any(v is None for v in row.values()):
            out.issues.append(LoadIssue(str(path), line_no, f"expected {width} cells", str(list(row.values()))[:256]))
            continue
        if (row.get("Designation Type") or "").strip().lower() != "ship":
            continue
        uid = (row.get("Unique ID") or "").strip()
        if not uid:
            out.issues.append(LoadIssue(str(path), line_no, "ship row without a Unique ID"))
            continue
        ship = ships.setdefault(uid, _Ship(list_id, uid, line_no))
        ship.add_name(_full_name([row.get(f"Name {i}") for i in (1, 2, 3, 4, 5, 6)]), row.get("Name type") or "")
        ship.add_name((row.get("Name non-latin script") or "").strip(), "non-latin")  # transliterated when matched
        ship.add_details(
            row.get("IMO number"), split_listed(row.get("Current owner/operator (s)")),
            split_listed(row.get("Previous owner/operator (s)")), split_listed(row.get("Current believed flag of ship")),
            split_listed(row.get("Previous flags")), (row.get("Type of ship") or "").strip(),
            row.get("Year Built"), (row.get("Regime Name") or "").strip(),
        )
    for ship in ships.values():
        ship.finish(out, path)
    return out


def _texts(elem: ET.Element, path: str) -> list[str]:
    return [e.text.strip() for e in elem.iterfind(path) if e.text and e.text.strip()]


def load_xml(path: Path, list_id: str = "uk_sanctions_list") -> SanctionsList:
    try:
        root = ET.fromstring(read_text(path))
    except ET.ParseError as exc:
        raise InputError(f"not well-formed XML: {exc}", path=path, line_no=exc.position[0]) from exc
    published = parse_date(root.findtext("DateGenerated"), _DATE_FORMATS)
    out = SanctionsList(ListVersion(list_id, "UK FCDO", path.name, LAYOUT_XML, published))
    for index, des in enumerate(root.iter("Designation")):
        if (des.findtext("IndividualEntityShip") or "").strip().lower() != "ship":
            continue
        uid = (des.findtext("UniqueID") or "").strip()
        if not uid:
            out.issues.append(LoadIssue(str(path), None, f"ship designation #{index + 1} without a UniqueID"))
            continue
        ship = _Ship(list_id, uid, None)
        for name in des.iterfind("Names/Name"):
            parts = [name.findtext(f"Name{i}") for i in (1, 2, 3, 4, 5, 6)]
            ship.add_name(_full_name(parts), name.findtext("NameType") or "")
        for non_latin in _texts(des, ".//NameNonLatinScript"):
            ship.add_name(non_latin, "non-latin")
        for detail in des.iterfind("ShipDetails/Ship"):
            imos = _texts(detail, "IMONumbers/IMONumber")
            ship.add_details(
                imos[0] if imos else None, _texts(detail, "CurrentOwnerOperators/CurrentOwnerOperator"),
                _texts(detail, "PreviousOwnerOperators/PreviousOwnerOperator"),
                _texts(detail, "CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip"),
                _texts(detail, "PreviousFlags/PreviousFlag"), (detail.findtext("TypeOfShipDetails/TypeOfShip") or "").strip(),
                detail.findtext("YearBuilt"), (des.findtext("RegimeName") or "").strip(),
            )
        ship.finish(out, path)
    return out
