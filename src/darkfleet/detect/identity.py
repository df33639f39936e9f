"""Identity changes in static reports: a vessel changing what it says it is.

Per MMSI, a change of name, call sign, IMO or ship type between consecutive non-empty
reports (after normalising case, spacing and AIS '@' padding) is one event, timed at the
first report with the new value. Per IMO, the same number moving to a new MMSI is a
reflagging (``field`` = ``flag`` when the MID changes, else ``mmsi``); two MMSIs using one
IMO at the same time is ``imo_borrowed``. IMOs with a wrong check digit are ``imo_invalid``.
"""

from __future__ import annotations


import polars as pl

from darkfleet.config import IdentityConfig
from darkfleet.detect.events import details_expr, empty_events, finish_events
from darkfleet.imo import imo_check_digit_ok

_TEXT_FIELDS = ("name", "callsign")


def _normalised(static: pl.DataFrame) -> pl.DataFrame:
    text = [
        pl.col(c).str.replace_all("@", " ").str.replace_all(r"\s+", " ").str.strip_chars().str.to_uppercase().alias(c)
        for c in _TEXT_FIELDS
    ]
    return static.with_columns(*text).with_columns(
        *(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in _TEXT_FIELDS),
        pl.when(pl.col("imo") > 0).then(pl.col("imo")).alias("imo"),
        pl.when(pl.col("ship_type") > 0).then(pl.col("ship_type")).alias("ship_type"),
    )


def _field_changes(static: pl.DataFrame, field: str) -> pl.DataFrame:
    values = static.filter(pl.col(field).is_not_null()).select("mmsi", "timestamp_utc", field)
    old = pl.col(field).shift(1)
    changed = (pl.col("mmsi") == pl.col("mmsi").shift(1)) & (pl.col(field) != old)
    return (
        values.with_columns(old.alias("_old"), changed.fill_null(False).alias("_changed"))
        .filter(pl.col("_changed"))
        .select(
            "mmsi",
            pl.col("timestamp_utc").alias("start_utc"),
            pl.col("timestamp_utc").alias("end_utc"),
            pl.lit(0.9).alias("confidence"),
            details_expr(field=field, old=pl.col("_old").cast(pl.String), new=pl.col(field).cast(pl.String),
                         rule=f"{field} differs from the previous report"),
        )
    )


def _invalid_imos(static: pl.DataFrame) -> pl.DataFrame:
    first = static.filter(pl.col("imo").is_not_null()).group_by("mmsi", "imo").agg(pl.col("timestamp_utc").min())
    ok = imo_check_digit_ok(first["imo"].to_numpy())
    return first.filter(pl.Series(~ok)).select(
        "mmsi",
        pl.col("timestamp_utc").alias("start_utc"),
        pl.col("timestamp_utc").alias("end_utc"),
        pl.lit(0.7).alias("confidence"),
        details_expr(field="imo_invalid", old=None, new=pl.col("imo").cast(pl.String), rule="IMO check digit is wrong"),
    )


def _mid(mmsi: pl.Expr) -> pl.Expr:
    return mmsi // 1_000_000


def _imo_moves(static: pl.DataFrame, first_seen: pl.DataFrame | None) -> pl.DataFrame:
    """Per valid IMO, consecutive MMSIs: sequential -> reflagging, overlapping -> borrowed.

    A new identity starts with the MMSI's first message of any kind (``first_seen``: mmsi,
    first_utc), which is usually a position report before the next static report."""
    users = (
        static.filter(pl.col("imo").is_not_null())
        .group_by("imo", "mmsi")
        .agg(pl.col("timestamp_utc").min().alias("first_utc"), pl.col("timestamp_utc").max().alias("last_utc"))
    )
    if first_seen is not None:
        users = users.join(first_seen.rename({"first_utc": "_seen"}), on="mmsi", how="left")
    else:
        users = users.with_columns(pl.col("first_utc").alias("_seen"))
    users = users.filter(pl.Series(imo_check_digit_ok(users["imo"].to_numpy()))).sort("imo", "first_utc", "mmsi")
    prev = users.with_columns(
        pl.col("mmsi").shift(1).alias("old_mmsi"),
        pl.col("last_utc").shift(1).alias("old_last_utc"),
        (pl.col("imo") == pl.col("imo").shift(1)).fill_null(False).alias("_same"),
    ).filter(pl.col("_same"))
    borrowed = pl.col("old_last_utc") >= pl.col("first_utc")
    kind = (
        pl.when(borrowed).then(pl.lit("imo_borrowed"))
        .when(_mid(pl.col("mmsi")) != _mid(pl.col("old_mmsi"))).then(pl.lit("flag"))
        .otherwise(pl.lit("mmsi"))
    )
    # a new MMSI taking over the IMO starts with its first message; a borrower with its first use of the IMO
    start = pl.when(borrowed).then(pl.col("first_utc")).otherwise(pl.min_horizontal("first_utc", "_seen"))
    return prev.select(
        "mmsi",
        pl.when(borrowed).then(None).otherwise(pl.col("old_mmsi")).alias("other_mmsi"),
        start.alias("start_utc"),
        start.alias("end_utc"),
        pl.when(borrowed).then(0.8).otherwise(0.9).alias("confidence"),
        details_expr(
            field=kind,
            old=pl.col("old_mmsi").cast(pl.String),
            new=pl.col("mmsi").cast(pl.String),
            imo=pl.col("imo"),
            rule="same IMO under another MMSI (overlapping in time: borrowed)",
        ),
    )


def detect_identity_changes(
    static: pl.DataFrame, config: IdentityConfig, digest: str = "", first_seen: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Identity-change events (``schema.EVENTS``) from static reports sorted by mmsi then time.

    ``first_seen`` (mmsi, first_utc) dates a new MMSI by its first message of any kind."""
    if static.height == 0:
        return empty_events()
    # most static reports repeat the previous one: normalise only the rows where a field changed
    fields = [f for f in config.fields if f in static.columns]
    changed = pl.lit(False)
    for f in fields:
        changed = changed | pl.col(f).ne_missing(pl.col(f).shift(1))
    changed = changed | (pl.col("mmsi") != pl.col("mmsi").shift(1))
    norm = _normalised(static.filter(changed.fill_null(True)))
    ids = static.select("mmsi", "timestamp_utc", pl.when(pl.col("imo") > 0).then(pl.col("imo")).alias("imo"))
    parts = [_field_changes(norm, f) for f in fields] + [_imo_moves(ids, first_seen)]
    if config.check_imo:
        parts.append(_invalid_imos(ids))
    parts = [p for p in parts if p.height]
    if not parts:
        return empty_events()
    events = pl.concat(parts, how="diagonal_relaxed").with_columns(
        pl.col("details").str.json_path_match("$.field").alias("_field")
    )
    # an IMO change that is explained more precisely (borrowed or invalid) is reported once
    specific = events.filter(pl.col("_field").is_in(["imo_borrowed", "imo_invalid"])).select("mmsi", "start_utc").unique()
    plain_imo = events.filter(pl.col("_field") == "imo").join(specific, on=["mmsi", "start_utc"], how="anti")
    events = pl.concat([events.filter(pl.col("_field") != "imo"), plain_imo]).drop("_field")
    return finish_events(events, "identity_change", digest)



