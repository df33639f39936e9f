"""The normalised in-memory model every list loader produces and the matcher consumes.

A :class:`SanctionsList` is one published file (or file set) at one publication date: its
:class:`ListVersion`, its entries (vessels, companies, people...), the relations between
parties (owner, operator, "Linked To"), and the problems met while loading it (kept, with
line numbers, so nothing bad is silently dropped). A :class:`Registry` holds several lists
and flattens them into Polars frames keyed for blocking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from darkfleet.screen.normalise import (
    imo_valid_mask,
    normalise_callsigns,
    normalise_company_names,
    normalise_vessel_names,
)

VESSEL = "vessel"
COMPANY = "company"  # any organisation: company, legal entity, government body
PERSON = "person"
OTHER = "other"


@dataclass(frozen=True)
class ListVersion:
    """Which list, from which file, published when: reported with every match."""

    list_id: str  # "ofac_sdn", "eu_833_annex_xlii", "uk_sanctions_list", "ftm"
    publisher: str
    source: str  # file name(s) it was read from
    layout: str  # the loader that read it
    published: date | None = None

    @property
    def label(self) -> str:
        return f"{self.list_id}@{self.published.isoformat() if self.published else 'undated'}"


@dataclass
class FormerIdentity:
    """A name or flag a listed vessel carried before, as the list states it."""

    field: str  # "name" or "flag"
    value: str
    until: str | None = None  # the list's own wording of the date, when it gives one


@dataclass
class Entry:
    entry_id: str  # unique across lists: "<list_id>:<id in the list>"
    kind: str  # VESSEL / COMPANY / PERSON / OTHER
    name: str
    aliases: list[str] = field(default_factory=list)
    former: list[FormerIdentity] = field(default_factory=list)
    imo: int | None = None
    mmsi: int | None = None
    callsign: str | None = None
    flag: str | None = None
    vessel_type: str | None = None
    build_year: int | None = None
    programs: list[str] = field(default_factory=list)
    line_no: int | None = None  # where it starts in the source file


@dataclass
class Relation:
    """``subject`` (an entry) is tied to the party called ``object_name``."""

    subject_id: str
    object_name: str
    kind: str  # "owner", "operator", "manager", "linked_to", "former_owner"
    object_id: str | None = None  # when the other party is itself an entry


@dataclass
class LoadIssue:
    """A row the loader could not read fully; the rest of the file still loads."""

    path: str
    line_no: int | None
    reason: str
    raw: str = ""


@dataclass
class SanctionsList:
    version: ListVersion
    entries: list[Entry] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)

    @property
    def vessels(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == VESSEL]


_NAME_ROWS = {"key": pl.String, "entry_id": pl.String, "name": pl.String, "name_kind": pl.String, "until": pl.String}


def _names_frame(rows: list[dict], normalise) -> pl.DataFrame:
    """Name rows with ``name_norm``; a name that normalises to nothing, or twice to the same
    form for one entry, is kept once."""
    frame = pl.DataFrame(rows, schema=_NAME_ROWS)
    return frame.with_columns(name_norm=normalise(frame["name"])).filter(
        pl.col("name_norm").is_not_null()
    ).unique(["key", "name_norm"], keep="first", maintain_order=True)


def _key(lst: SanctionsList, entry_id: str) -> str:
    """Entry ids repeat across versions of one list: the key adds the version."""
    return f"{lst.version.label}|{entry_id}"


class Registry:
    """Several lists, flattened into frames the matcher joins on."""

    def __init__(self, lists: list[SanctionsList] | None = None) -> None:
        self.lists: list[SanctionsList] = list(lists or [])
        self._frames: dict[str, pl.DataFrame] = {}  # built once per registry: screening asks repeatedly

    def add(self, sanctions_list: SanctionsList) -> None:
        self.lists.append(sanctions_list)
        self._frames.clear()

    def _cached(self, name: str, build) -> pl.DataFrame:
        if name not in self._frames:
            self._frames[name] = build()
        return self._frames[name]

    @property
    def issues(self) -> list[LoadIssue]:
        return [i for lst in self.lists for i in lst.issues]

    def entries_frame(self) -> pl.DataFrame:
        """One row per entry with normalised identifiers, IMO validity and list version."""
        return self._cached("entries_frame", self._build_entries_frame)

    def _build_entries_frame(self) -> pl.DataFrame:
        rows = [
            {
                "key": _key(lst, e.entry_id), "entry_id": e.entry_id, "kind": e.kind, "name": e.name, "imo": e.imo, "mmsi": e.mmsi,
                "callsign": e.callsign, "flag": e.flag, "vessel_type": e.vessel_type,
                "build_year": e.build_year, "programs": "; ".join(e.programs),
                "list_id": lst.version.list_id, "list_version": lst.version.label,
                "published": lst.version.published,
            }
            for lst in self.lists
            for e in lst.entries
        ]
        schema = {
            "key": pl.String, "entry_id": pl.String, "kind": pl.String, "name": pl.String, "imo": pl.Int64,
            "mmsi": pl.Int64, "callsign": pl.String, "flag": pl.String, "vessel_type": pl.String,
            "build_year": pl.Int32, "programs": pl.String, "list_id": pl.String,
            "list_version": pl.String, "published": pl.Date,
        }
        frame = pl.DataFrame(rows, schema=schema)
        return frame.with_columns(
            imo_valid=imo_valid_mask(frame["imo"]),
            callsign_norm=normalise_callsigns(frame["callsign"]),
        )

    def vessel_names(self) -> pl.DataFrame:
        """Every name a listed vessel is known by: current, alias, former (with dates)."""
        return self._cached("vessel_names", self._build_vessel_names)

    def _build_vessel_names(self) -> pl.DataFrame:
        rows = []
        for lst in self.lists:
            for e in lst.vessels:
                k = _key(lst, e.entry_id)
                rows.append({"key": k, "entry_id": e.entry_id, "name": e.name, "name_kind": "current", "until": None})
                rows += [{"key": k, "entry_id": e.entry_id, "name": a, "name_kind": "alias", "until": None} for a in e.aliases]
                rows += [
                    {"key": k, "entry_id": e.entry_id, "name": f.value, "name_kind": "former", "until": f.until}
                    for f in e.former
                    if f.field == "name"
                ]
        return _names_frame(rows, normalise_vessel_names)

    def party_names(self) -> pl.DataFrame:
        """Every listed non-vessel party (companies and people) by normalised name."""
        return self._cached("party_names", self._build_party_names)

    def _build_party_names(self) -> pl.DataFrame:
        rows = [
            {"key": _key(lst, e.entry_id), "entry_id": e.entry_id, "name": n, "name_kind": "current" if n == e.name else "alias", "until": None}
            for lst in self.lists
            for e in lst.entries
            if e.kind in (COMPANY, PERSON, OTHER)
            for n in [e.name, *e.aliases]
        ]
        return _names_frame(rows, normalise_company_names)

    def relations_frame(self) -> pl.DataFrame:
        return self._cached("relations_frame", self._build_relations_frame)

    def _build_relations_frame(self) -> pl.DataFrame:
        rows = [
            {"key": _key(lst, r.subject_id), "subject_id": r.subject_id, "object_name": r.object_name, "kind": r.kind, "object_id": r.object_id}
            for lst in self.lists
            for r in lst.relations
        ]
        frame = pl.DataFrame(
            rows, schema={"key": pl.String, "subject_id": pl.String, "object_name": pl.String, "kind": pl.String, "object_id": pl.String}
        )
        return frame.with_columns(object_norm=normalise_company_names(frame["object_name"]))
