"""Spoofing and position manipulation, one ``details.kind`` per symptom.

* ``position_jump``: a brief segment (<= ``max_jump_points`` reports or <= ``max_jump_h``)
  beside a bigger one of the same MMSI: reports no ship could have reached (implied speed above the segmenter's
  limit) and the track carries on where it was. Never deleted, reported here.
* ``shared_mmsi``: two long segments of one MMSI overlapping in time: two transmitters.
* ``no_fix``: reports with the "not available" position (lat 91 / lon 181) or none at all.
* ``circle``: the track turns smoothly one way through a full circle within
  ``circle_window_h`` at sailing speed and ends where it started, the signature of GNSS spoofing (C4ADS 2019, "Above Us
  Only Stars").
* ``sog_mismatch`` and ``grid_regular``: see :mod:`darkfleet.detect.spoof_patterns`.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit

from darkfleet.clean.segment import in_order
from darkfleet.config import SpoofingConfig
from darkfleet.detect.events import details_expr, empty_events, finish_events
from darkfleet.detect.geo import M_PER_DEG_LAT, M_PER_NM, bearing_scalar_deg, haversine_expr, haversine_scalar_m
from darkfleet.detect.runs import US_PER_H, grown, hours_between, run_ids
from darkfleet.detect.spoof_patterns import Tracks, episode_rows, grid_regular, sog_mismatch


def jump_segments(segments: pl.DataFrame, config: SpoofingConfig) -> pl.DataFrame:
    """Segments that are position jumps: brief (<= ``max_jump_points`` reports or <= ``max_jump_h``)
    while the same MMSI has a bigger segment to return to."""
    brief = (pl.col("n_points") <= config.max_jump_points) | (hours_between("start_utc", "end_utc") <= config.max_jump_h)
    return segments.filter(brief & (pl.col("n_points") < pl.col("n_points").max().over("mmsi")))


def _jumps(points: pl.DataFrame, segments: pl.DataFrame, config: SpoofingConfig, min_dt_s: float) -> pl.DataFrame:
    """Position-jump segments, with the implied speed into them."""
    short = jump_segments(segments, config)
    if short.height == 0:
        return pl.DataFrame()
    floor_us = int(min_dt_s * 1e6)

    def hop(k: int) -> tuple[pl.Expr, pl.Expr]:
        """Distance and implied speed to the report ``k`` rows away, if it is the same vessel's."""
        same = pl.col("mmsi") == pl.col("mmsi").shift(k)
        dist = haversine_expr(pl.col("lat").shift(k), pl.col("lon").shift(k), pl.col("lat"), pl.col("lon"))
        dt_h = (pl.col("timestamp_utc") - pl.col("timestamp_utc").shift(k)).dt.total_microseconds().abs().clip(
            lower_bound=floor_us
        ) / US_PER_H
        return pl.when(same).then(dist), pl.when(same).then(dist / M_PER_NM / dt_h)

    (d_in, v_in), (d_out, v_out) = hop(1), hop(-1)
    # the jump is measured into the excursion, or out of it when it opens the vessel's track
    into = (
        points.select("mmsi", "timestamp_utc", "lat", "lon", "segment_id")
        .filter(pl.col("mmsi").is_in(short["mmsi"].unique().implode()))
        .with_columns(pl.max_horizontal(d_in, d_out).alias("jump_m"), pl.max_horizontal(v_in, v_out).alias("_v"))
        .filter(pl.col("segment_id").is_in(short["segment_id"].implode()))
        .group_by("segment_id")
        .agg(pl.col("jump_m").max(), pl.col("_v").max().alias("implied_speed_kn"))
    )
    return short.join(into, on="segment_id", how="left").select(
        "mmsi",
        "start_utc",
        "end_utc",
        pl.col("start_lat").alias("lat"),
        pl.col("start_lon").alias("lon"),
        pl.lit(0.9).alias("confidence"),
        details_expr(
            kind="position_jump",
            rule=f"segment of <= {config.max_jump_points} reports or <= {config.max_jump_h} h beside a bigger one "
            "(implied speed over the class limit: [segment] max_speed_kn, or hsc_max_speed_kn for AIS ship types "
            "20-29/40-49; not vouched for by the reported SOG)",
            n_reports=pl.col("n_points"),
            jump_m=pl.col("jump_m").round(0),
            implied_speed_kn=pl.col("implied_speed_kn").round(1),
            segment_id=pl.col("segment_id"),
        ),
    )


