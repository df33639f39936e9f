"""OFAC ``sdn.xml``: ``sdnEntry`` elements with ``idList`` (IMO, MMSI, former flags),
``akaList`` (a.k.a./f.k.a.) and ``vesselInfo`` (call sign, type, flag, owner).

The ``idList`` entries are the structured form of the CSV Remarks, so they are read by the
same interpreter (:func:`darkfleet.screen.ofac_csv.apply_remarks`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from darkfleet.errors import InputError
from darkfleet.screen._io import parse_date, read_text
from darkfleet.screen.ofac_csv import apply_remarks
from darkfleet.screen.normalise import parse_imo
from darkfleet.screen.registry import (
    COMPANY,
    OTHER,
    PERSON,
    VESSEL,
    Entry,
    FormerIdentity,
    ListVersion,
    LoadIssue,
    Relation,
    SanctionsList,
)

LAYOUT = "ofac-sdn-xml"
_KINDS = {"vessel": VESSEL, "individual": PERSON, "entity": COMPANY, "aircraft": OTHER}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(elem: ET.Element) -> dict[str, ET.Element]:
    return {_local(c.tag): c for c in elem}


def _text(elem: ET.Element | None, name: str) -> str | None:
    if elem is None:
        return None
    child = _children(elem).get(name)
    return child.text.strip() if child is not None and child.text and child.text.strip() else None


def load(path: Path, list_id: str = "ofac_sdn") -> SanctionsList:
    try:
        root = ET.fromstring(read_text(path))
    except ET.ParseError as exc:
        raise InputError(f"not well-formed XML: {exc}", path=path, line_no=exc.position[0]) from exc
    if _local(root.tag) != "sdnList":
        raise InputError(f"root element is <{_local(root.tag)}>, not <sdnList>", path=path)
    top = _children(root)
    published = parse_date(_text(top.get("publshInformation"), "Publish_Date"), ("%m/%d/%Y",))
    out = SanctionsList(ListVersion(list_id, "OFAC", path.name, LAYOUT, published))
    for index, elem in enumerate(e for e in root if _local(e.tag) == "sdnEntry"):
        uid = _text(elem, "uid")
        name = " ".join(filter(None, [_text(elem, "lastName"), _text(elem, "firstName")]))
        if not uid or not name:
            out.issues.append(LoadIssue(str(path), None, f"sdnEntry #{index + 1} without uid or name"))
            continue
        out.entries.append(_entry(elem, uid, name, list_id, out.relations))
    return out


def _entry(elem: ET.Element, uid: str, name: str, list_id: str, relations: list[Relation]) -> Entry:
    parts = _children(elem)
    kind = _KINDS.get((_text(elem, "sdnType") or "").lower(), OTHER)
    info = parts.get("vesselInfo")
    entry = Entry(
        entry_id=f"{list_id}:{uid}", kind=kind, name=name,
        callsign=_text(info, "callSign"), flag=_text(info, "vesselFlag"), vessel_type=_text(info, "vesselType"),
        programs=[p.text.strip() for p in parts["programList"] if p.text] if "programList" in parts else [],
    )
    # <remarks> holds "(Linked To: X)" in parentheses; the idList holds the identifiers
    remarks = [(_text(elem, "remarks") or "").strip("()")]
    for id_elem in parts["idList"] if "idList" in parts else []:
        id_type, number = _text(id_elem, "idType") or "", _text(id_elem, "idNumber") or ""
        if id_type == "Vessel Registration Identification" and kind == VESSEL:
            entry.imo = parse_imo(number)  # "IMO 7406784" or a bare "8606173"
        else:
            remarks.append(f"{id_type} {number}")
    apply_remarks(entry, relations, "; ".join(remarks))
    for aka in parts["akaList"] if "akaList" in parts else []:
        alias = " ".join(filter(None, [_text(aka, "lastName"), _text(aka, "firstName")]))
        if not alias:
            continue
        if (_text(aka, "type") or "").lower() == "f.k.a.":
            entry.former.append(FormerIdentity("name", alias))
        else:
            entry.aliases.append(alias)
    if owner := _text(info, "vesselOwner"):
        relations.append(Relation(entry.entry_id, owner, "owner"))
    return entry
