"""Screen vessels (current and former identities) against a :class:`Registry`.

Blocking first, then scoring only the candidate pairs:

* candidates: equal IMO, equal MMSI, equal call sign, or a fuzzy name (rapidfuzz ``ratio``
  over unique normalised names, list names also cut to AIS's 20 characters);
* every candidate pair is scored on all its evidence, whatever produced it: the best name
  similarity over the entry's current, alias and former names (numbers in the names must
  agree), plus flag / ship type / build year boosters;
* rules: IMO equal is a hit; MMSI equal is a hit when a second attribute agrees (call sign
  or name), else review; call sign + name is a hit; a name alone is review at most, and
  two valid but different IMOs veto it.

Company (owner/manager) matching is in :mod:`darkfleet.screen.companies`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from darkfleet.mmsi import flag_state
from darkfleet.screen.flags import flags_iso2
from darkfleet.screen.normalise import (
    AIS_NAME_CHARS,
    ais_truncate,
    imo_valid_mask,
    name_numbers,
    normalise_callsigns,
    normalise_vessel_names,
)
from darkfleet.screen.registry import VESSEL, Registry

QUERY_COLUMNS = {
    "mmsi": pl.Int64, "imo": pl.Int64, "name": pl.String, "callsign": pl.String, "flag": pl.String,
    "ship_type": pl.Int16, "build_year": pl.Int32, "owner": pl.String, "manager": pl.String,
}
IDENTITY_COLUMNS = {
    "mmsi": pl.Int64, "broadcast_mmsi": pl.Int64, "imo": pl.Int64, "name": pl.String, "callsign": pl.String,
    "first_seen_utc": pl.Datetime("us", "UTC"), "last_seen_utc": pl.Datetime("us", "UTC"),
}
HIT, REVIEW = "hit", "review"


@dataclass(frozen=True)
class MatchConfig:
    """Thresholds of the matcher (documented in docs/screening.md)."""

    name_review_min: float = 80.0  # ratio 0-100 for a name to count at all (one letter off in 5+)
    name_agree_min: float = 85.0  # ratio for a name to confirm an MMSI / call sign
    short_name_chars: int = 4  # names this short must be equal
    chunk_rows: int = 8192  # query names per rapidfuzz block (bounds memory)


def _with_columns(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in columns.items() if c not in frame.columns]
    return frame.with_columns(missing).select([pl.col(c).cast(t) for c, t in columns.items()])


def query_identities(vessels: pl.DataFrame, identities: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per identity to screen: each vessel's current one plus the former ones seen in the
    data (``identities``: mmsi, imo, name, callsign, first/last_seen_utc, and ``broadcast_mmsi``
    when the vessel sent that identity under another MMSI before reflagging)."""
    current = _with_columns(vessels, QUERY_COLUMNS).with_columns(
        identity=pl.lit("current"), first_seen_utc=pl.lit(None, dtype=IDENTITY_COLUMNS["first_seen_utc"]),
        last_seen_utc=pl.lit(None, dtype=IDENTITY_COLUMNS["last_seen_utc"]),
    )
    frames = [current]
    if identities is not None and identities.height:
        former = _with_columns(identities, IDENTITY_COLUMNS)
        former = former.with_columns(pl.col("broadcast_mmsi").fill_null(pl.col("mmsi")))
        keys = ["mmsi", "broadcast_mmsi", "imo", "name", "callsign"]
        former = former.join(current.with_columns(broadcast_mmsi=pl.col("mmsi")).select(keys), on=keys, how="anti",
                             nulls_equal=True)
        extra = current.select("mmsi", "flag", "ship_type", "build_year")
        former = former.join(extra, on="mmsi", how="left").with_columns(identity=pl.lit("former"))
        frames.append(former)
    query = pl.concat(frames, how="diagonal_relaxed").with_row_index("qid")
    query = query.with_columns(broadcast_mmsi=pl.coalesce("broadcast_mmsi", "mmsi") if "broadcast_mmsi" in query.columns
                               else pl.col("mmsi"))
    names = normalise_vessel_names(query["name"])
    mid_flag = pl.Series(flag_state(query["broadcast_mmsi"].fill_null(0).to_numpy())[0], dtype=pl.String)
    return query.with_columns(
        name_norm=names,
        name_numbers=name_numbers(names),
        name_chars=query["name"].str.strip_chars().str.len_chars(),
        imo_valid=imo_valid_mask(query["imo"]),
        callsign_norm=normalise_callsigns(query["callsign"]),
        flag_iso2=flags_iso2(query["flag"]).fill_null(mid_flag),  # the MMSI's MID when no flag is given
        tanker=query["ship_type"].is_between(80, 89).fill_null(False),
    )