@njit(cache=True, nogil=True)
def _median_nearest_m(a_lo, a_hi, b_lo, b_hi, order, lat, lon):  # pragma: no cover - numba
    """Per pair p: over the points ``order[b_lo[p]:b_hi[p]]``, the median distance to the
    nearest of the points ``order[a_lo[p]:a_hi[p]]`` (NaN when either side has none). The
    nearest point is searched outwards in latitude: no point is nearer than its latitude
    difference along the meridian, so the search stops there."""
    out = np.full(a_lo.shape[0], np.nan)
    for p in range(a_lo.shape[0]):
        n_a, n_b = a_hi[p] - a_lo[p], b_hi[p] - b_lo[p]
        if n_a == 0 or n_b == 0:
            continue
        rows_a = order[a_lo[p]:a_hi[p]]
        by_lat = np.argsort(lat[rows_a])
        a_lat, rows_a = lat[rows_a][by_lat], rows_a[by_lat]
        nearest = np.empty(n_b)
        for q in range(n_b):
            j = order[b_lo[p] + q]
            best = np.inf
            hi = np.searchsorted(a_lat, lat[j])
            lo = hi - 1
            while lo >= 0 or hi < n_a:
                below = lat[j] - a_lat[lo] if lo >= 0 else np.inf
                above = a_lat[hi] - lat[j] if hi < n_a else np.inf
                k = rows_a[lo] if below <= above else rows_a[hi]
                # a 1e-9 margin over the rounding of the distance: the minimum stays exact
                if min(below, above) * M_PER_DEG_LAT > best * (1 + 1e-9):
                    break
                if below <= above:
                    lo -= 1
                else:
                    hi += 1
                best = min(best, haversine_scalar_m(lat[k], lon[k], lat[j], lon[j]))
            nearest[q] = best
        out[p] = np.median(nearest)
    return out


def _path_separation(pairs: pl.DataFrame, grid: Tracks) -> np.ndarray:
    """Median distance from each grid point of segment b to the nearest grid point of segment a
    (NaN where either has no grid point).

    A receiver that stamps messages late produces a second segment retracing the first one
    minutes behind: close to its path, so not a second transmitter."""
    walked = grid.seg[grid.order]
    a, b = pairs["segment_id"].to_numpy(), pairs["segment_id_b"].to_numpy()
    bounds = [np.searchsorted(walked, ids, side=side) for ids in (a, b) for side in ("left", "right")]
    return _median_nearest_m(*bounds, grid.order, grid.lat, grid.lon)


def _shared(segments: pl.DataFrame, grid: Tracks, config: SpoofingConfig) -> pl.DataFrame:
    """Pairs of long segments of one MMSI that overlap in time and follow different paths."""
    long = segments.filter(pl.col("n_points") >= config.min_shared_points)
    pairs = long.join(long, on="mmsi", suffix="_b").filter(pl.col("segment_id") < pl.col("segment_id_b"))
    pairs = pairs.with_columns(
        pl.max_horizontal("start_utc", "start_utc_b").alias("o_start"),
        pl.min_horizontal("end_utc", "end_utc_b").alias("o_end"),
    ).filter(hours_between("o_start", "o_end") >= config.min_shared_overlap_h)
    separation = pl.Series("path_separation_m", _path_separation(pairs, grid)).fill_nan(None)
    pairs = pairs.with_columns(separation).filter(
        pl.col("path_separation_m").fill_null(float("inf")) >= config.min_shared_separation_m
    )
    return pairs.select(
        "mmsi",
        pl.col("o_start").alias("start_utc"),
        pl.col("o_end").alias("end_utc"),
        pl.col("start_lat").alias("lat"),
        pl.col("start_lon").alias("lon"),
        pl.lit(0.9).alias("confidence"),
        details_expr(
            kind="shared_mmsi",
            rule=f"two segments of >= {config.min_shared_points} reports overlapping >= {config.min_shared_overlap_h} h",
            overlap_h=hours_between("o_start", "o_end").round(3),
            path_separation_m=pl.col("path_separation_m").round(0),
            segment_id=pl.col("segment_id"),
            other_segment_id=pl.col("segment_id_b"),
            separation_m=haversine_expr(pl.col("start_lat"), pl.col("start_lon"), pl.col("start_lat_b"), pl.col("start_lon_b")).round(0),
        ),
    )


