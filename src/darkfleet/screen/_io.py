"""Reading list files: text decoding and dates printed in the lists' own formats."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from darkfleet.errors import InputError
from darkfleet.screen.registry import LoadIssue


def read_text(path: Path) -> str:
    """The file as text. Official lists come as UTF-8 or Windows-1252 (OFAC's legacy CSVs),
    sometimes ending with a DOS end-of-file byte (0x1A)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read list file: {exc.strerror}", path=path) from exc
    if not data.strip():
        raise InputError("list file is empty", path=path)
    if b"\x00" in data[:4096]:
        raise InputError("list file is binary, not a text list", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.rstrip("\x1a\r\n ") + "\n"


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def date_in_name(path: Path) -> date | None:
    """A publication date written into the file or folder name ("...-2023-01-21-...")."""
    for part in (path.name, path.parent.name):
        found = _ISO.search(part)
        if found:
            try:
                return date(int(found[1]), int(found[2]), int(found[3]))
            except ValueError:
                return None
    return None


def parse_date(text: str | None, formats: tuple[str, ...] = ("%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d")) -> date | None:
    """First format that parses; ``None`` when none does (the caller reports it)."""
    if not text:
        return None
    value = text.strip().split(" ")[0]
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def csv_rows(text: str, path: Path, issues: list[LoadIssue]) -> Iterator[tuple[int, list[str]]]:
    """(line number where the row starts, cells) for every non-blank CSV row; a row the CSV
    parser cannot read is appended to ``issues`` and skipped."""
    reader = csv.reader(io.StringIO(text))
    while True:
        line_no = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            issues.append(LoadIssue(str(path), line_no, f"unreadable CSV row: {exc}"))
            continue
        if row and any(c.strip(" \x1a") for c in row):  # not blank, nor the DOS end-of-file byte
            yield line_no, row
