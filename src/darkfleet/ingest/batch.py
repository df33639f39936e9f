"""The contract between readers and the ingest driver.

A reader is ``read(source: Source, options: ReadOptions) -> Iterator[Batch]``. Readers
stream: each batch holds a bounded number of input lines. Every input line (or CSV row)
is accounted for exactly once in ``Batch.counts``: decoded, skipped by a rule (with a
reason), or rejected (with a reason, and a row in ``Batch.rejects``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

import pyarrow as pa

from darkfleet import schema


@dataclass(frozen=True)
class Source:
    """One input (a file, or one member of an archive)."""

    name: str  # what messages show: path, or "archive.zip:member"
    source_id: int
    open: Callable[[], IO[bytes]]  # opens a fresh binary stream, decompressed
    size_bytes: int | None = None
    path: Path | None = None


@dataclass(frozen=True)
class ReadOptions:
    format: str = "auto"
    assume_time: datetime | None = None  # for NMEA without any timestamp
    columns: dict[str, str] | None = None  # canonical name -> input column (generic CSV)
    strict: bool = False
    batch_lines: int = 1_000_000


@dataclass
class Counts:
    lines_read: int = 0
    decoded: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    positions: int = 0
    static: int = 0

    def add(self, other: "Counts") -> None:
        self.lines_read += other.lines_read
        self.decoded += other.decoded
        self.skipped.update(other.skipped)
        self.rejected.update(other.rejected)
        self.positions += other.positions
        self.static += other.static

    @property
    def balanced(self) -> bool:
        """Every line read ended as exactly one of decoded, skipped or rejected."""
        return self.lines_read == self.decoded + sum(self.skipped.values()) + sum(self.rejected.values())

    def to_json(self) -> dict:
        return {
            "lines_read": self.lines_read,
            "decoded": self.decoded,
            "skipped": dict(sorted(self.skipped.items())),
            "rejected": dict(sorted(self.rejected.items())),
            "positions": self.positions,
            "static": self.static,
            "balanced": self.balanced,
        }


@dataclass
class Batch:
    positions: pa.Table
    static: pa.Table
    rejects: pa.Table
    counts: Counts

    @classmethod
    def empty(cls) -> "Batch":
        return cls(
            schema.empty_table(schema.POSITIONS),
            schema.empty_table(schema.STATIC),
            schema.empty_table(schema.REJECTS),
            Counts(),
        )
