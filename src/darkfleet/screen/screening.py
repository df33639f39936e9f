"""Screening entry point: vessels (and their former identities) plus owners and managers
against a registry, and the per-vessel JSON that goes into ``vessels.sanctions``."""

from __future__ import annotations

import polars as pl

from darkfleet.errors import InputError
from darkfleet.screen.companies import screen_companies
from darkfleet.screen.match import HIT, MATCH_SCHEMA, MatchConfig, screen_vessels
from darkfleet.screen.registry import Registry

_LEVEL_ORDER = {HIT: 0, "review": 1}


def screen(
    registry: Registry,
    vessels: pl.DataFrame,
    identities: pl.DataFrame | None = None,
    config: MatchConfig | None = None,
) -> pl.DataFrame:
    """All matches (schema :data:`darkfleet.screen.match.MATCH_SCHEMA`), hits first, best score first.

    ``vessels``: ``mmsi`` plus any of imo, name, callsign, flag, ship_type, build_year, owner,
    manager. ``identities``: identities seen earlier (mmsi, imo, name, callsign,
    first_seen_utc, last_seen_utc), matched as ``identity = "former"`` with their dates.
    """
    if "mmsi" not in vessels.columns:
        raise InputError("vessels to screen need an 'mmsi' column", columns=", ".join(vessels.columns))
    missing = vessels["mmsi"].is_null()
    if missing.any():
        first = int(missing.arg_true()[0]) + 1
        raise InputError(f"{int(missing.sum())} vessel row(s) without an MMSI (first: row {first}); screening needs one per vessel")
    found = pl.concat([screen_vessels(registry, vessels, identities, config), screen_companies(registry, vessels)])
    return found.with_columns(_rank=pl.col("level").replace_strict(_LEVEL_ORDER, return_dtype=pl.Int8)).sort(
        ["mmsi", "_rank", "score"], descending=[False, False, True]
    ).drop("_rank")


def sanctions_json(matches: pl.DataFrame) -> pl.DataFrame:
    """``mmsi`` -> ``sanctions``: a JSON list of that vessel's matches (vectorised encoding)."""
    if matches.height == 0:
        return pl.DataFrame(schema={"mmsi": pl.Int64, "sanctions": pl.String})
    record = pl.struct(
        pl.col("list_id").alias("list"), "list_version", "entry_id", "entry_name", "level", "score",
        pl.col("matched_fields").alias("fields"), "via", "hops", "related_party", "identity",
        pl.col("first_seen_utc").dt.to_string("%Y-%m-%dT%H:%M:%SZ").alias("seen_from_utc"),
        pl.col("last_seen_utc").dt.to_string("%Y-%m-%dT%H:%M:%SZ").alias("seen_to_utc"),
        "matched_name", "name_kind", "name_score", "name_mismatch", pl.col("query_imo_invalid").alias("imo_check_digit_bad"),
    ).struct.json_encode()
    return (
        matches.with_columns(_json=record)
        .group_by("mmsi", maintain_order=True)
        .agg(sanctions=pl.lit("[") + pl.col("_json").str.join(",") + pl.lit("]"))
    )


def empty_matches() -> pl.DataFrame:
    return pl.DataFrame(schema=MATCH_SCHEMA)
