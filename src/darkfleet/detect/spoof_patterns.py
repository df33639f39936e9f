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

from dataclasses import dataclass

import numpy as np
import polars as pl

from darkfleet.clean.segment import reported_sog, segment_order
from darkfleet.config import SpoofingConfig
from darkfleet.detect.events import details_expr
from darkfleet.detect.geo import M_PER_NM, haversine_m
from darkfleet.detect.runs import hours_between

US_PER_MIN = 60_000_000


def episode_rows(frame: pl.DataFrame, confidence: float, **evidence) -> pl.DataFrame:
    """One spoofing event per row of ``frame`` (mmsi, start_utc, end_utc, lat, lon) with its evidence."""
    return frame.select(
        "mmsi", "start_utc", "end_utc", "lat", "lon", pl.lit(confidence).alias("confidence"), details_expr(**evidence)
    )


@dataclass
class Tracks:
    """Raw reports as NumPy arrays in segment then time order: one pass serves both rules."""

    seg: np.ndarray
    mmsi: np.ndarray
    t_us: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    sog: np.ndarray  # NaN where not reported

    @classmethod
    def of(cls, points: pl.DataFrame) -> Tracks:
        seg, t_us = points["segment_id"].to_numpy(), points["timestamp_utc"].dt.epoch("us").to_numpy()
        arrays = [seg, points["mmsi"].to_numpy(), t_us, points["lat"].to_numpy(), points["lon"].to_numpy(), reported_sog(points)]
        order = segment_order(seg, t_us)
        return cls(*(a if order is None else a[order] for a in arrays))

    def take(self, index: np.ndarray) -> Tracks:
        return Tracks(*(a[index] for a in (self.seg, self.mmsi, self.t_us, self.lat, self.lon, self.sog)))


def _utc(t_us: np.ndarray) -> pl.Series:
    return pl.Series(t_us).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def _sog_windows(tr: Tracks, config: SpoofingConfig) -> pl.DataFrame:
    """Per segment and window: reported (time-weighted) and implied speeds over measured hops."""
    bucket = tr.t_us // int(config.sog_thin_min * US_PER_MIN)
    starts = np.flatnonzero(np.r_[True, (tr.seg[1:] != tr.seg[:-1]) | (bucket[1:] != bucket[:-1])])
    known = ~np.isnan(tr.sog)
    with np.errstate(invalid="ignore", divide="ignore"):
        bucket_sog = np.add.reduceat(np.where(known, tr.sog, 0.0), starts) / np.add.reduceat(known, starts)
    thin = tr.take(starts)  # first report of each bucket, with its bucket's mean SOG
    dt_s = np.diff(thin.t_us) / 1e6
    hop_sog = (bucket_sog[1:] + bucket_sog[:-1]) / 2
    measured = (thin.seg[1:] == thin.seg[:-1]) & (dt_s > 0) & (dt_s <= config.sog_max_hop_min * 60) & ~np.isnan(hop_sog)
    i = np.flatnonzero(measured)  # hop i -> i + 1
    if i.size == 0:
        return pl.DataFrame()
    hop_m = haversine_m(thin.lat[i], thin.lon[i], thin.lat[i + 1], thin.lon[i + 1])
    hop_s, hop_sog = dt_s[i], hop_sog[i]
    window = thin.t_us[i] // int(config.sog_window_min * US_PER_MIN)
    seg = thin.seg[i]
    w0 = np.flatnonzero(np.r_[True, (seg[1:] != seg[:-1]) | (window[1:] != window[:-1])])
    n = np.diff(np.r_[w0, i.size])
    covered_s = np.add.reduceat(hop_s, w0)
    frame = pl.DataFrame(
        {
            "segment_id": seg[w0],
            "_window": window[w0],
            "mmsi": thin.mmsi[i][w0],
            "start_utc": _utc(thin.t_us[i][w0]),
            "end_utc": _utc(np.maximum.reduceat(thin.t_us[i + 1], w0)),
            "lat": np.add.reduceat(thin.lat[i], w0) / n,
            "lon": np.add.reduceat(thin.lon[i], w0) / n,
            "covered_s": covered_s,
            "implied_kn": np.add.reduceat(hop_m, w0) / M_PER_NM / (covered_s / 3600),
            "reported_kn": np.add.reduceat(hop_sog * hop_s, w0) / covered_s,
        }
    )
    return frame.filter(pl.col("covered_s") >= config.sog_min_coverage_fraction * config.sog_window_min * 60)


def sog_mismatch(tr: Tracks, config: SpoofingConfig) -> pl.DataFrame:
    """Runs of consecutive windows whose reported SOG and implied speed disagree."""
    w = _sog_windows(tr, config)
    if w.height == 0:
        return w
    diff = (pl.col("reported_kn") - pl.col("implied_kn")).abs()
    bigger = pl.max_horizontal("reported_kn", "implied_kn")
    off = (diff >= config.sog_mismatch_min_kn) & (diff >= config.sog_mismatch_fraction * bigger)
    # a run continues only into the next window of the same segment while the mismatch holds
    same = pl.col("segment_id") == pl.col("segment_id").shift(1)
    brk = ~off | ~off.shift(1) | ~same | ((pl.col("_window") - pl.col("_window").shift(1)) != 1)
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


