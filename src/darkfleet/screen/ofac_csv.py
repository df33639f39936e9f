"""OFAC SDN legacy CSV set: ``sdn.csv`` (+ ``alt.csv``, ``add.csv``, ``sdn_comments.csv``).

``sdn.csv`` has no header and 12 columns (ent_num, SDN_Name, SDN_Type, Program, Title,
Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks); ``-0-`` means empty.
Some saved copies carry an added header row; it is recognised and skipped. Vessel
identifiers live in the Remarks prose ("Vessel Registration Identification IMO 9187629;
MMSI 572469210; Former Vessel Flag Malta; f.k.a. 'ALPHA'; Linked To: X."), which
``sdn_comments.csv`` continues when OFAC cut it.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from darkfleet.errors import InputError
from darkfleet.screen._io import csv_rows, date_in_name, read_text
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

LAYOUT = "ofac-sdn-csv"
SDN_COLUMNS = 12
_KINDS = {"vessel": VESSEL, "individual": PERSON, "aircraft": OTHER, "": COMPANY}

_QUOTED = r"'([^']+)'"
_PATTERNS = {
    # "IMO 9187629"; older entries print the bare number after the label
    "imo": re.compile(r"(?:\bIMO\s*|Vessel Registration Identification\s+)(\d{7})\b"),
    "mmsi": re.compile(r"\bMMSI\s*(\d{9})\b"),
    "former_flag": re.compile(r"^(?:alt\.\s*)?Former Vessel Flag\s+(.+)$"),
    "aka": re.compile(r"^(?:a\.k\.a\.|n\.k\.a\.)\s*" + _QUOTED),
    "fka": re.compile(r"^f\.k\.a\.\s*" + _QUOTED),
    "linked": re.compile(r"^Linked To:\s*(.+?)\.?$"),
    "build_year": re.compile(r"Vessel Year of Build\s*(\d{4})"),
}


def empty(value: str | None) -> str | None:
    """OFAC's ``-0-`` placeholder and blanks become ``None``."""
    if value is None:
        return None
    value = value.strip()
    return None if value in ("", "-0-") else value


def apply_remarks(entry: Entry, relations: list[Relation], remarks: str | None) -> None:
    """Interpret the ``;``-separated Remarks (or XML idList ``type number`` pairs) of one entry."""
    for raw_part in (remarks or "").split(";"):
        part = raw_part.strip()
        if not part:
            continue
        if entry.kind == VESSEL and (found := _PATTERNS["imo"].search(part)) and entry.imo is None:
            entry.imo = int(found[1])
        elif entry.kind == VESSEL and (found := _PATTERNS["mmsi"].search(part)) and entry.mmsi is None:
            entry.mmsi = int(found[1])
        elif found := _PATTERNS["former_flag"].match(part):
            flag = found[1].rstrip(".").strip()
            if flag.lower() != "none identified":
                entry.former.append(FormerIdentity("flag", flag))
        elif found := _PATTERNS["fka"].match(part):
            entry.former.append(FormerIdentity("name", found[1]))
        elif found := _PATTERNS["aka"].match(part):
            entry.aliases.append(found[1])
        elif found := _PATTERNS["linked"].match(part):
            relations.append(Relation(entry.entry_id, found[1].strip(), "linked_to"))
        elif found := _PATTERNS["build_year"].search(part):
            entry.build_year = int(found[1])


def _is_header(row: list[str]) -> bool:
    return bool(row) and not row[0].strip().isdigit()


