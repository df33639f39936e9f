"""Sanctions lists in the embedded DuckDB store, one row set per list version.

``lists update`` replaces the rows of the same version (same list and publication date) and
keeps older versions, so a screening result can always name the version that matched.
Screening takes each entry from the newest stored version that contains it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl
import pyarrow as pa

from darkfleet import schema
from darkfleet.screen.registry import (
    Entry,
    FormerIdentity,
    ListVersion,
    LoadIssue,
    Registry,
    Relation,
    SanctionsList,
)
from darkfleet.store import Store

LISTS = pa.schema([
    ("list_version", pa.string()), ("list_id", pa.string()), ("publisher", pa.string()), ("source", pa.string()),
    ("layout", pa.string()), ("published_utc", schema.UTC_TS), ("loaded_utc", schema.UTC_TS),
    ("entries", pa.int64()), ("vessels", pa.int64()), ("issues", pa.int64()),
])
ENTRIES = pa.schema([
    ("list_version", pa.string()), ("entry_id", pa.string()), ("kind", pa.string()), ("name", pa.string()),
    ("aliases", pa.string()), ("former", pa.string()), ("imo", pa.int64()), ("mmsi", pa.int64()),
    ("callsign", pa.string()), ("flag", pa.string()), ("vessel_type", pa.string()), ("build_year", pa.int32()),
    ("programs", pa.string()), ("line_no", pa.int64()),
])
RELATIONS = pa.schema([
    ("list_version", pa.string()), ("subject_id", pa.string()), ("object_name", pa.string()),
    ("kind", pa.string()), ("object_id", pa.string()),
])
ISSUES = pa.schema([
    ("list_version", pa.string()), ("path", pa.string()), ("line_no", pa.int64()), ("reason", pa.string()), ("raw", pa.string()),
])
TABLES = {"sanctions_lists": LISTS, "sanctions_entries": ENTRIES, "sanctions_relations": RELATIONS, "sanctions_issues": ISSUES}


def _utc(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def save_list(store: Store, lst: SanctionsList) -> None:
    """Store one list version, replacing an earlier load of the same version."""
    label = lst.version.label
    rows = {
        "sanctions_lists": [{
            "list_version": label, "list_id": lst.version.list_id, "publisher": lst.version.publisher,
            "source": lst.version.source, "layout": lst.version.layout, "published_utc": _utc(lst.version.published),
            "loaded_utc": datetime.now(UTC), "entries": len(lst.entries), "vessels": len(lst.vessels), "issues": len(lst.issues),
        }],
        "sanctions_entries": [{
            "list_version": label, "entry_id": e.entry_id, "kind": e.kind, "name": e.name, "aliases": json.dumps(e.aliases),
            "former": json.dumps([f.__dict__ for f in e.former]), "imo": e.imo, "mmsi": e.mmsi, "callsign": e.callsign,
            "flag": e.flag, "vessel_type": e.vessel_type, "build_year": e.build_year, "programs": json.dumps(e.programs),
            "line_no": e.line_no,
        } for e in lst.entries],
        "sanctions_relations": [{"list_version": label, **r.__dict__} for r in lst.relations],
        "sanctions_issues": [{"list_version": label, **i.__dict__} for i in lst.issues],
    }
    with store.transaction() as con:
        for table, table_schema in TABLES.items():
            store.ensure_table(table, table_schema)
            con.execute(f'DELETE FROM "{table}" WHERE list_version = ?', [label])
            store.append(table, pa.Table.from_pylist(rows[table], schema=table_schema))


def list_versions(store: Store) -> pl.DataFrame:
    if not store.has_table("sanctions_lists"):
        return pl.from_arrow(LISTS.empty_table())
    return pl.from_arrow(store.arrow("SELECT * FROM sanctions_lists ORDER BY list_id, published_utc"))


def load_registry(store: Store, all_versions: bool = False) -> Registry:
    """The stored lists as a :class:`Registry`.

    By default each entry comes from the newest stored version of its list that contains it: a
    newer file replaces what it repeats, while a partial file (a sample, an amendment) does not
    hide the entries only an older full version has; every match still names its version.
    ``all_versions`` keeps every version's copy.
    """
    versions = list_versions(store)
    registry = Registry()
    seen: set[tuple[str, str]] = set()
    newest_first = versions.sort(["published_utc", "loaded_utc"], descending=True, nulls_last=True)
    for v in newest_first.iter_rows(named=True):
        lst = _stored_list(store, v)
        if not all_versions:
            lst.entries = [e for e in lst.entries if (v["list_id"], e.entry_id) not in seen]
            kept = {e.entry_id for e in lst.entries}
            lst.relations = [r for r in lst.relations if r.subject_id in kept]
            seen.update((v["list_id"], e) for e in kept)
        if lst.entries:
            registry.add(lst)
    return registry


def _stored_list(store: Store, version: dict) -> SanctionsList:
    label = version["list_version"]
    published = version["published_utc"].date() if version["published_utc"] else None
    lst = SanctionsList(ListVersion(version["list_id"], version["publisher"], version["source"], version["layout"], published))
    entries = store.arrow("SELECT * FROM sanctions_entries WHERE list_version = ?", [label]).to_pylist()
    lst.entries = [
        Entry(
            entry_id=r["entry_id"], kind=r["kind"], name=r["name"], aliases=json.loads(r["aliases"]),
            former=[FormerIdentity(**f) for f in json.loads(r["former"])], imo=r["imo"], mmsi=r["mmsi"],
            callsign=r["callsign"], flag=r["flag"], vessel_type=r["vessel_type"], build_year=r["build_year"],
            programs=json.loads(r["programs"]), line_no=r["line_no"],
        )
        for r in entries
    ]
    relations = store.arrow("SELECT * FROM sanctions_relations WHERE list_version = ?", [label]).to_pylist()
    lst.relations = [Relation(r["subject_id"], r["object_name"], r["kind"], r["object_id"]) for r in relations]
    issues = store.arrow("SELECT * FROM sanctions_issues WHERE list_version = ?", [label]).to_pylist()
    lst.issues = [LoadIssue(r["path"], r["line_no"], r["reason"], r["raw"]) for r in issues]
    return lst
