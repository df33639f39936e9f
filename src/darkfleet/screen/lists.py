"""Recognise a list file's layout from its content and load it with the right loader."""

from __future__ import annotations

import csv
import dataclasses
from datetime import date
from pathlib import Path

from darkfleet.errors import InputError
from darkfleet.screen import eu, ftm, ofac_csv, ofac_xml, uk
from darkfleet.screen._io import read_text
from darkfleet.screen.registry import Registry, SanctionsList

SUPPORTED_LAYOUTS = (
    "OFAC SDN legacy CSV (sdn.csv, or a folder with sdn.csv/alt.csv/add.csv/sdn_comments.csv)",
    "OFAC sdn.xml",
    "EU Regulation 833/2014 annexes CSV (OpenSanctions transcription, Annex XLII vessels)",
    "UK Sanctions List CSV or XML (FCDO)",
    "FollowTheMoney JSON lines (.json/.jsonl/.ftm.json)",
)


def detect_layout(path: Path) -> str:
    """The loader name for ``path``; :class:`InputError` naming the supported layouts otherwise."""
    if path.is_dir():
        if (path / "sdn.csv").is_file():
            return ofac_csv.LAYOUT
        raise _unknown(path, "folder without sdn.csv")
    head = read_text(path)[:8192]
    stripped = head.lstrip()
    if stripped.startswith("<"):
        if "<sdnList" in head:
            return ofac_xml.LAYOUT
        if "<Designations" in head:
            return uk.LAYOUT_XML
        raise _unknown(path, "XML with an unknown root element")
    first_line = stripped.splitlines()[0] if stripped else ""
    if first_line.startswith("{"):
        if ftm.looks_like_ftm(first_line):
            return ftm.LAYOUT
        raise _unknown(path, "JSON lines that are not FollowTheMoney entities")
    rows = list(csv.reader(head.splitlines()[:20]))
    if first_line.lower().startswith("report date") and len(rows) > 1 and uk.header_matches(rows[1]):
        return uk.LAYOUT_CSV
    if rows and uk.header_matches(rows[0]):
        return uk.LAYOUT_CSV
    if rows and eu.header_matches(rows[0]):
        return eu.LAYOUT
    # OFAC rows: numeric ent_num and 12 columns; a few malformed rows must not hide the layout
    data_rows = [r for r in rows if r and r[0].strip().isdigit()]
    if data_rows and sum(len(r) == ofac_csv.SDN_COLUMNS for r in data_rows) * 2 > len(data_rows):
        return ofac_csv.LAYOUT
    raise _unknown(path, "unrecognised header or columns")


def _unknown(path: Path, why: str) -> InputError:
    supported = "; ".join(SUPPORTED_LAYOUTS)
    return InputError(f"unknown sanctions list layout ({why}); supported layouts: {supported}", path=path)


_LOADERS = {
    ofac_csv.LAYOUT: ofac_csv.load,
    ofac_xml.LAYOUT: ofac_xml.load,
    eu.LAYOUT: eu.load,
    uk.LAYOUT_CSV: uk.load_csv,
    uk.LAYOUT_XML: uk.load_xml,
    ftm.LAYOUT: ftm.load,
}


def load_list(path: str | Path, list_id: str | None = None, published: date | None = None) -> SanctionsList:
    """Load one list file or OFAC folder. ``published`` overrides a date the file lacks."""
    path = Path(path)
    if not path.exists():
        raise InputError("list file not found", path=path)
    layout = detect_layout(path)
    loader = _LOADERS[layout]
    loaded = loader(path, list_id) if list_id else loader(path)
    if published is not None:
        loaded.version = dataclasses.replace(loaded.version, published=published)
    return loaded


def load_registry(paths: list[str | Path]) -> Registry:
    return Registry([load_list(p) for p in paths])