def list_vessels(registry: Registry) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(entries, names) of listed vessels; names include AIS-truncated forms of long names."""
    entries = registry.entries_frame().filter(pl.col("kind") == VESSEL)
    entries = entries.with_columns(
        flag_iso2=flags_iso2(entries["flag"]),
        tanker=entries["vessel_type"].str.to_uppercase().str.contains("TANKER").fill_null(False),
    )
    names = registry.vessel_names()
    cut = names.filter(pl.col("name_norm").str.len_chars() > AIS_NAME_CHARS).with_columns(
        name_norm=ais_truncate(pl.col("name_norm")), name_kind=pl.col("name_kind") + "_ais_truncated"
    )
    names = pl.concat([names, cut]).with_columns(list_numbers=name_numbers(pl.col("name_norm")))
    return entries, names


def _fuzzy_name_pairs(query_names: pl.Series, list_names: pl.Series, cfg: MatchConfig) -> pl.DataFrame:
    """(name_norm, list_name_norm) pairs with ratio >= name_review_min, blockwise cdist."""
    q = query_names.drop_nulls().unique().to_list()
    choices = list_names.drop_nulls().unique().to_list()
    found_q, found_l = [], []
    for start in range(0, len(q), cfg.chunk_rows):
        block = q[start : start + cfg.chunk_rows]
        scores = process.cdist(block, choices, scorer=fuzz.ratio, score_cutoff=cfg.name_review_min,
                               dtype=np.uint8, workers=-1)
        rows, cols = np.nonzero(scores)
        found_q += [block[i] for i in rows]
        found_l += [choices[j] for j in cols]
    return pl.DataFrame({"name_norm": found_q, "list_name_norm": found_l}, schema={"name_norm": pl.String, "list_name_norm": pl.String})


def candidates(query: pl.DataFrame, entries: pl.DataFrame, names: pl.DataFrame, cfg: MatchConfig) -> pl.DataFrame:
    """(qid, key) pairs sharing an identifier or a similar name."""
    pairs = [
        query.select("qid", pl.col(q_col).alias(col)).drop_nulls().join(entries.select("key", col), on=col).select("qid", "key")
        for q_col, col in (("imo", "imo"), ("broadcast_mmsi", "mmsi"), ("callsign_norm", "callsign_norm"))
    ]
    fuzzy = _fuzzy_name_pairs(query["name_norm"], names["name_norm"], cfg)
    pairs.append(
        query.select("qid", "name_norm").join(fuzzy, on="name_norm")
        .join(names.select("key", pl.col("name_norm").alias("list_name_norm")), on="list_name_norm")
        .select("qid", "key")
    )
    return pl.concat(pairs).unique()


def _best_names(pairs: pl.DataFrame, query: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """For each pair, the entry name closest to the query name (ratio via rapidfuzz cpdist)."""
    named = (
        pairs.join(query.select("qid", "name_norm", "name_numbers", "name_chars"), on="qid")
        .filter(pl.col("name_norm").is_not_null())
        .join(names.select("key", pl.col("name_norm").alias("matched_name"), "name_kind", "list_numbers", "until"), on="key")
    )
    # a truncated form only stands in for the full name when the AIS name is itself full length
    named = named.filter(~pl.col("name_kind").str.ends_with("_ais_truncated") | (pl.col("name_chars") >= AIS_NAME_CHARS - 1))
    scores = process.cpdist(named["name_norm"].to_list(), named["matched_name"].to_list(), scorer=fuzz.ratio, workers=-1)
    named = named.with_columns(name_score=pl.Series(np.asarray(scores, dtype=np.float64)))
    named = named.with_columns(numbers_agree=pl.col("name_numbers") == pl.col("list_numbers"))
    # prefer names whose numbers agree, then the closest
    return (
        named.sort(["numbers_agree", "name_score"], descending=True)
        .unique(["qid", "key"], keep="first")
        .select("qid", "key", "matched_name", "name_kind", "until", "name_score", "numbers_agree")
    )


def screen_vessels(
    registry: Registry, vessels: pl.DataFrame, identities: pl.DataFrame | None = None, cfg: MatchConfig | None = None
) -> pl.DataFrame:
    """Vessel-identity matches (``via`` = ``vessel``), one row per (identity, list entry)."""
    cfg = cfg or MatchConfig()
    query = query_identities(vessels, identities)
    entries, names = list_vessels(registry)
    pairs = candidates(query, entries, names, cfg)
    best = _best_names(pairs, query, names)
    q = query.select(
        "qid", "mmsi", "broadcast_mmsi", "identity", "first_seen_utc", "last_seen_utc", pl.col("imo").alias("query_imo"),
        pl.col("name").alias("query_name"), pl.col("imo_valid").alias("query_imo_valid"), "callsign_norm",
        "flag_iso2", "tanker", "build_year", "name_chars",
    )
    e = entries.select(
        "key", "entry_id", "list_id", "list_version", pl.col("name").alias("entry_name"),
        pl.col("imo").alias("entry_imo"), pl.col("imo_valid").alias("entry_imo_valid"), pl.col("mmsi").alias("entry_mmsi"),
        pl.col("callsign_norm").alias("entry_callsign"), pl.col("flag_iso2").alias("entry_flag"),
        pl.col("tanker").alias("entry_tanker"), pl.col("build_year").alias("entry_build_year"),
    )
    joined = pairs.join(q, on="qid").join(e, on="key").join(best, on=["qid", "key"], how="left")
    return _score(joined, cfg)


def _score(df: pl.DataFrame, cfg: MatchConfig) -> pl.DataFrame:
    imo_match = (pl.col("query_imo") == pl.col("entry_imo")).fill_null(False)
    imo_conflict = (
        pl.col("query_imo_valid") & pl.col("entry_imo_valid") & (pl.col("query_imo") != pl.col("entry_imo"))
    ).fill_null(False)
    mmsi_match = (pl.col("broadcast_mmsi") == pl.col("entry_mmsi")).fill_null(False)
    call_match = (pl.col("callsign_norm") == pl.col("entry_callsign")).fill_null(False)
    short = pl.col("name_chars").fill_null(0) <= cfg.short_name_chars
    name_found = (
        pl.col("numbers_agree").fill_null(False)
        & (pl.col("name_score") >= pl.when(short).then(100.0).otherwise(cfg.name_review_min)).fill_null(False)
    )
    name_agrees = name_found & (pl.col("name_score") >= cfg.name_agree_min)
    flag_match = (pl.col("flag_iso2") == pl.col("entry_flag")).fill_null(False)
    type_match = pl.col("tanker") & pl.col("entry_tanker")
    year_match = (pl.col("build_year") == pl.col("entry_build_year")).fill_null(False)
    boost = flag_match.cast(pl.Float64) * 5 + type_match.cast(pl.Float64) * 5 + year_match.cast(pl.Float64) * 5
    imo_checked = (pl.col("query_imo_valid") & pl.col("entry_imo_valid")).fill_null(False)
    two_ids = (mmsi_match & (call_match | name_agrees)) | (call_match & name_agrees)
    score = (
        pl.when(imo_match).then(pl.when(imo_checked).then(100.0).otherwise(90.0))
        # another valid IMO: a namesake, or an IMO borrowed from another hull; two other
        # identifiers agreeing is worth a look, anything less is vetoed
        .when(imo_conflict).then(pl.when(two_ids).then(60.0))
        .when(mmsi_match & (call_match | name_agrees)).then(90.0)
        .when(call_match & name_agrees).then(85.0)
        .when(mmsi_match).then(60.0)
        .when(name_found).then(pl.min_horizontal(pl.col("name_score") * 0.7 + boost, pl.lit(80.0)))
        .otherwise(None)
    )
    strong = imo_match | (two_ids & ~imo_conflict)
    level = pl.when(strong).then(pl.lit(HIT)).otherwise(pl.lit(REVIEW))
    name_field = pl.when(name_found).then(
        pl.when(pl.col("name_kind").str.starts_with("former")).then(pl.lit("former_name"))
        .when(pl.col("name_kind").str.starts_with("alias")).then(pl.lit("alias"))
        .otherwise(pl.lit("name"))
    )
    fields = pl.concat_list(
        pl.when(imo_match).then(pl.lit("imo")), pl.when(mmsi_match).then(pl.lit("mmsi")),
        pl.when(call_match).then(pl.lit("callsign")), name_field,
        pl.when(pl.col("name_kind").str.ends_with("_ais_truncated") & name_found).then(pl.lit("ais_truncated")),
        pl.when(flag_match).then(pl.lit("flag")), pl.when(type_match).then(pl.lit("ship_type")),
        pl.when(year_match).then(pl.lit("build_year")), pl.when(imo_conflict).then(pl.lit("imo_conflict")),
    ).list.drop_nulls()
    return (
        df.with_columns(score=score.round(1), level=level, matched_fields=fields,
                        name_mismatch=imo_match & ~name_agrees, query_imo_invalid=~pl.col("query_imo_valid").fill_null(True))
        .filter(pl.col("score").is_not_null())
        .with_columns(via=pl.lit("vessel"), hops=pl.lit(0, dtype=pl.Int8), related_party=pl.lit(None, dtype=pl.String))
        .select([pl.col(c).cast(t) for c, t in MATCH_SCHEMA.items()])
    )


MATCH_SCHEMA = {
    "mmsi": pl.Int64, "broadcast_mmsi": pl.Int64, "identity": pl.String, "first_seen_utc": pl.Datetime("us", "UTC"),
    "last_seen_utc": pl.Datetime("us", "UTC"), "query_name": pl.String, "query_imo": pl.Int64,
    "query_imo_invalid": pl.Boolean, "via": pl.String, "hops": pl.Int8, "related_party": pl.String,
    "entry_id": pl.String, "list_id": pl.String, "list_version": pl.String, "entry_name": pl.String,
    "entry_imo": pl.Int64, "matched_name": pl.String, "name_kind": pl.String, "name_score": pl.Float64,
    "until": pl.String, "level": pl.String, "score": pl.Float64, "matched_fields": pl.List(pl.String),
    "name_mismatch": pl.Boolean,
}
MATCH_COLUMNS = list(MATCH_SCHEMA)