def parse_sdn(text: str, path: Path, list_id: str = "ofac_sdn", continued: dict[str, str] | None = None) -> SanctionsList:
    """Parse ``sdn.csv`` text; malformed rows become issues with their line number.

    ``continued``: ent_num -> the rest of a Remarks field OFAC cut (from sdn_comments.csv),
    joined before parsing so a cut piece ("Linked To: LAZARUS GRO") is never read alone."""
    version = ListVersion(list_id, "OFAC", path.name, LAYOUT, date_in_name(path))
    out = SanctionsList(version)
    first = True
    for line_no, row in csv_rows(text, path, out.issues):
        if first and _is_header(row):
            first = False
            continue  # the header row some saved copies carry
        first = False
        if len(row) != SDN_COLUMNS or not row[0].strip().isdigit():
            reason = f"expected {SDN_COLUMNS} columns starting with a numeric ent_num, got {len(row)}"
            out.issues.append(LoadIssue(str(path), line_no, reason, ",".join(row)[:256]))
            continue
        _add_row(out, row, line_no, (continued or {}).get(row[0].strip(), ""))
    return out


def _add_row(out: SanctionsList, row: list[str], line_no: int, continuation: str = "") -> None:
    ent_num, name, sdn_type, program, _title, callsign, vtype, _tonnage, _grt, vflag, owner, remarks = (
        empty(c) for c in row
    )
    kind = _KINDS.get((sdn_type or "").lower(), OTHER)
    entry = Entry(
        entry_id=f"{out.version.list_id}:{ent_num}", kind=kind, name=name or "",
        callsign=callsign, flag=vflag, vessel_type=vtype, line_no=line_no,
        programs=[p.strip() for p in re.split(r"\]\s*\[", program or "") if p.strip()],
    )
    apply_remarks(entry, out.relations, (remarks or "") + continuation)
    if owner:
        out.relations.append(Relation(entry.entry_id, owner, "owner"))
    if not entry.name:
        out.issues.append(LoadIssue(out.version.source, line_no, "entry without a name", ",".join(row)[:256]))
        return
    out.entries.append(entry)


def _apply_alt(out: SanctionsList, text: str, path: Path) -> None:
    """alt.csv: ent_num, alt_num, alt_type (aka/fka/nka), alt_name, alt_remarks."""
    by_id = {e.entry_id.split(":", 1)[1]: e for e in out.entries}
    for line_no, row in csv_rows(text, path, out.issues):
        entry = by_id.get(row[0].strip()) if row else None
        alt_type, alt_name = (empty(row[2]) or "").lower() if len(row) > 3 else "", empty(row[3]) if len(row) > 3 else None
        if entry is None or not alt_name:
            why = "no name" if entry is not None else f"ent_num {row[0].strip()!r} is not in sdn.csv"
            out.issues.append(LoadIssue(str(path), line_no, f"alt.csv row skipped: {why}", ",".join(row)[:256]))
            continue
        if alt_type == "fka":
            if all(f.value != alt_name for f in entry.former):
                entry.former.append(FormerIdentity("name", alt_name))
        elif alt_name not in entry.aliases:
            entry.aliases.append(alt_name)


def _read_comments(path: Path) -> dict[str, str]:
    """sdn_comments.csv: ent_num, the continuation of that entry's Remarks."""
    return {row[0].strip(): row[1] for row in csv.reader(io.StringIO(read_text(path))) if len(row) >= 2}


def load(path: Path, list_id: str = "ofac_sdn") -> SanctionsList:
    """Load ``path`` = a folder holding ``sdn.csv`` or the ``sdn.csv`` file itself; companion
    files next to it are used when present."""
    sdn = path / "sdn.csv" if path.is_dir() else path
    if not sdn.is_file():
        raise InputError("no sdn.csv in this folder (expected the OFAC legacy CSV set)", path=path)
    comments = sdn.parent / "sdn_comments.csv"
    continued = _read_comments(comments) if comments.is_file() and comments != sdn else {}
    out = parse_sdn(read_text(sdn), path if path.is_dir() else sdn, list_id, continued)
    companions = ["sdn_comments.csv"] if continued else []
    alt = sdn.parent / "alt.csv"
    if alt.is_file() and alt != sdn:
        _apply_alt(out, read_text(alt), alt)
        companions.insert(0, "alt.csv")
    if companions:
        out.version = ListVersion(
            list_id, "OFAC", "+".join([sdn.name, *companions]), LAYOUT, out.version.published
        )
    return out