def _on_lattice(x: np.ndarray, quantum_deg: float) -> np.ndarray:
    # 1e-7 deg: float noise of the decimal input, 1/17 of AIS's resolution
    return np.abs(x - np.round(x / quantum_deg) * quantum_deg) < 1e-7


def _long_runs(flag: np.ndarray, same: np.ndarray, min_len: int) -> np.ndarray:
    """Run number of each flagged row whose run (consecutive flagged rows of one segment) has
    at least ``min_len`` rows; -1 elsewhere."""
    run = np.cumsum(~flag | ~np.r_[False, flag[:-1]] | ~same)
    length = np.bincount(run[flag], minlength=run[-1] + 1)
    return np.where(flag & (length[run] >= min_len), run, -1)


def _pattern_runs(tr: Tracks, run: np.ndarray, step_m: np.ndarray, dt_s: np.ndarray, pattern: str) -> pl.DataFrame:
    rows = np.flatnonzero(run >= 0)
    return (
        pl.DataFrame({"_run": run[rows], "mmsi": tr.mmsi[rows], "t": tr.t_us[rows], "lat": tr.lat[rows],
                      "lon": tr.lon[rows], "step_m": step_m[rows], "dt_s": dt_s[rows]})
        .group_by("_run")
        .agg(
            pl.col("mmsi").first(),
            pl.col("t").min().alias("start_utc"),
            pl.col("t").max().alias("end_utc"),
            pl.col("lat").first(),
            pl.col("lon").first(),
            pl.len().alias("n_reports"),
            pl.col("step_m").median().alias("median_step_m"),
            (pl.col("dt_s").max() / pl.col("dt_s").min().clip(lower_bound=1.0)).alias("dt_spread"),
        )
        .with_columns(pl.col("start_utc", "end_utc").cast(pl.Datetime("us", "UTC")), pl.lit(pattern).alias("pattern"))
    )


def grid_regular(tr: Tracks, config: SpoofingConfig) -> pl.DataFrame:
    """Runs of moving reports on a coarse lattice, or repeating one step whatever the time between reports."""
    if tr.seg.size < 3:
        return pl.DataFrame()
    # a report repeating the previous fix (heard again by a second station, stamped a second
    # later) adds no step
    again = (tr.seg[1:] == tr.seg[:-1]) & (tr.lat[1:] == tr.lat[:-1]) & (tr.lon[1:] == tr.lon[:-1])
    tr = tr.take(np.flatnonzero(np.r_[True, ~again]))
    same = np.r_[False, tr.seg[1:] == tr.seg[:-1]]
    dlat, dlon = np.r_[np.nan, np.diff(tr.lat)], np.r_[np.nan, np.diff(tr.lon)]
    tol = config.grid_step_tol_deg
    repeat = (
        same & np.r_[False, same[:-1]]
        & (np.abs(dlat - np.r_[np.nan, dlat[:-1]]) <= tol) & (np.abs(dlon - np.r_[np.nan, dlon[:-1]]) <= tol)
    )
    on = _on_lattice(tr.lat, config.grid_quantum_deg) & _on_lattice(tr.lon, config.grid_quantum_deg)
    # step lengths only where a pattern could be: both conditions are rare in real fixes
    cand = np.flatnonzero(same & (repeat | on))
    step_m = np.full(tr.seg.size, np.nan)
    step_m[cand] = haversine_m(tr.lat[cand - 1], tr.lon[cand - 1], tr.lat[cand], tr.lon[cand])
    moving = step_m >= config.grid_min_step_m
    dt_s = np.r_[np.nan, np.diff(tr.t_us) / 1e6]
    # a vessel with no report off the lattice has a coarse source (a feed that rounds), not a spoofed run
    vessel = np.flatnonzero(np.r_[True, tr.mmsi[1:] != tr.mmsi[:-1]])
    fine = np.maximum.reduceat(~on, vessel)
    fine_elsewhere = np.repeat(fine, np.diff(np.r_[vessel, tr.mmsi.size]))
    n = config.grid_min_reports
    runs = pl.concat(
        [
            _pattern_runs(tr, _long_runs(moving & on & fine_elsewhere, same, n), step_m, dt_s, "lattice"),
            # a real ship reporting at a perfectly regular rate at constant velocity also repeats its
            # step; a generated track repeats it even when the time between reports changes
            _pattern_runs(tr, _long_runs(moving & repeat, same, n), step_m, dt_s, "constant_step").filter(
                pl.col("dt_spread") >= config.grid_min_dt_spread
            ),
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
