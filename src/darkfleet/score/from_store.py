"""Screen and score every vessel of a store: what ``darkfleet score`` and ``darkfleet detect --out`` share."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa

from darkfleet import schema
from darkfleet.errors import InputError
from darkfleet.score.config import RiskConfig
from darkfleet.score.risk import score_vessels
from darkfleet.store import Store


def score_store(store: Store, config: RiskConfig | None = None, *, events: pl.DataFrame | None = None,
                vessels: pl.DataFrame | None = None,
                list_files: tuple[Path, ...] = ()) -> tuple[pa.Table, pl.DataFrame | None]:
    """Rewrite the store's ``vessels`` (and ``sanctions_matches``) tables; returns (vessels, matches).

    Vessels default to each MMSI's latest static report (or, without any, the MMSIs of the
    events), events to the store's ``events``.
    Sanctions are screened when list files are given or the store holds lists; otherwise the
    score rests on behaviour alone and ``matches`` is ``None``.
    """
    from darkfleet.screen.inputs import stored_registry, store_matches, vessels_from_store
    from darkfleet.screen.lists import load_registry as load_list_files
    from darkfleet.screen.match import QUERY_COLUMNS
    from darkfleet.screen.screening import screen

    if store.has_table("static") or store.has_table("vessels"):
        current, identities = vessels_from_store(store, prefer_static=True)
    else:  # positions only (e.g. a bare CSV store): vessels are known from their events alone
        current, identities = pl.DataFrame(schema=QUERY_COLUMNS), None
    if events is None:
        if not store.has_table("events"):
            raise InputError("no events: run 'darkfleet detect --db' first or give --events events.parquet",
                             path=store.path)
        events = pl.from_arrow(store.arrow("SELECT * FROM events"))
    if vessels is not None:
        current = vessels
    matches = None
    if list_files or store.has_table("sanctions_lists"):
        registry = load_list_files(list(list_files)) if list_files else stored_registry(store)
        matches = screen(registry, current, identities)
    table = score_vessels(current, events, matches, config)
    store.replace("vessels", schema.VESSELS, table)
    if matches is not None:
        store_matches(store, matches)
    return table, matches
