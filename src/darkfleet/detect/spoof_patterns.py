"""Spoofing symptoms read from a segment's raw reports, one ``details.kind`` each.

* ``sog_mismatch``: the speed the transponder reports disagrees, for a sustained time, with
  the speed its positions imply (SOG ~0 while the fixes sail at 12 kn, or 15 kn reported by a
  fix that does not move): positions or SOG are not the ship's own (fed by a GNSS simulator,
  or a track generated on shore). Measured on the raw reports thinned to one per
  ``sog_thin_min`` (GPS jitter over a few seconds is not speed) and only across hops shorter
  than ``sog_max_hop_min`` (nothing interpolated across silences).
* ``grid_regular``: a run of moving reports that a receiver cannot produce from a real GNSS
  fix: every position on a coarse lat/lon lattice (``grid_quantum_deg``, far coarser than
  AIS's 1/10 000 minute), or every step repeating the previous step exactly
  (``grid_step_tol_deg``), the constant-step pattern of generated tracks.
"""

from __future__ import annotations

import polars as pl

from darkfleet.config import SpoofingConfig
from darkfleet.detect.events import details_expr
from darkfleet.detect.geo import M_PER_NM, haversine_expr
from darkfleet.detect.runs import hours_between

US_PER_MIN = 60_000_000


def episode_rows(frame: pl.DataFrame, confidence: float, **evidence) -> pl.DataFrame:
    """One spoofing event per row of ``frame`` (mmsi, start_utc, end_utc, lat, lon) with its evidence."""
    return frame.select(
        "mmsi", "start_utc", "end_utc", "lat", "lon", pl.lit(confidence).alias("confidence"), details_expr(**evidence)
    )


def _same_segment(k: int) -> pl.Expr:
    return pl.col("segment_id") == pl.col("segment_id").shift(k)


