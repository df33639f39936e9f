"""Owners and managers: a vessel is exposed when the company behind it is listed (one hop)
or is tied to a listed party (two hops: it owns a listed vessel, is "Linked To" a listed
company, or is owned by one).

Company names are compared after :func:`normalise_company_names` (legal forms dropped):
equal names, or a rapidfuzz ``token_sort_ratio`` >= ``company_min`` among names blocked on
their first word. Legal forms then veto: "NEREUS CARRIERS SA" is not "NEREUS CARRIERS LTD",
while "CO., LTD." and "LIMITED" agree (one set of forms contains the other, or one is absent).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from darkfleet.screen.match import HIT, MATCH_SCHEMA, REVIEW
from darkfleet.screen.normalise import company_legal_forms, normalise_company_names
from darkfleet.screen.registry import Registry

COMPANY_MIN = 92.0  # token_sort_ratio for two company names to be one company
HOP_SCORE = {1: 80.0, 2: 50.0}


def _first_word(col: str) -> pl.Expr:
    return pl.col(col).str.split(" ").list.first()


def _name_pairs(query: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    """(company_norm, target_norm, name_score) for names sharing their first word."""
    q = query.select("company_norm").unique().with_columns(block=_first_word("company_norm"))
    t = targets.select("target_norm").unique().with_columns(block=_first_word("target_norm"))
    pairs = q.join(t, on="block")
    scores = process.cpdist(pairs["company_norm"].to_list(), pairs["target_norm"].to_list(),
                            scorer=fuzz.token_sort_ratio, workers=-1)
    pairs = pairs.with_columns(name_score=pl.Series(np.asarray(scores, dtype=np.float64)))
    return pairs.filter(pl.col("name_score") >= COMPANY_MIN).drop("block")


def _targets(registry: Registry) -> pl.DataFrame:
    """Company names that expose a vessel: listed parties (hop 1) and parties tied to any
    listed entry (hop 2), with the listed entry they lead to."""
    entries = registry.entries_frame().select("key", "entry_id", "list_id", "list_version", pl.col("name").alias("entry_name"))
    listed = registry.party_names().select(
        "key", pl.col("name_norm").alias("target_norm"), pl.col("name").alias("target_name"),
        pl.lit(1, dtype=pl.Int8).alias("hops"), pl.lit(None, dtype=pl.String).alias("related_party"),
    )
    tied = registry.relations_frame().select(
        "key", pl.col("object_norm").alias("target_norm"), pl.col("object_name").alias("target_name"),
        pl.lit(2, dtype=pl.Int8).alias("hops"), pl.col("object_name").alias("related_party"),
    ).drop_nulls("target_norm")
    return pl.concat([listed, tied]).join(entries, on="key")


def _with_forms(frame: pl.DataFrame, name_col: str, forms_col: str) -> pl.DataFrame:
    """Legal forms of ``name_col``, computed once per distinct name (the regex work is the cost)."""
    names = frame.select(pl.col(name_col)).unique()
    return frame.join(names.with_columns(company_legal_forms(names[name_col]).alias(forms_col)), on=name_col, how="left")


def screen_companies(registry: Registry, vessels: pl.DataFrame) -> pl.DataFrame:
    """Owner/manager matches (``via`` = ``owner`` or ``manager``), best per vessel and entry."""
    roles = [c for c in ("owner", "manager") if c in vessels.columns]
    if not roles:
        return pl.DataFrame(schema=MATCH_SCHEMA)
    query = pl.concat(
        [vessels.select("mmsi", pl.col(c).cast(pl.String).alias("company"), pl.lit(c).alias("via")) for c in roles]
    ).drop_nulls("company")
    distinct = query.select("company").unique()
    distinct = distinct.with_columns(company_norm=normalise_company_names(distinct["company"]))
    query = query.join(distinct, on="company").drop_nulls("company_norm")
    targets = _targets(registry)
    pairs = _name_pairs(query, targets)
    found = query.join(pairs, on="company_norm").join(targets, on="target_norm")
    found = _with_forms(_with_forms(found, "company", "company_forms"), "target_name", "target_forms")
    forms_agree = (pl.col("company_forms").list.set_difference("target_forms").list.len() == 0) | (
        pl.col("target_forms").list.set_difference("company_forms").list.len() == 0
    )
    found = found.filter(forms_agree)
    base = pl.col("hops").replace_strict(HOP_SCORE, return_dtype=pl.Float64)
    found = found.with_columns(
        score=(base * pl.col("name_score") / 100).round(1),
        level=pl.when((pl.col("hops") == 1) & (pl.col("name_score") >= 99)).then(pl.lit(HIT)).otherwise(pl.lit(REVIEW)),
        matched_fields=pl.concat_list(pl.col("via")),
        related_party=pl.coalesce("related_party", pl.col("company")),
        matched_name=pl.col("company"), name_kind=pl.lit("company"),
    )
    # A listed company (hop 1) is not reported again through its own ties (hop 2); a company tied
    # to many listed entries is reported once per list version, not once per entry.
    direct = found.filter(pl.col("hops") == 1).select("mmsi", "via", "company_norm").unique()
    found = pl.concat([found.filter(pl.col("hops") == 1),
                       found.filter(pl.col("hops") == 2).join(direct, on=["mmsi", "via", "company_norm"], how="anti")])
    found = found.sort(["hops", "score", "entry_id"], descending=[False, True, False]).unique(
        ["mmsi", "via", "company_norm", "hops", "list_version"], keep="first", maintain_order=True
    )
    return found.with_columns(
        broadcast_mmsi=pl.col("mmsi"), identity=pl.lit("current"), first_seen_utc=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
        last_seen_utc=pl.lit(None, dtype=pl.Datetime("us", "UTC")), query_name=pl.lit(None, dtype=pl.String),
        query_imo=pl.lit(None, dtype=pl.Int64), query_imo_invalid=pl.lit(False), entry_imo=pl.lit(None, dtype=pl.Int64),
        until=pl.lit(None, dtype=pl.String), name_mismatch=pl.lit(False),
    ).select([pl.col(c).cast(t) for c, t in MATCH_SCHEMA.items()])
