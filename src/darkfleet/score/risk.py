"""The per-vessel risk score: 0-100, the sum of explained factors, plus guilt by association.

``score_vessels`` takes the vessels (mmsi, imo, name, callsign, flag, ship_type, optional
build_year), detection events (``schema.EVENTS``) and sanctions matches
(:func:`darkfleet.screen.screen`), and returns rows of ``schema.VESSELS`` whose
``risk_factors`` is a JSON list of ``{factor, points, evidence}``, largest first.

Association: vessels that met at sea (encounter or dark STS) form a graph; a vessel that met a
vessel with a sanctions hit inherits ``association_share`` of that vessel's own score (before
association, so risk does not echo back and forth), at most ``association_max_points``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pyarrow as pa

from darkfleet import schema
from darkfleet.mmsi import flag_state
from darkfleet.screen.flags import flags_iso2
from darkfleet.screen.normalise import imo_valid_mask
from darkfleet.screen.screening import sanctions_json
from darkfleet.score import factors as f
from darkfleet.score.config import RiskConfig

_VESSEL_COLUMNS = {"mmsi": pl.Int64, "imo": pl.Int64, "name": pl.String, "callsign": pl.String, "flag": pl.String,
                   "ship_type": pl.Int16, "build_year": pl.Int32}
SANCTIONS_FACTOR = "sanctions_listed"


def prepare_vessels(vessels: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Vessels with every column present, plus event-only MMSIs; flag as ISO alpha-2."""
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in _VESSEL_COLUMNS.items() if c not in vessels.columns]
    frame = vessels.with_columns(missing).select([pl.col(c).cast(t) for c, t in _VESSEL_COLUMNS.items()])
    frame = frame.unique("mmsi", keep="first", maintain_order=True)
    seen = pl.concat([events.select("mmsi"), events.select(pl.col("other_mmsi").alias("mmsi"))]).drop_nulls().unique()
    frame = pl.concat([frame, seen.join(frame, on="mmsi", how="anti")], how="diagonal_relaxed")
    mid_flag = pl.Series(flag_state(frame["mmsi"].to_numpy())[0], dtype=pl.String)
    return frame.with_columns(flag_iso2=flags_iso2(frame["flag"]).fill_null(mid_flag),
                              imo_valid=imo_valid_mask(frame["imo"]))


def sanctions_factors(matches: pl.DataFrame, cfg: RiskConfig) -> pl.DataFrame:
    """One row per vessel and kind of exposure, from the strongest match of that kind."""
    if matches.height == 0:
        return f.empty_factors()
    vessel_hit = (pl.col("via") == "vessel") & (pl.col("level") == "hit")
    kind = (
        pl.when(vessel_hit).then(pl.lit(SANCTIONS_FACTOR))
        .when(pl.col("via") == "vessel").then(pl.lit("sanctions_review"))
        .when(pl.col("hops") == 1).then(pl.lit("owner_listed"))
        .otherwise(pl.lit("owner_linked"))
    )
    points = (
        pl.when(vessel_hit & (pl.col("identity") == "current")).then(cfg.sanctions_hit_points)
        .when(vessel_hit).then(cfg.former_identity_hit_points)
        # a look-alike counts in proportion to how alike it is (name-only scores stay <= 80)
        .when(pl.col("via") == "vessel").then((cfg.sanctions_review_points * pl.col("score") / 100).round(1))
        .when(pl.col("hops") == 1).then(cfg.owner_listed_points)
        .otherwise(cfg.owner_linked_points)
    )
    rows = matches.with_columns(factor=kind, points=points).sort(["points", "score"], descending=True)
    rows = rows.unique(["mmsi", "factor"], keep="first", maintain_order=True)
    # a listed vessel needs no "review" on top of its hit
    hit = rows.filter(pl.col("factor") == SANCTIONS_FACTOR).select("mmsi")
    rows = pl.concat([rows.filter(pl.col("factor") != "sanctions_review"),
                      rows.filter(pl.col("factor") == "sanctions_review").join(hit, on="mmsi", how="anti")])
    evidence = pl.struct(
        "list_version", "entry_id", "entry_name", pl.col("matched_fields").alias("fields"), "identity",
        "matched_name", "related_party", "score", "name_mismatch",
    ).struct.json_encode()
    return rows.select("mmsi", "factor", "points", evidence.alias("evidence")).cast(f.FACTOR_SCHEMA)  # type: ignore[arg-type]


