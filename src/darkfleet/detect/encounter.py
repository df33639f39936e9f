"""Encounters: two vessels within ``max_distance_m`` for at least ``min_duration_h``, both slow.

Global Fishing Watch's encounter definition (Miller et al. 2018, Frontiers in Marine
Science; Kroodsma et al. 2018, Science): within 500 m for >= 2 h with both median speeds
below 2 kn, computed on tracks resampled to 10 minutes; runs of the same pair less than
4 h apart are one encounter. Candidate pairs come from a spatial hash of the grid points
(same instant, same or corner-adjacent cell), never from all pairs. Encounters within the
in-port radius are kept and marked ``in_port`` (moored side by side, bunkering).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit

from darkfleet.clean.segment import in_order
from darkfleet.config import EncounterConfig
from darkfleet.detect.events import details_expr, finish_events
from darkfleet.detect.geo import close_row_pairs
from darkfleet.detect.ports_index import PortIndex
from darkfleet.detect.runs import grown, hours_between

PAIR_SCHEMA = {
    "timestamp_utc": pl.Datetime("us", "UTC"), "mmsi": pl.Int64, "other_mmsi": pl.Int64, "distance_m": pl.Float64,
    "lat": pl.Float64, "lon": pl.Float64, "speed_a_kn": pl.Float64, "speed_b_kn": pl.Float64, "heading_diff_deg": pl.Float64,
}


def close_pairs(grid: pl.DataFrame, max_distance_m: float) -> pl.DataFrame:
    """Every (instant, lower MMSI, higher MMSI) whose grid points are within ``max_distance_m``,
    in instant order; a pair meeting through several segments of a shared MMSI has several
    rows at one instant (:func:`closest_per_instant` keeps the closest)."""
    if grid.height == 0:
        return pl.DataFrame(schema=PAIR_SCHEMA)
    lat, lon, mmsi = grid["lat"].to_numpy(), grid["lon"].to_numpy(), grid["mmsi"].to_numpy()
    a, b, distance_m = close_row_pairs(lat, lon, grid["timestamp_utc"].dt.epoch("us").to_numpy(), mmsi, max_distance_m)
    speed = grid["speed_kn"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    course = grid.select(pl.coalesce("heading_deg", "cog_deg").cast(pl.Float64).fill_null(np.nan)).to_series().to_numpy()
    mmsi_a, mmsi_b, mid_lat, mid_lon, speed_a, speed_b, heading_diff = _pair_columns(
        a, b, np.asarray(mmsi, dtype=np.int64), lat, lon, speed, course)
    return pl.DataFrame(
        [
            grid["timestamp_utc"].gather(a),
            pl.Series("mmsi", mmsi_a),
            pl.Series("other_mmsi", mmsi_b),
            pl.Series("distance_m", distance_m),
            pl.Series("lat", mid_lat),
            pl.Series("lon", mid_lon),
            # NaN stood for unknown in the arrays; Polars' medians skip nulls
            pl.Series("speed_a_kn", speed_a, nan_to_null=True),
            pl.Series("speed_b_kn", speed_b, nan_to_null=True),
            pl.Series("heading_diff_deg", heading_diff, nan_to_null=True),
        ],
        schema=PAIR_SCHEMA,
    )


@njit(cache=True, nogil=True)
def _pair_columns(a, b, mmsi, lat, lon, speed, course):  # pragma: no cover - numba
    """Per row pair (a, b): both MMSIs, the midpoint, both speeds and the difference of course
    folded into [0, 90] (hulls alongside are parallel or opposite), in one pass."""
    n = a.shape[0]
    mmsi_a, mmsi_b = np.empty(n, np.int64), np.empty(n, np.int64)
    mid_lat, mid_lon, speed_a, speed_b, heading_diff = np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for k in range(n):
        i, j = a[k], b[k]
        mmsi_a[k], mmsi_b[k] = mmsi[i], mmsi[j]
        mid_lat[k], mid_lon[k] = (lat[i] + lat[j]) / 2, (lon[i] + lon[j]) / 2
        speed_a[k], speed_b[k] = speed[i], speed[j]
        turned = abs(course[i] - course[j]) % 180.0
        heading_diff[k] = min(turned, 180.0 - turned)
    return mmsi_a, mmsi_b, mid_lat, mid_lon, speed_a, speed_b, heading_diff


def closest_per_instant(pairs: pl.DataFrame) -> pl.DataFrame:
    """Pairs sorted by vessel pair then time, one row per pair and instant (the closest).

    A pair can meet through several segments of a shared MMSI; and an engine that searches
    space blocks separately returns pairs block by block, an encounter drifting across a
    block boundary in two pieces: sorting stitches them back before runs are formed."""
    if pairs.height == 0:
        return pairs
    keys = ["mmsi", "other_mmsi", "timestamp_utc"]
    first = pl.any_horizontal([pl.col(k) != pl.col(k).shift(1) for k in keys]).fill_null(True)
    if not (0 <= pairs["mmsi"].min() and pairs["other_mmsi"].max() < 1 << 30):  # type: ignore[operator]
        return pairs.sort(*keys, "distance_m").filter(first)
    # both MMSIs packed into one key: a sort on 3 columns instead of 4 (about half the time)
    pair = (pl.col("mmsi") * (1 << 30) + pl.col("other_mmsi")).alias("_pair")
    return pairs.sort(pair, "timestamp_utc", "distance_m").filter(first)


@njit(cache=True, nogil=True)
def _nan_median(values, lo, hi, buffer):  # pragma: no cover - numba
    """Median of the known (not NaN) ``values[lo:hi]``, NaN when none is known: sorted in place
    in ``buffer`` (most runs are a few rows: an insertion sort, no allocation per run as
    ``np.median``'s copy made), the middle value or the mean of the two middle ones, exactly
    as ``np.median`` computes them."""
    n = 0
    for k in range(lo, hi):
        if not np.isnan(values[k]):
            buffer[n] = values[k]
            n += 1
    if n == 0:
        return np.nan
    if n > 32:
        buffer[:n].sort()
    else:
        for k in range(1, n):
            value = buffer[k]
            m = k - 1
            while m >= 0 and buffer[m] > value:
                buffer[m + 1] = buffer[m]
                m -= 1
            buffer[m + 1] = value
    half = n >> 1
    return buffer[half] if n & 1 else (buffer[half - 1] + buffer[half]) / 2


@njit(cache=True, nogil=True)
def _contact_run_kernel(mmsi, other, t_us, distance_m, speed_a, speed_b, heading_diff, lat, lon, step_us):  # pragma: no cover - numba
    """Runs of pair rows sorted by (mmsi, other, time): a run ends when the pair changes or the
    next instant is more than ``step_us`` later. Per run: first and last row, and (median
    distance, min distance, median speeds a and b, median heading difference, mean lat, mean
    lon), medians over known values."""
    n = mmsi.shape[0]
    bounds = np.empty((2, 1024), np.int64)
    stats = np.empty((7, 1024))
    buffer = np.empty(n)
    n_runs = 0
    a = 0
    while a < n:
        b = a + 1
        while b < n and mmsi[b] == mmsi[a] and other[b] == other[a] and t_us[b] - t_us[b - 1] <= step_us:
            b += 1
        bounds, stats = grown(bounds, n_runs + 1), grown(stats, n_runs + 1)
        bounds[0, n_runs], bounds[1, n_runs] = a, b - 1
        stats[0, n_runs] = _nan_median(distance_m, a, b, buffer)
        stats[1, n_runs] = distance_m[a:b].min()
        stats[2, n_runs] = _nan_median(speed_a, a, b, buffer)
        stats[3, n_runs] = _nan_median(speed_b, a, b, buffer)
        stats[4, n_runs] = _nan_median(heading_diff, a, b, buffer)
        stats[5, n_runs] = lat[a:b].mean()
        stats[6, n_runs] = lon[a:b].mean()
        n_runs += 1
        a = b
    return bounds[:, :n_runs], stats[:, :n_runs]


def _contact_runs(pairs: pl.DataFrame, step_min: int) -> pl.DataFrame:
    """One row per run of consecutive grid instants of one vessel pair (pairs as
    :func:`closest_per_instant` leaves them)."""
    columns = ["distance_m", "speed_a_kn", "speed_b_kn", "heading_diff_deg", "lat", "lon"]
    arrays = [pairs["mmsi"], pairs["other_mmsi"], pairs["timestamp_utc"].dt.epoch("us"),
              *(pairs[c].cast(pl.Float64).fill_null(np.nan) for c in columns)]
    (first, last), stats = _contact_run_kernel(*(in_order(a.to_numpy(), None) for a in arrays), step_min * 60_000_000)
    names = ["median_distance_m", "min_distance_m", "median_speed_a_kn", "median_speed_b_kn", "median_heading_diff_deg",
             "lat", "lon"]
    return pl.DataFrame(
        {
            "mmsi": pairs["mmsi"].gather(first),
            "other_mmsi": pairs["other_mmsi"].gather(first),
            "start_utc": pairs["timestamp_utc"].gather(first),
            "end_utc": pairs["timestamp_utc"].gather(last),
            **dict(zip(names, stats)),
            "n_grid_points": (last - first + 1).astype(np.uint32),
        }
    ).with_columns(pl.col(names[:5]).fill_nan(None), hours_between("start_utc", "end_utc").alias("duration_h"))


def encounter_runs(pairs: pl.DataFrame, config: EncounterConfig, step_min: int) -> pl.DataFrame:
    """Qualifying contact runs, then runs of the same pair closer than ``merge_gap_h`` merged."""
    runs = _contact_runs(pairs, step_min)
    keep = (
        (pl.col("duration_h") >= config.min_duration_h)
        & (pl.col("median_speed_a_kn") < config.max_median_speed_kn)
        & (pl.col("median_speed_b_kn") < config.max_median_speed_kn)
    )
    if config.max_heading_diff_deg is not None:
        keep = keep & (pl.col("median_heading_diff_deg").fill_null(180.0) <= config.max_heading_diff_deg)
    runs = runs.filter(keep.fill_null(False)).sort("mmsi", "other_mmsi", "start_utc")
    new = (
        (pl.col("mmsi") != pl.col("mmsi").shift(1))
        | (pl.col("other_mmsi") != pl.col("other_mmsi").shift(1))
        | (hours_between("_prev_end", "start_utc") >= config.merge_gap_h)
    ).fill_null(True)
    weight = pl.col("n_grid_points")
    return (
        runs.with_columns(pl.col("end_utc").shift(1).alias("_prev_end"))
        .with_columns(new.cum_sum().alias("event_no"))
        .group_by("event_no")
        .agg(
            pl.col("mmsi").first(),
            pl.col("other_mmsi").first(),
            pl.col("start_utc").min(),
            pl.col("end_utc").max(),
            pl.col("duration_h").sum().alias("close_h"),
            pl.col("min_distance_m").min(),
            ((pl.col("median_distance_m") * weight).sum() / weight.sum()).alias("median_distance_m"),
            ((pl.col("median_speed_a_kn") * weight).sum() / weight.sum()).alias("median_speed_a_kn"),
            ((pl.col("median_speed_b_kn") * weight).sum() / weight.sum()).alias("median_speed_b_kn"),
            pl.col("median_heading_diff_deg").mean(),
            ((pl.col("lat") * weight).sum() / weight.sum()).alias("lat"),
            ((pl.col("lon") * weight).sum() / weight.sum()).alias("lon"),
            pl.len().alias("n_runs"),
        )
        .sort("event_no")
    )


def detect_encounters(
    grid: pl.DataFrame,
    config: EncounterConfig,
    ports: PortIndex | None = None,
    in_port_radius_m: float = 10_000.0,
    step_min: int = 10,
    digest: str = "",
    pairs: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Encounter events (``schema.EVENTS``; ``mmsi`` < ``other_mmsi``) from the resampled grid.

    ``pairs`` may be precomputed by :func:`close_pairs` (e.g. per space cell by an engine)."""
    pairs = closest_per_instant(close_pairs(grid, config.max_distance_m) if pairs is None else pairs)
    events = encounter_runs(pairs, config, step_min)
    in_port = [False] * events.height
    if ports is not None and events.height:
        in_port = list(ports.distance_m(events["lat"].to_numpy(), events["lon"].to_numpy(), in_port_radius_m) <= in_port_radius_m)
    duration = hours_between("start_utc", "end_utc")
    out = events.with_columns(pl.Series("in_port", in_port, dtype=pl.Boolean)).select(
        "mmsi",
        "other_mmsi",
        "start_utc",
        "end_utc",
        "lat",
        "lon",
        # the closer and longer, the surer: 2x the minimum time and half the distance saturate
        (
            0.4
            + 0.3 * (pl.col("close_h") / (2 * config.min_duration_h)).clip(upper_bound=1.0)
            + 0.3 * (1 - pl.col("median_distance_m") / config.max_distance_m).clip(0.0, 1.0)
        ).alias("confidence"),
        "in_port",
        details_expr(
            rule=f"within {config.max_distance_m} m for >= {config.min_duration_h} h, median speeds < "
            f"{config.max_median_speed_kn} kn, runs < {config.merge_gap_h} h apart merged"
            + ("" if config.max_heading_diff_deg is None else f", headings within {config.max_heading_diff_deg} deg"),
            duration_h=duration.round(3),
            close_h=pl.col("close_h").round(3),
            median_distance_m=pl.col("median_distance_m").round(1),
            min_distance_m=pl.col("min_distance_m").round(1),
            median_speed_kn=pl.col("median_speed_a_kn").round(3),
            other_median_speed_kn=pl.col("median_speed_b_kn").round(3),
            median_heading_diff_deg=pl.col("median_heading_diff_deg").round(1),
            n_runs=pl.col("n_runs"),
        ),
    )
    return finish_events(out, "encounter", digest)