def _no_fix(no_fix: pl.DataFrame, config: SpoofingConfig) -> pl.DataFrame:
    """Episodes of reports without a position fix, merged when closer than ``no_fix_merge_h``."""
    if no_fix.height == 0:
        return pl.DataFrame()
    return (
        no_fix.sort("mmsi", "timestamp_utc")
        .with_columns(run_ids(["mmsi"], "timestamp_utc", int(config.no_fix_merge_h * US_PER_H)))
        .group_by("run_id")
        .agg(
            pl.col("mmsi").first(),
            pl.col("timestamp_utc").min().alias("start_utc"),
            pl.col("timestamp_utc").max().alias("end_utc"),
            pl.len().alias("n_reports"),
        )
        .select(
            "mmsi",
            "start_utc",
            "end_utc",
            pl.lit(0.8).alias("confidence"),
            details_expr(kind="no_fix", rule="position 91/181 (not available) or missing", n_reports=pl.col("n_reports")),
        )
    )


@njit(cache=True, nogil=True)
def _circle_kernel(order, seg, t_us, lat, lon, speed, window, min_turn_deg, min_speed_kn, max_step_turn_deg, step_us,
                   min_sailed_m):  # pragma: no cover - numba
    """Grid rows (walked in ``order``: segment by segment, in time) that end a window of
    ``window`` steps turning a full circle at speed and closing on itself, with the net turn,
    the median speed of the window and a run number (consecutive hits of one segment, no
    silence over ``step_us``). A turn is measured from one sailed step (>= ``min_sailed_m``)
    to the next of the segment: a step that hardly moves (a stop, GPS jitter at anchor) has
    no heading, so it neither turns nor hides a U-turn across it. A window with an unknown
    speed never fires."""
    n = order.shape[0]
    ints = np.empty((2, 64), np.int64)  # row, run number
    floats = np.empty((2, 64))  # net turn, median speed
    n_hits, run_no = 0, 0
    window_speed = np.empty(window)
    a = 0
    while a < n:
        b = a + 1
        fast = speed[order[a]] >= min_speed_kn
        while b < n and seg[order[b]] == seg[order[a]]:
            fast = fast or speed[order[b]] >= min_speed_kn
            b += 1
        # a window needs window + 1 points, and some of them at speed (NaN never is)
        if b - a > window and fast:
            turn = np.zeros(b - a)
            step_m = np.zeros(b - a)
            bearing_prev = np.nan
            for q in range(1, b - a):
                i, h = order[a + q], order[a + q - 1]
                step_m[q] = haversine_scalar_m(lat[h], lon[h], lat[i], lon[i])
                if step_m[q] < min_sailed_m:
                    continue
                bearing = bearing_scalar_deg(lat[h], lon[h], lat[i], lon[i])
                if not np.isnan(bearing_prev):
                    turn[q] = ((bearing - bearing_prev + 540.0) % 360.0) - 180.0
                bearing_prev = bearing
            last_hit = -2
            for q in range(window, b - a):
                turn_sum = turn_abs = turn_max = path_m = 0.0
                for r in range(q - window + 1, q + 1):
                    turn_sum += turn[r]
                    turn_abs += abs(turn[r])
                    turn_max = max(turn_max, abs(turn[r]))
                    path_m += step_m[r]
                # a smooth turn one way, not a racetrack of U-turns or a zig-zag
                if abs(turn_sum) < min_turn_deg or turn_max > max_step_turn_deg or turn_abs > 1.25 * abs(turn_sum):
                    continue
                i, h = order[a + q], order[a + q - window]
                if haversine_scalar_m(lat[h], lon[h], lat[i], lon[i]) > 0.5 * path_m:
                    continue
                for r in range(window):
                    window_speed[r] = speed[order[a + q - window + 1 + r]]
                median = np.median(window_speed)
                if not median >= min_speed_kn:
                    continue
                if last_hit != q - 1 or t_us[i] - t_us[order[a + q - 1]] > step_us:
                    run_no += 1
                last_hit = q
                ints, floats = grown(ints, n_hits + 1), grown(floats, n_hits + 1)
                ints[0, n_hits], ints[1, n_hits], floats[0, n_hits], floats[1, n_hits] = i, run_no, turn_sum, median
                n_hits += 1
        a = b
    return ints[:, :n_hits], floats[:, :n_hits]


