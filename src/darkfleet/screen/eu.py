"""EU Regulation 833/2014 annexes as transcribed by OpenSanctions (``eu-reg-833-2014-annexes.csv``).

Annex XLII is the vessel list (the "shadow fleet" barred from EU ports): ``schema`` =
``Vessel`` rows with ``name`` and ``imoNumber``. Only vessel rows are loaded: the other
annexes restrict exports to end users and are not ownership sanctions. Entity cells are
multi-valued, ``;``-separated, CSV-quoted inside the cell (see the file's FORMAT.md).
"""

from __future__ import annotations

import csv
from pathlib import Path

from darkfleet.screen._io import csv_rows, date_in_name, read_text
from darkfleet.screen.normalise import parse_imo
from darkfleet.screen.registry import VESSEL, Entry, FormerIdentity, ListVersion, LoadIssue, SanctionsList

LAYOUT = "eu-833-annexes-csv"
REQUIRED = ("schema", "name", "imoNumber", "annex")


def _values(cell: str | None) -> list[str]:
    """Split a multi-valued cell ("Foo; Bar" or '"Foo; Bar"; Baz') losslessly."""
    if not cell or not cell.strip():
        return []
    row = next(csv.reader([cell], delimiter=";", skipinitialspace=True), [])
    return [v.strip() for v in row if v.strip()]


def header_matches(header: list[str]) -> bool:
    return all(col in header for col in REQUIRED) and ("celex" in header or "amendmentCelex" in header)


def load(path: Path, list_id: str = "eu_833_annex_xlii") -> SanctionsList:
    out = SanctionsList(ListVersion(list_id, "EU", path.name, LAYOUT, date_in_name(path)))
    rows = csv_rows(read_text(path), path, out.issues)
    _, header = next(rows)
    width = len(header)
    col = {name: i for i, name in enumerate(header)}
    for line_no, row in rows:
        if len(row) != width:
            out.issues.append(LoadIssue(str(path), line_no, f"expected {width} cells, got {len(row)}", ",".join(row)[:256]))
            continue
        if row[col["schema"]] != "Vessel":
            continue
        _add_vessel(out, row, col, line_no, path)
    return out


def _add_vessel(out: SanctionsList, row: list[str], col: dict[str, int], line_no: int, path: Path) -> None:
    cell = lambda name: row[col[name]] if name in col else ""  # noqa: E731
    name = cell("name").strip()
    imos = _values(cell("imoNumber"))
    imo = parse_imo(imos[0]) if imos else None
    if not name and imo is None:
        out.issues.append(LoadIssue(str(path), line_no, "vessel row without a name or IMO", ",".join(row)[:256]))
        return
    if imos and imo is None:
        out.issues.append(LoadIssue(str(path), line_no, f"IMO number not 7 digits: {imos[0]!r}", ",".join(row)[:256]))
    mmsis = [m for m in _values(cell("mmsi")) if m.isdigit()]
    flags = _values(cell("flag"))
    record = cell("recordId").strip() or f"line{line_no}"
    out.entries.append(
        Entry(
            entry_id=f"{out.version.list_id}:{cell('annex') or 'X'}-{record}", kind=VESSEL,
            name=name or str(imo), aliases=_values(cell("alias")) + _values(cell("weakAlias")),
            former=[FormerIdentity("name", n) for n in _values(cell("previousName"))],
            imo=imo, mmsi=int(mmsis[0]) if mmsis else None, flag=flags[0] if flags else None,
            programs=[p for p in (cell("programKey"), cell("annex")) if p], line_no=line_no,
        )
    )