def association(events: pl.DataFrame, base: pl.DataFrame, listed: pl.DataFrame, cfg: RiskConfig) -> pl.DataFrame:
    """Inherited risk from met vessels that have a sanctions hit (one hop, best partner)."""
    pairs = f.participants(events).select("mmsi", "partner_mmsi", "event_id").join(
        listed.select(pl.col("mmsi").alias("partner_mmsi")), on="partner_mmsi"
    )
    if pairs.height == 0:
        return f.empty_factors()
    pairs = pairs.join(base.select(pl.col("mmsi").alias("partner_mmsi"), pl.col("base_score").alias("partner_score")),
                       on="partner_mmsi")
    best = (
        pairs.group_by("mmsi", "partner_mmsi")
        .agg(pl.col("partner_score").first(), meetings=pl.len(), event_ids=pl.col("event_id").head(5))
        .sort("partner_score", descending=True)
        .unique("mmsi", keep="first", maintain_order=True)
    )
    return best.select(
        "mmsi", factor=pl.lit("met_sanctioned_vessel"),
        points=(pl.col("partner_score") * cfg.association_share).clip(upper_bound=cfg.association_max_points).round(1),
        evidence=pl.struct("partner_mmsi", "partner_score", "meetings", "event_ids",
                           share=pl.lit(cfg.association_share)).struct.json_encode(),
    ).cast(f.FACTOR_SCHEMA)  # type: ignore[arg-type]


def _total(factors: pl.DataFrame, name: str) -> pl.DataFrame:
    return factors.group_by("mmsi").agg(pl.col("points").sum().clip(upper_bound=100.0).alias(name))


def score_vessels(
    vessels: pl.DataFrame,
    events: pl.DataFrame | None = None,
    matches: pl.DataFrame | None = None,
    config: RiskConfig | None = None,
    today: date | None = None,
) -> pa.Table:
    """Rows of ``schema.VESSELS``: identity, ``risk_score`` 0-100, ``risk_factors`` and ``sanctions`` JSON."""
    cfg = config or RiskConfig()
    events = pl.from_arrow(schema.EVENTS.empty_table()) if events is None else events
    today = today or datetime.now(UTC).date()
    frame = prepare_vessels(vessels, events)
    parts = [
        f.dark_sts(events, cfg), f.encounters(events, frame, cfg), f.gaps(events, cfg), f.spoofing(events, cfg),
        f.identity_changes(events, cfg), f.draught_changes(events, cfg), f.static_factors(frame, events, cfg, today),
    ]
    if matches is not None:
        parts.append(sanctions_factors(matches, cfg))
    own = pl.concat(parts).filter(pl.col("points") > 0)
    base = frame.select("mmsi").join(_total(own, "base_score"), on="mmsi", how="left").with_columns(
        pl.col("base_score").fill_null(0.0)
    )
    listed = own.filter(pl.col("factor") == SANCTIONS_FACTOR).select("mmsi").unique()
    everything = pl.concat([own, association(events, base, listed, cfg)]).filter(pl.col("points") > 0)
    return _assemble(frame, everything, matches)


def _assemble(frame: pl.DataFrame, factors: pl.DataFrame, matches: pl.DataFrame | None) -> pa.Table:
    # evidence is already JSON: splice it in rather than decode and re-encode every row
    item = pl.format('{{"factor":"{}","points":{},"evidence":{}}}', "factor", pl.col("points").round(1), "evidence")
    explained = (
        factors.sort(["mmsi", "points"], descending=[False, True])
        .group_by("mmsi", maintain_order=True)
        .agg(risk_score=pl.col("points").sum().clip(upper_bound=100.0).round(1),
             risk_factors=pl.lit("[") + item.str.join(",") + pl.lit("]"))
    )
    sanctions = sanctions_json(matches) if matches is not None else pl.DataFrame(schema={"mmsi": pl.Int64, "sanctions": pl.String})
    out = (
        frame.join(explained, on="mmsi", how="left").join(sanctions, on="mmsi", how="left")
        .with_columns(pl.col("risk_score").fill_null(0.0), pl.col("risk_factors").fill_null("[]"),
                      pl.col("sanctions").fill_null("[]"), flag=pl.col("flag_iso2"))
        .sort(["risk_score", "mmsi"], descending=[True, False])
    )
    return schema.conform(out.to_arrow(), schema.VESSELS)

