"""The embedded store: one DuckDB file holding positions, static, rejects, sources,
events, vessels and sanctions lists.

Writers append inside :meth:`Store.transaction` so a killed process never leaves a half
batch visible. Tables are created from the Arrow schemas in :mod:`darkfleet.schema`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from darkfleet import schema
from darkfleet.errors import StoreError

# Large sources are written batch by batch into these, then moved in one transaction.
STAGING_PREFIX = "_staging_"

# The tables ``darkfleet ingest`` writes (see docs/schema.md).
INGEST_TABLES = {
    "positions": schema.POSITIONS,
    "static": schema.STATIC,
    "rejects": schema.REJECTS,
    "sources": schema.SOURCES,
}

_DUCK_TYPES = {
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float32(): "REAL",
    pa.float64(): "DOUBLE",
    pa.string(): "VARCHAR",
    pa.large_string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
}


def ddl(table: str, schema: pa.Schema) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for an Arrow schema."""
    cols = []
    for field in schema:
        try:
            cols.append(f'"{field.name}" {_DUCK_TYPES[field.type]}')
        except KeyError as exc:
            raise StoreError(f"no DuckDB type for column {field.name} ({field.type})") from exc
    return f'CREATE TABLE IF NOT EXISTS "{table}" ({", ".join(cols)})'


class Store:
    """A DuckDB database file. Use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only and not self.path.exists():
            raise StoreError("database does not exist: run 'darkfleet ingest' first", path=self.path)
        if not read_only and str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)  # "created if absent", like every --out folder
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
            self.con.execute("SET TimeZone = 'UTC'")
        except duckdb.Error as exc:
            raise StoreError(f"cannot open database: {exc}", path=self.path) from exc

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def ensure_table(self, name: str, schema: pa.Schema) -> None:
        self.con.execute(ddl(name, schema))

    def has_table(self, name: str) -> bool:
        # fetchall, not fetchone: DuckDB 2 keeps a half-fetched result open on the connection.
        rows = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchall()
        return bool(rows and rows[0][0])

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All writes inside commit together or not at all."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    def append(self, name: str, table: pa.Table) -> None:
        """Append an Arrow table (columns in the table's schema order) to ``name``."""
        if table.num_rows == 0:
            return
        self.con.register("_darkfleet_append", table)
        try:
            cols = ", ".join(f'"{c}"' for c in table.column_names)
            self.con.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM _darkfleet_append')
        finally:
            self.con.unregister("_darkfleet_append")

    def replace(self, name: str, schema: pa.Schema, table: pa.Table) -> None:
        """Replace the whole content of ``name`` (e.g. events after a full detect run)."""
        self.ensure_table(name, schema)
        self.con.execute(f'DELETE FROM "{name}"')
        self.append(name, table)

    def arrow(self, sql: str, params: list | None = None) -> pa.Table:
        return self.con.sql(sql, params=params or None).to_arrow_table()

    def ensure_ingest_tables(self) -> None:
        """Create positions, static, rejects and sources if they do not exist yet."""
        for name, table_schema in INGEST_TABLES.items():
            self.ensure_table(name, table_schema)

    def drop_staging(self) -> None:
        """Remove staging tables a killed staged ingest left behind (never visible data)."""
        for name in ("positions", "static", "rejects"):
            self.con.execute(f'DROP TABLE IF EXISTS "{STAGING_PREFIX}{name}"')

    def create_staging(self) -> None:
        """Fresh, empty staging copies of positions, static and rejects."""
        self.drop_staging()
        for name in ("positions", "static", "rejects"):
            self.ensure_table(STAGING_PREFIX + name, INGEST_TABLES[name])

    def promote_staging(self) -> None:
        """Move staged rows into the real tables (call inside the transaction that commits them)."""
        for name in ("positions", "static", "rejects"):
            self.con.execute(f'INSERT INTO "{name}" SELECT * FROM "{STAGING_PREFIX}{name}"')
        self.drop_staging()

    def known_content(self) -> set[str]:
        """SHA-256 of every source already ingested (for re-ingest dedupe)."""
        if not self.has_table("sources"):
            return set()
        return {row[0] for row in self.con.execute("SELECT content_sha256 FROM sources").fetchall()}

    def next_source_id(self) -> int:
        """The id the next ingested source gets (call inside the writing transaction)."""
        if not self.has_table("sources"):
            return 1
        rows = self.con.execute("SELECT coalesce(max(source_id), 0) + 1 FROM sources").fetchall()
        return int(rows[0][0])