def _sog_windows(points: pl.DataFrame, config: SpoofingConfig) -> pl.DataFrame:
    """Per segment and window: reported (time-weighted) and implied speeds over measured hops."""
    thin_us = int(config.sog_thin_min * US_PER_MIN)
    window_us = int(config.sog_window_min * US_PER_MIN)
    thinned = (
        points.select("segment_id", "mmsi", "timestamp_utc", "lat", "lon", "sog_kn")
        .with_columns((pl.col("timestamp_utc").dt.epoch("us") // thin_us).alias("_bucket"))
        .group_by("segment_id", "_bucket")
        .agg(
            pl.col("mmsi").first(),
            pl.col("timestamp_utc").min().alias("t"),
            pl.col("lat").sort_by("timestamp_utc").first(),
            pl.col("lon").sort_by("timestamp_utc").first(),
            pl.col("sog_kn").cast(pl.Float64).mean().alias("sog"),
        )
        .sort("segment_id", "t")
    )
    prev = _same_segment(1)
    hop_s = (pl.col("t") - pl.col("t").shift(1)).dt.total_microseconds() / 1e6
    hops = thinned.with_columns(
        pl.when(prev).then(pl.col("t").shift(1)).alias("t0"),
        pl.when(prev).then(hop_s).alias("hop_s"),
        pl.when(prev).then(haversine_expr(pl.col("lat").shift(1), pl.col("lon").shift(1), pl.col("lat"), pl.col("lon"))).alias("hop_m"),
        pl.when(prev).then((pl.col("sog") + pl.col("sog").shift(1)) / 2).alias("hop_sog"),
    ).filter(pl.col("hop_s").is_between(0, config.sog_max_hop_min * 60, closed="right") & pl.col("hop_sog").is_not_null())
    return (
        hops.with_columns((pl.col("t0").dt.epoch("us") // window_us).alias("_window"))
        .group_by("segment_id", "_window")
        .agg(
            pl.col("mmsi").first(),
            pl.col("t0").min().alias("start_utc"),
            pl.col("t").max().alias("end_utc"),
            pl.col("lat").mean(),
            pl.col("lon").mean(),
            pl.col("hop_s").sum().alias("covered_s"),
            (pl.col("hop_m").sum() / M_PER_NM / (pl.col("hop_s").sum() / 3600)).alias("implied_kn"),
            ((pl.col("hop_sog") * pl.col("hop_s")).sum() / pl.col("hop_s").sum()).alias("reported_kn"),
        )
        .filter(pl.col("covered_s") >= config.sog_min_coverage_fraction * config.sog_window_min * 60)
        .sort("segment_id", "_window")
    )


def sog_mismatch(points: pl.DataFrame, config: SpoofingConfig) -> pl.DataFrame:
    """Runs of consecutive windows whose reported SOG and implied speed disagree."""
    if points.height == 0 or "sog_kn" not in points.columns:
        return pl.DataFrame()
    w = _sog_windows(points, config)
    diff = (pl.col("reported_kn") - pl.col("implied_kn")).abs()
    bigger = pl.max_horizontal("reported_kn", "implied_kn")
    off = (diff >= config.sog_mismatch_min_kn) & (diff >= config.sog_mismatch_fraction * bigger)
    # a run continues only into the next window of the same segment while the mismatch holds
    brk = ~off | ~off.shift(1) | ~_same_segment(1) | ((pl.col("_window") - pl.col("_window").shift(1)) != 1)
    runs = (
        w.with_columns(off.alias("_off"), brk.fill_null(True).cum_sum().alias("_run"))
        .filter(pl.col("_off"))
        .group_by("_run")
        .agg(
            pl.col("mmsi").first(),
            pl.col("start_utc").min(),
            pl.col("end_utc").max(),
            pl.col("lat").mean(),
            pl.col("lon").mean(),
            pl.len().alias("n_windows"),
            pl.col("reported_kn").median(),
            pl.col("implied_kn").median(),
        )
        .filter(hours_between("start_utc", "end_utc") >= config.sog_min_duration_h)
    )
    return episode_rows(
        runs,
        0.7,
        kind="sog_mismatch",
        rule=f"reported SOG and implied speed differ by >= {config.sog_mismatch_min_kn} kn and >= "
        f"{config.sog_mismatch_fraction:.0%} of the larger, in every {config.sog_window_min}-min window "
        f"for >= {config.sog_min_duration_h} h",
        reported_sog_kn=pl.col("reported_kn").round(1),
        implied_speed_kn=pl.col("implied_kn").round(1),
        duration_h=hours_between("start_utc", "end_utc").round(2),
        n_windows=pl.col("n_windows"),
        thin_min=config.sog_thin_min,
        max_hop_min=config.sog_max_hop_min,
    )


def _on_lattice(col: str, quantum_deg: float) -> pl.Expr:
    # 1e-7 deg: float noise of the decimal input, 1/17 of AIS's resolution
    return (pl.col(col) - (pl.col(col) / quantum_deg).round(0) * quantum_deg).abs() < 1e-7


def _pattern_runs(p: pl.DataFrame, flag: str, config: SpoofingConfig) -> pl.DataFrame:
    """Runs of consecutive reports of one segment where ``flag`` holds, at least ``grid_min_reports`` long."""
    brk = ~pl.col(flag) | ~pl.col(flag).shift(1) | ~_same_segment(1)
    return (
        p.with_columns(brk.fill_null(True).cum_sum().alias("_run"))
        .filter(pl.col(flag))
        .group_by("_run")
        .agg(
            pl.col("mmsi").first(),
            pl.col("timestamp_utc").min().alias("start_utc"),
            pl.col("timestamp_utc").max().alias("end_utc"),
            pl.col("lat").first(),
            pl.col("lon").first(),
            pl.len().alias("n_reports"),
            pl.col("_step_m").median().alias("median_step_m"),
            (pl.col("_dt_s").max() / pl.col("_dt_s").min().clip(lower_bound=1.0)).alias("dt_spread"),
        )
        .filter(pl.col("n_reports") >= config.grid_min_reports)
        .with_columns(pl.lit(flag.strip("_")).alias("pattern"))
    )


def grid_regular(points: pl.DataFrame, config: SpoofingConfig) -> pl.DataFrame:
    """Runs of moving reports on a coarse lattice, or repeating one step whatever the time between
    reports. ``points`` sorted by segment then time."""
    if points.height == 0:
        return pl.DataFrame()
    tol = config.grid_step_tol_deg
    same = _same_segment(1)
    # a report repeating the previous fix (heard again by a second station, stamped a second
    # later) adds no step
    repeated_fix = same & (pl.col("lat") == pl.col("lat").shift(1)) & (pl.col("lon") == pl.col("lon").shift(1))
    p = points.select("segment_id", "mmsi", "timestamp_utc", "lat", "lon").filter(~repeated_fix.fill_null(False))
    p = p.with_columns(
        pl.when(same).then(pl.col("lat") - pl.col("lat").shift(1)).alias("_dlat"),
        pl.when(same).then(pl.col("lon") - pl.col("lon").shift(1)).alias("_dlon"),
        pl.when(same).then((pl.col("timestamp_utc") - pl.col("timestamp_utc").shift(1)).dt.total_seconds()).alias("_dt_s"),
        pl.when(same)
        .then(haversine_expr(pl.col("lat").shift(1), pl.col("lon").shift(1), pl.col("lat"), pl.col("lon")))
        .alias("_step_m"),
        (_on_lattice("lat", config.grid_quantum_deg) & _on_lattice("lon", config.grid_quantum_deg)).alias("_on"),
    )
    moving = pl.col("_step_m") >= config.grid_min_step_m
    repeat = (
        ((pl.col("_dlat") - pl.col("_dlat").shift(1)).abs() <= tol)
        & ((pl.col("_dlon") - pl.col("_dlon").shift(1)).abs() <= tol)
        & _same_segment(2)
    )
    # a vessel whose every moving report is on the lattice has a coarse source, not a spoofed run
    fine_elsewhere = (moving & ~pl.col("_on")).fill_null(False).any().over("mmsi")
    p = p.with_columns(
        (moving & pl.col("_on") & fine_elsewhere).fill_null(False).alias("_lattice"),
        (moving & repeat).fill_null(False).alias("_constant_step"),
    )
    runs = pl.concat(
        [
            _pattern_runs(p, "_lattice", config),
            # a real ship reporting at a perfectly regular rate at constant velocity also repeats its
            # step; a generated track repeats it even when the time between reports changes
            _pattern_runs(p, "_constant_step", config).filter(pl.col("dt_spread") >= config.grid_min_dt_spread),
        ]
    )
    return episode_rows(
        runs,
        0.8,
        kind="grid_regular",
        rule=f">= {config.grid_min_reports} consecutive moving reports (steps >= {config.grid_min_step_m} m) on a "
        f"{config.grid_quantum_deg} deg lattice, or repeating the previous step within {config.grid_step_tol_deg} deg "
        f"while the time between reports varies by >= {config.grid_min_dt_spread}x",
        pattern=pl.col("pattern"),
        n_reports=pl.col("n_reports"),
        median_step_m=pl.col("median_step_m").round(1),
        dt_spread=pl.col("dt_spread").round(2),
    )