def _circles(grid: pl.DataFrame, walk: Tracks, config: SpoofingConfig, step_min: int) -> pl.DataFrame:
    """Windows of the resampled track that turn a full circle at speed and close on themselves."""
    window = max(2, int(round(config.circle_window_h * 60 / step_min)))
    speed = in_order(grid["speed_kn"].cast(pl.Float64).fill_null(np.nan).to_numpy(), None)
    # a step sailed at under half the circling speed: stopped or drifting, its bearing is noise
    min_sailed_m = 0.5 * config.circle_min_speed_kn * M_PER_NM * step_min / 60
    (hits, run), (turn_sum, speed_kn) = _circle_kernel(
        walk.order, walk.seg, walk.t_us, walk.lat, walk.lon, speed, window, float(config.circle_min_turn_deg),
        float(config.circle_min_speed_kn), float(config.circle_max_step_turn_deg), step_min * 60_000_000, min_sailed_m,
    )
    circles = (
        grid.select("mmsi", "timestamp_utc", "lat", "lon")[hits]
        .with_columns(pl.Series("_turn_sum", turn_sum), pl.Series("_speed", speed_kn), pl.Series("run_id", run))
        .group_by("run_id")
        .agg(
            pl.col("mmsi").first(),
            (pl.col("timestamp_utc").min() - pl.duration(minutes=step_min * window)).alias("start_utc"),
            pl.col("timestamp_utc").max().alias("end_utc"),
            pl.col("lat").mean(),
            pl.col("lon").mean(),
            pl.col("_turn_sum").abs().max().alias("turn_deg"),
            pl.col("_speed").median().alias("median_speed_kn"),
        )
    )
    return episode_rows(
        circles,
        0.7,
        kind="circle",
        rule=f"turn >= {config.circle_min_turn_deg} deg within {config.circle_window_h} h at >= "
        f"{config.circle_min_speed_kn} kn, ending near its start",
        turn_deg=pl.col("turn_deg").round(0),
        median_speed_kn=pl.col("median_speed_kn").round(2),
    )


def detect_spoofing(
    points: pl.DataFrame,
    segments: pl.DataFrame,
    no_fix: pl.DataFrame,
    grid: pl.DataFrame,
    config: SpoofingConfig,
    min_dt_s: float = 60.0,
    step_min: int = 10,
    digest: str = "",
) -> pl.DataFrame:
    """Spoofing events (``schema.EVENTS``) from segmented points, segments, no-fix reports and the grid."""
    # one walk through the grid, one through the raw reports: segment by segment, in time
    grid_walk, tracks = Tracks.of(grid), Tracks.of(points)
    parts = [
        _jumps(points, segments, config, min_dt_s),
        _shared(segments, grid_walk, config),
        _no_fix(no_fix, config),
        _circles(grid, grid_walk, config, step_min),
        sog_mismatch(tracks, config),
        grid_regular(tracks, config),
    ]
    parts = [p for p in parts if p.height]
    if not parts:
        return empty_events()
    return finish_events(pl.concat(parts, how="diagonal_relaxed"), "spoofing", digest)
