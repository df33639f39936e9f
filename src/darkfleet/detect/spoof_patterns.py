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

Each rule is one Numba pass over the reports in segment then time order (read through an
index, the columns are never copied into that order) that writes out only what can fire:
the few windows or runs are then summarised in Polars.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numba import njit

from darkfleet.clean.segment import in_order, reported_sog, segment_order
from darkfleet.config import SpoofingConfig
from darkfleet.detect.events import details_expr
from darkfleet.detect.geo import M_PER_NM, haversine_scalar_m
from darkfleet.detect.runs import grown, hours_between

US_PER_MIN = 60_000_000
_LATTICE, _CONSTANT_STEP = 0, 1  # the two grid_regular patterns, numbered as in the kernel's output


def episode_rows(frame: pl.DataFrame, confidence: float, **evidence) -> pl.DataFrame:
    """One spoofing event per row of ``frame`` (mmsi, start_utc, end_utc, lat, lon) with its evidence."""
    return frame.select(
        "mmsi", "start_utc", "end_utc", "lat", "lon", pl.lit(confidence).alias("confidence"), details_expr(**evidence)
    )


@dataclass
class Tracks:
    """Raw reports as NumPy arrays in the frame's row order; ``order`` visits them segment by
    segment, in time within each (the kernels read the columns through it)."""

    order: np.ndarray
    seg: np.ndarray
    mmsi: np.ndarray
    t_us: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    sog: np.ndarray  # NaN where not reported

    @classmethod
    def of(cls, points: pl.DataFrame) -> Tracks:
        seg = in_order(points["segment_id"].to_numpy(), None)
        t_us = in_order(points["timestamp_utc"].dt.epoch("us").to_numpy(), None)
        order = segment_order(seg, t_us)
        order = np.arange(points.height, dtype=np.int64) if order is None else order
        columns = (points["mmsi"].to_numpy(), points["lat"].to_numpy(), points["lon"].to_numpy(), reported_sog(points))
        return cls(in_order(order, None), seg, *(in_order(a, None) for a in (columns[0], t_us, *columns[1:])))


def _utc(t_us: np.ndarray) -> pl.Series:
    return pl.Series(t_us).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


