"""Risk factors, each a pure function returning rows ``(mmsi, factor, points, evidence)``.

``evidence`` is a JSON object saying why (event ids and counts, the list entry that matched,
the partner vessel...). Per-event points are summed per vessel and capped per factor; all
vectorised with Polars.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from darkfleet.screen.flags import FLAGS_OF_CONVENIENCE
from darkfleet.score.config import RiskConfig
from darkfleet.score.hubs import HUB_NAMES, nearest_hub

FACTOR_SCHEMA = {"mmsi": pl.Int64, "factor": pl.String, "points": pl.Float64, "evidence": pl.String}
PAIR_EVENTS = ("encounter", "dark_sts")
_IDENTITY_FIELDS = ("name", "callsign", "imo", "imo_borrowed", "ship_type")
_FLAG_FIELDS = ("flag", "mmsi")  # reflagging changes the MMSI (its MID) with the flag


def empty_factors() -> pl.DataFrame:
    return pl.DataFrame(schema=FACTOR_SCHEMA)


def _capped(per_event: pl.DataFrame, factor: str, cap: float) -> pl.DataFrame:
    """Sum per-event ``points`` per vessel, cap, and list up to 10 event ids as evidence."""
    if per_event.height == 0:
        return empty_factors()
    grouped = per_event.group_by("mmsi").agg(
        points=pl.col("points").sum().clip(upper_bound=cap),
        events=pl.len(),
        event_ids=pl.col("event_id").head(10),
        **({"detail": pl.col("detail").drop_nulls().unique().sort().head(10)} if "detail" in per_event.columns else {}),
    )
    evidence_cols = [c for c in ("events", "event_ids", "detail") if c in grouped.columns]
    return grouped.select(
        pl.col("mmsi").cast(pl.Int64), pl.lit(factor).alias("factor"), pl.col("points").cast(pl.Float64),
        pl.struct(evidence_cols).struct.json_encode().alias("evidence"),
    )


def participants(events: pl.DataFrame) -> pl.DataFrame:
    """Pair events at sea seen from both vessels: (event_id, event_type, mmsi, partner_mmsi, lat, lon, role).

    In-port pairs (moored side by side, bunkering) are ordinary port life, not meetings at sea."""
    pairs = events.filter(
        pl.col("event_type").is_in(PAIR_EVENTS) & pl.col("other_mmsi").is_not_null() & ~pl.col("in_port").fill_null(False)
    )
    cols = ["event_id", "event_type", "lat", "lon", "details"]
    first = pairs.select(*cols, "mmsi", pl.col("other_mmsi").alias("partner_mmsi"), pl.lit("vessel").alias("role"))
    second = pairs.select(*cols, pl.col("other_mmsi").alias("mmsi"), pl.col("mmsi").alias("partner_mmsi"),
                          pl.lit("partner").alias("role"))
    return pl.concat([first, second])


def dark_sts(events: pl.DataFrame, cfg: RiskConfig) -> pl.DataFrame:
    """Both sides of a dark STS: the vessel that went dark and the ship it met."""
    rows = participants(events).filter(pl.col("event_type") == "dark_sts")
    # a both-dark transfer has one row per dark vessel: count each transfer once per vessel
    rows = rows.unique(["mmsi", "partner_mmsi", "event_id"])
    rows = rows.with_columns(points=pl.lit(cfg.dark_sts_points), detail=pl.col("role"))
    return _capped(rows, "dark_sts", cfg.dark_sts_max_points)


def encounters(events: pl.DataFrame, vessels: pl.DataFrame, cfg: RiskConfig) -> pl.DataFrame:
    """Encounters at sea; more for tankers, more at known STS hubs."""
    rows = participants(events).filter(pl.col("event_type") == "encounter")
    if rows.height == 0:
        return empty_factors()
    hub, dist_m = nearest_hub(rows["lat"].fill_null(np.nan).to_numpy(), rows["lon"].fill_null(np.nan).to_numpy())
    at_hub = pl.Series(dist_m <= cfg.hub_radius_m)
    hub_name = pl.Series([HUB_NAMES[i] for i in hub], dtype=pl.String) if len(hub) else pl.Series([], dtype=pl.String)
    tankers = vessels.select("mmsi", tanker=pl.col("ship_type").is_between(80, 89).fill_null(False))
    rows = rows.with_columns(at_hub=at_hub, hub=hub_name).join(tankers, on="mmsi", how="left")
    factor = pl.when(pl.col("tanker").fill_null(False)).then(cfg.encounter_tanker_factor).otherwise(1.0)
    rows = rows.with_columns(
        points=cfg.encounter_points * factor + pl.when(pl.col("at_hub")).then(cfg.encounter_hub_points).otherwise(0.0),
        detail=pl.when(pl.col("at_hub")).then(pl.lit("at STS hub ") + pl.col("hub")),
    )
    return _capped(rows, "encounter_at_sea", cfg.encounter_max_points)


def _detail_field(key: str) -> pl.Expr:
    return pl.col("details").str.json_path_match(f"$.{key}")


def gaps(events: pl.DataFrame, cfg: RiskConfig) -> pl.DataFrame:
    """AIS gaps judged deliberate (detection's ``likely_disabling``, or truth's ``cause``)."""
    rows = events.filter(
        (pl.col("event_type") == "gap")
        & ((_detail_field("likely_disabling") == "true") | _detail_field("cause").is_in(["deliberate", "dark_sts"]))
    ).with_columns(points=pl.lit(cfg.disabling_gap_points))
    return _capped(rows, "likely_disabling_gap", cfg.disabling_gap_max_points)


def spoofing(events: pl.DataFrame, cfg: RiskConfig) -> pl.DataFrame:
    rows = events.filter(pl.col("event_type") == "spoofing").with_columns(
        points=pl.lit(cfg.spoofing_points), detail=_detail_field("kind")
    )
    return _capped(rows, "spoofing", cfg.spoofing_max_points)


def identity_changes(events: pl.DataFrame, cfg: RiskConfig) -> pl.DataFrame:
    """Name / call sign / IMO changes, and flag changes (flag hopping) separately."""
    changes = events.filter(pl.col("event_type") == "identity_change").with_columns(detail=_detail_field("field"))
    ident = changes.filter(pl.col("detail").is_in(_IDENTITY_FIELDS)).with_columns(points=pl.lit(cfg.identity_change_points))
    flags = changes.filter(pl.col("detail").is_in(_FLAG_FIELDS)).with_columns(points=pl.lit(cfg.flag_change_points))
    return pl.concat([
        _capped(ident, "identity_change", cfg.identity_change_max_points),
        _capped(flags, "flag_change", cfg.flag_change_max_points),
    ])


def draught_changes(events: pl.DataFrame, cfg: RiskConfig) -> pl.DataFrame:
    """Draught changed outside port: cargo loaded or discharged at sea."""
    rows = events.filter((pl.col("event_type") == "draught_change") & ~pl.col("in_port").fill_null(False))
    rows = rows.with_columns(points=pl.lit(cfg.draught_change_points))
    return _capped(rows, "draught_change_at_sea", cfg.draught_change_max_points)


def static_factors(vessels: pl.DataFrame, events: pl.DataFrame, cfg: RiskConfig, today: date) -> pl.DataFrame:
    """Flag of convenience, invalid IMO (broadcast or detected), age where the build year is known."""
    out = [
        vessels.filter(pl.col("flag_iso2").is_in(list(FLAGS_OF_CONVENIENCE))).select(
            "mmsi", factor=pl.lit("flag_of_convenience"), points=pl.lit(cfg.flag_of_convenience_points),
            evidence=pl.struct(flag=pl.col("flag_iso2")).struct.json_encode(),
        )
    ]
    bad_imo = vessels.filter(pl.col("imo").is_not_null() & ~pl.col("imo_valid")).select("mmsi", "imo")
    detected = events.filter((pl.col("event_type") == "identity_change") & (_detail_field("field") == "imo_invalid"))
    bad_imo = pl.concat([bad_imo, detected.select("mmsi", imo=pl.lit(None, dtype=pl.Int64))]).unique("mmsi", keep="first")
    out.append(bad_imo.select(
        "mmsi", factor=pl.lit("invalid_imo"), points=pl.lit(cfg.invalid_imo_points),
        evidence=pl.struct(imo="imo", check_digit_ok=pl.lit(False)).struct.json_encode(),
    ))
    if "build_year" in vessels.columns:
        age = pl.lit(today.year) - pl.col("build_year")
        old = vessels.filter(pl.col("build_year").is_not_null() & (age >= cfg.old_vessel_age_years)).with_columns(age_years=age)
        out.append(old.select(
            "mmsi", factor=pl.lit("vessel_age"),
            points=pl.when(pl.col("age_years") >= cfg.very_old_vessel_age_years).then(cfg.very_old_vessel_points)
            .otherwise(cfg.old_vessel_points),
            evidence=pl.struct("build_year", "age_years").struct.json_encode(),
        ))
    return pl.concat([f.cast(FACTOR_SCHEMA) for f in out])  # type: ignore[arg-type]
