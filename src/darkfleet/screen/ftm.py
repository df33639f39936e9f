"""FollowTheMoney JSON lines (OpenSanctions exports, the simulator's sanctioned registry).

One entity per line: ``{"id", "schema", "properties": {prop: [values]}}``. Read: ``Vessel``
(name, alias, previousName, imoNumber, mmsi, callSign, flag, pastFlags, type, buildDate,
owner, operator), ``Company``/``Organization``/``LegalEntity``/``Person`` (name, alias),
``Ownership`` (owner -> asset) and ``Sanction`` (entity, program, authority, dates).

An entity is *listed* when a ``Sanction`` points at it or its ``topics`` include
``sanction``; a file with neither (a bare registry of sanctioned ships) lists every vessel and
party in it. Parties that are not listed still count as relations (ownership hops).
"""

from __future__ import annotations

import json
from pathlib import Path

from darkfleet.screen._io import date_in_name, read_text
from darkfleet.screen.normalise import parse_imo
from darkfleet.screen.registry import (
    COMPANY,
    PERSON,
    VESSEL,
    Entry,
    FormerIdentity,
    ListVersion,
    LoadIssue,
    Relation,
    SanctionsList,
)

LAYOUT = "ftm-json-lines"
_PARTY_KINDS = {"Company": COMPANY, "Organization": COMPANY, "LegalEntity": COMPANY, "PublicBody": COMPANY,
                "Person": PERSON}


def looks_like_ftm(first_line: str) -> bool:
    try:
        obj = json.loads(first_line)
    except ValueError:
        return False
    return isinstance(obj, dict) and "schema" in obj and "properties" in obj


def _first(props: dict, key: str) -> str | None:
    values = props.get(key) or []
    return str(values[0]).strip() if values else None


def load(path: Path, list_id: str = "ftm") -> SanctionsList:
    out = SanctionsList(ListVersion(list_id, "FollowTheMoney", path.name, LAYOUT, date_in_name(path)))
    entities: dict[str, dict] = {}
    lines: dict[str, int] = {}
    for line_no, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not obj.get("id") or not obj.get("schema"):
                raise ValueError("an entity needs 'id' and 'schema'")
        except ValueError as exc:
            out.issues.append(LoadIssue(str(path), line_no, f"not a FollowTheMoney entity: {exc}", line[:256]))
            continue
        obj.setdefault("properties", {})
        entities[obj["id"]] = obj
        lines[obj["id"]] = line_no
    sanctioned = _sanctioned_ids(entities)
    names = {eid: _first(e["properties"], "name") or eid for eid, e in entities.items()}
    for eid, obj in entities.items():
        schema, props = obj["schema"], obj["properties"]
        if schema == "Vessel" and eid in sanctioned:
            out.entries.append(_vessel(list_id, eid, props, lines[eid]))
            for kind in ("owner", "operator"):
                for ref in props.get(kind) or []:
                    out.relations.append(Relation(f"{list_id}:{eid}", names.get(ref, ref), kind, f"{list_id}:{ref}"))
        elif schema in _PARTY_KINDS and eid in sanctioned:
            out.entries.append(Entry(f"{list_id}:{eid}", _PARTY_KINDS[schema], names[eid],
                                     aliases=list(props.get("alias") or []), line_no=lines[eid]))
        elif schema == "Ownership":
            for owner in props.get("owner") or []:
                for asset in props.get("asset") or []:
                    out.relations.append(Relation(f"{list_id}:{asset}", names.get(owner, owner), "owner", f"{list_id}:{owner}"))
    _add_programs(out, entities, list_id)
    return out


def _sanctioned_ids(entities: dict[str, dict]) -> set[str]:
    targeted = {t for e in entities.values() if e["schema"] == "Sanction" for t in e["properties"].get("entity") or []}
    targeted |= {eid for eid, e in entities.items() if "sanction" in (e.get("topics") or e["properties"].get("topics") or [])}
    if targeted:
        return targeted
    return {eid for eid, e in entities.items() if e["schema"] == "Vessel" or e["schema"] in _PARTY_KINDS}


def _vessel(list_id: str, eid: str, props: dict, line_no: int) -> Entry:
    imo, mmsi, year = _first(props, "imoNumber"), _first(props, "mmsi"), _first(props, "buildDate")
    names = [str(n) for n in props.get("name") or []]
    return Entry(
        entry_id=f"{list_id}:{eid}", kind=VESSEL, name=names[0] if names else eid,
        aliases=names[1:] + [str(a) for a in props.get("alias") or []],
        former=[FormerIdentity("name", str(n)) for n in props.get("previousName") or []]
        + [FormerIdentity("flag", str(f)) for f in props.get("pastFlags") or []],
        imo=parse_imo(imo), mmsi=int(mmsi) if mmsi and mmsi.isdigit() else None,
        callsign=_first(props, "callSign"), flag=_first(props, "flag"), vessel_type=_first(props, "type"),
        build_year=int(year[:4]) if year and year[:4].isdigit() else None, line_no=line_no,
    )


def _add_programs(out: SanctionsList, entities: dict[str, dict], list_id: str) -> None:
    by_id = {e.entry_id: e for e in out.entries}
    for obj in entities.values():
        if obj["schema"] != "Sanction":
            continue
        props = obj["properties"]
        program = _first(props, "program") or _first(props, "authority")
        for target in props.get("entity") or []:
            if (entry := by_id.get(f"{list_id}:{target}")) and program and program not in entry.programs:
                entry.programs.append(program)
