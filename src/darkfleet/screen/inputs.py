"""Where vessels to screen come from (a vessels file, the store) and where matches go."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from darkfleet.errors import InputError
from darkfleet.screen.lists import load_registry as load_list_files
from darkfleet.screen.match import IDENTITY_COLUMNS, MATCH_SCHEMA, QUERY_COLUMNS
from darkfleet.screen.registry import Registry
from darkfleet.screen.store import load_registry
from darkfleet.store import Store

MATCHES_TABLE = "sanctions_matches"


def read_vessels_file(path: Path) -> pl.DataFrame:
    """A Parquet or CSV vessels file with at least ``mmsi``."""
    try:
        frame = pl.read_parquet(path) if path.suffix.lower() == ".parquet" else pl.read_csv(path, infer_schema_length=10_000)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"cannot read vessels file: {exc}", path=path) from exc
    if "mmsi" not in frame.columns:
        raise InputError(f"vessels file has no 'mmsi' column (columns: {', '.join(frame.columns)})", path=path)
    keep = [c for c in QUERY_COLUMNS if c in frame.columns]
    return frame.select(keep)


def registry_for(list_files: tuple[Path, ...], db: Path | None) -> Registry:
    """List files when given, else the lists stored in ``db``; refuses to screen against nothing."""
    if list_files:
        return load_list_files(list(list_files))
    if db is None:
        raise InputError("no lists to screen against: give --lists FILE... or a --db with 'darkfleet lists update' done")
    with Store(db, read_only=True) as store:
        return stored_registry(store)


def stored_registry(store: Store) -> Registry:
    """The lists stored in an open store; refuses to screen against nothing."""
    registry = load_registry(store)
    if not registry.lists:
        raise InputError("the store holds no sanctions lists: run 'darkfleet lists update --from FILE --db DB'",
                         path=store.path)
    return registry


def vessels_from_store(store: Store, prefer_static: bool = False) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """(current vessels, every identity seen with its first/last time) from the store.

    The ``vessels`` table (written by scoring) takes precedence unless ``prefer_static``;
    otherwise each MMSI's latest static report gives its current identity. The ``static``
    history gives former identities.
    """
    has_static = store.has_table("static")
    if not (prefer_static and has_static) and store.has_table("vessels") and _count(store, "vessels"):
        cols = [c for c in QUERY_COLUMNS if c in _columns(store, "vessels")]
        vessels = pl.from_arrow(store.arrow(f"SELECT {', '.join(cols)} FROM vessels"))
    elif has_static:
        # latest non-null value of each field: one bad report must not erase a known IMO
        vessels = pl.from_arrow(store.arrow(
            "SELECT mmsi, "
            + ", ".join(f"arg_max({c}, timestamp_utc) FILTER (WHERE {c} IS NOT NULL) AS {c}"
                        for c in ("imo", "name", "callsign", "ship_type"))
            + " FROM static GROUP BY mmsi"
        ))
    else:
        raise InputError("the store has neither vessels nor static reports: run 'darkfleet ingest' first", path=store.path)
    identities = _identities(store) if has_static else None
    return vessels.cast({c: t for c, t in QUERY_COLUMNS.items() if c in vessels.columns}), identities  # type: ignore[arg-type]


_SEEN = "min(s.timestamp_utc) AS first_seen_utc, max(s.timestamp_utc) AS last_seen_utc"
_ANY_ID = "(s.imo IS NOT NULL OR s.name IS NOT NULL OR s.callsign IS NOT NULL)"


def _identities(store: Store) -> pl.DataFrame:
    """Every (IMO, name, call sign) each MMSI broadcast, with first/last time seen; after a
    detected MMSI change (reflagging), the old MMSI's identities count for the new MMSI too."""
    sql = f"SELECT s.mmsi, s.mmsi AS broadcast_mmsi, s.imo, s.name, s.callsign, {_SEEN} FROM static s WHERE {_ANY_ID} GROUP BY ALL"
    if store.has_table("events"):
        sql += (
            f" UNION ALL SELECT e.mmsi, s.mmsi AS broadcast_mmsi, s.imo, s.name, s.callsign, {_SEEN}"
            " FROM events e JOIN static s ON s.mmsi = e.other_mmsi"
            " WHERE e.event_type = 'identity_change' AND json_extract_string(e.details, '$.field') = 'mmsi'"
            f" AND {_ANY_ID} GROUP BY ALL"
        )
    return pl.from_arrow(store.arrow(sql)).cast(IDENTITY_COLUMNS)  # type: ignore[arg-type]


def _count(store: Store, table: str) -> int:
    return int(store.arrow(f'SELECT count(*) AS n FROM "{table}"').column("n")[0].as_py())


def _columns(store: Store, table: str) -> set[str]:
    rows = store.arrow("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])
    return set(rows.column("column_name").to_pylist())


def write_matches(db: Path, matches: pl.DataFrame) -> None:
    """Replace the store's ``sanctions_matches`` with this run's matches."""
    with Store(db) as store:
        store_matches(store, matches)


def store_matches(store: Store, matches: pl.DataFrame) -> None:
    """:func:`write_matches` on an open, writable store."""
    table = matches.select(list(MATCH_SCHEMA)).with_columns(pl.col("matched_fields").list.join(","))
    arrow = table.to_arrow()
    with store.transaction() as con:
        con.register("_matches", arrow)
        con.execute(f'CREATE OR REPLACE TABLE "{MATCHES_TABLE}" AS SELECT * FROM _matches')
        con.unregister("_matches")