@njit(cache=True, nogil=True)
def _sog_window_kernel(order, seg, t_us, lat, lon, sog, thin_us, max_hop_s, window_us, min_covered_s):  # pragma: no cover - numba
    """Per segment and window, the measured hops between thinned reports summed: reported
    (time-weighted) and implied speeds. Reports are thinned to the first of each ``thin_us``
    bucket, carrying the bucket's mean known SOG; a hop is measured when it lasts (0,
    ``max_hop_s``] and both ends know a SOG. Windows covering less than ``min_covered_s`` are
    left out. Returns (first hop's row, window, end time) and (lat, lon, covered s, implied
    kn, reported kn), one column per window."""
    n = order.shape[0]
    ints = np.empty((3, 1024), np.int64)
    floats = np.empty((5, 1024))
    n_out = 0
    prev_row, prev_sog = -1, np.nan
    acc_row, acc_window, acc_end, acc_n = -1, -1, 0, 0
    acc_s = acc_m = acc_sog_s = acc_lat = acc_lon = 0.0
    k = 0
    while k <= n:
        i = order[k] if k < n else -1
        new_seg = i < 0 or prev_row < 0 or seg[i] != seg[prev_row]
        # a window ends with its segment, or when a measured hop falls in a later window
        window = t_us[prev_row] // window_us if (prev_row >= 0 and not new_seg) else -1
        if acc_n > 0 and (new_seg or window != acc_window):
            if acc_s >= min_covered_s:
                ints = grown(ints, n_out + 1)
                floats = grown(floats, n_out + 1)
                ints[0, n_out], ints[1, n_out], ints[2, n_out] = acc_row, acc_window, acc_end
                floats[0, n_out], floats[1, n_out] = acc_lat / acc_n, acc_lon / acc_n
                floats[2, n_out] = acc_s
                floats[3, n_out] = acc_m / M_PER_NM / (acc_s / 3600)
                floats[4, n_out] = acc_sog_s / acc_s
                n_out += 1
            acc_n = 0
        if i < 0:
            break
        # times only grow within a segment: the bucket ends at its upper bound (no division per report)
        bucket_end = (t_us[i] // thin_us + 1) * thin_us
        sog_sum, sog_n = 0.0, 0
        m = k
        while m < n and seg[order[m]] == seg[i] and t_us[order[m]] < bucket_end:
            if not np.isnan(sog[order[m]]):
                sog_sum += sog[order[m]]
                sog_n += 1
            m += 1
        bucket_sog = sog_sum / sog_n if sog_n > 0 else np.nan
        if not new_seg:
            hop_s = (t_us[i] - t_us[prev_row]) / 1e6
            hop_sog = (bucket_sog + prev_sog) / 2
            if hop_s > 0 and hop_s <= max_hop_s and not np.isnan(hop_sog):
                if acc_n == 0:
                    acc_row, acc_window, acc_end = prev_row, window, t_us[i]
                    acc_s = acc_m = acc_sog_s = acc_lat = acc_lon = 0.0
                acc_n += 1
                acc_end = max(acc_end, t_us[i])
                acc_s += hop_s
                acc_m += haversine_scalar_m(lat[prev_row], lon[prev_row], lat[i], lon[i])
                acc_sog_s += hop_sog * hop_s
                acc_lat += lat[prev_row]
                acc_lon += lon[prev_row]
        prev_row, prev_sog = i, bucket_sog
        k = m
    return ints[:, :n_out], floats[:, :n_out]


def _sog_windows(tr: Tracks, config: SpoofingConfig) -> pl.DataFrame:
    """Per segment and window: reported (time-weighted) and implied speeds over measured hops."""
    ints, floats = _sog_window_kernel(
        tr.order, tr.seg, tr.t_us, tr.lat, tr.lon, tr.sog, int(config.sog_thin_min * US_PER_MIN),
        float(config.sog_max_hop_min * 60), int(config.sog_window_min * US_PER_MIN),
        float(config.sog_min_coverage_fraction * config.sog_window_min * 60),
    )
    if ints.shape[1] == 0:
        return pl.DataFrame()
    first = ints[0]
    return pl.DataFrame(
        {
            "segment_id": tr.seg[first], "_window": ints[1], "mmsi": tr.mmsi[first], "start_utc": _utc(tr.t_us[first]),
            "end_utc": _utc(ints[2]), "lat": floats[0], "lon": floats[1], "covered_s": floats[2],
            "implied_kn": floats[3], "reported_kn": floats[4],
        }
    )


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


@njit(cache=True, nogil=True)
def _on_lattice(x, quantum_deg):  # pragma: no cover - numba
    # 1e-7 deg: float noise of the decimal input, 1/17 of AIS's resolution
    return abs(x - np.round(x / quantum_deg) * quantum_deg) < 1e-7


@njit(cache=True, nogil=True)
def _pattern_kernel(order, seg, mmsi, t_us, lat, lon, quantum_deg, tol_deg, min_step_m, min_reports):  # pragma: no cover - numba
    """Rows of the runs of >= ``min_reports`` consecutive moving reports of one segment that
    follow a pattern: on the lattice (pattern 0, only for vessels with some report off it) or
    repeating the previous step (pattern 1). A report repeating the previous fix is skipped.
    Returns (row, run number) of pattern p in rows 2p, 2p + 1 of the first array, (step m,
    time since the previous report s) likewise in the second, and how many rows each has."""
    n = order.shape[0]
    ints = np.empty((4, 256), np.int64)
    floats = np.empty((4, 256))
    n_out = np.zeros(2, np.int64)
    run_start = np.zeros(2, np.int64)  # where the open run's rows begin in the output
    run_id = np.zeros(2, np.int64)
    flag_prev = np.zeros(2, np.bool_)
    run_no = 0
    a = 0
    while a < n:
        b = a  # the vessel's rows: a coarse source (nothing off the lattice) is no spoofed run
        fine = False
        while b < n and mmsi[order[b]] == mmsi[order[a]]:
            if not fine:
                fine = not (_on_lattice(lat[order[b]], quantum_deg) and _on_lattice(lon[order[b]], quantum_deg))
            b += 1
        p1, p1_same = -1, False  # the previous kept report, and whether it continued its segment
        dlat_prev = dlon_prev = np.nan
        for k in range(a, b + 1):
            i = order[k] if k < b else -1
            if i >= 0 and k > a:
                r = order[k - 1]
                if seg[i] == seg[r] and lat[i] == lat[r] and lon[i] == lon[r]:
                    continue  # the same fix heard again (a second station): no step
            same = on_lattice = repeat = False
            step_m = dt_s = np.nan
            if i >= 0:
                same = p1 >= 0 and seg[i] == seg[p1]
                dlat = lat[i] - lat[p1] if p1 >= 0 else np.nan
                dlon = lon[i] - lon[p1] if p1 >= 0 else np.nan
                repeat = same and p1_same and abs(dlat - dlat_prev) <= tol_deg and abs(dlon - dlon_prev) <= tol_deg
                on_lattice = _on_lattice(lat[i], quantum_deg) and _on_lattice(lon[i], quantum_deg)
                if same and (repeat or on_lattice):  # steps measured only where a pattern could be
                    step_m = haversine_scalar_m(lat[p1], lon[p1], lat[i], lon[i])
                    dt_s = (t_us[i] - t_us[p1]) / 1e6
                dlat_prev, dlon_prev = dlat, dlon
            moving = step_m >= min_step_m
            for p in range(2):
                flag = moving and (on_lattice and fine if p == _LATTICE else repeat)
                if flag_prev[p] and not (flag and same) and n_out[p] - run_start[p] < min_reports:
                    n_out[p] = run_start[p]  # the run that ended is too short: its rows go
                if flag:
                    if not (flag_prev[p] and same):
                        run_no += 1
                        run_id[p], run_start[p] = run_no, n_out[p]
                    ints = grown(ints, n_out[p] + 1)
                    floats = grown(floats, n_out[p] + 1)
                    ints[2 * p, n_out[p]], ints[2 * p + 1, n_out[p]] = i, run_id[p]
                    floats[2 * p, n_out[p]], floats[2 * p + 1, n_out[p]] = step_m, dt_s
                    n_out[p] += 1
                flag_prev[p] = flag
            if i >= 0:
                p1, p1_same = i, same
        a = b
    return ints, floats, n_out


def _pattern_runs(tr: Tracks, ints: np.ndarray, floats: np.ndarray, pattern: str) -> pl.DataFrame:
    rows = ints[0]
    return (
        pl.DataFrame({"_run": ints[1], "mmsi": tr.mmsi[rows], "t": tr.t_us[rows], "lat": tr.lat[rows],
                      "lon": tr.lon[rows], "step_m": floats[0], "dt_s": floats[1]})
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
    ints, floats, n = _pattern_kernel(
        tr.order, tr.seg, tr.mmsi, tr.t_us, tr.lat, tr.lon, float(config.grid_quantum_deg),
        float(config.grid_step_tol_deg), float(config.grid_min_step_m), int(config.grid_min_reports),
    )
    runs = pl.concat(
        [
            _pattern_runs(tr, ints[0:2, : n[_LATTICE]], floats[0:2, : n[_LATTICE]], "lattice"),
            # a real ship reporting at a perfectly regular rate at constant velocity also repeats its
            # step; a generated track repeats it even when the time between reports changes
            _pattern_runs(tr, ints[2:4, : n[_CONSTANT_STEP]], floats[2:4, : n[_CONSTANT_STEP]], "constant_step").filter(
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
