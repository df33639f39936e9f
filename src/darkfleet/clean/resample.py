"""Resample each segment onto a regular UTC time grid (default every 10 minutes).

Grid instants are multiples of the step since the epoch, so all vessels share them and a
spatial join on (time, cell) finds vessels that are together. A grid point is produced
only where the segment's two bracketing reports are less than ``max_interp_gap_h`` apart:
the grid never invents a moving vessel's positions inside a silence. One exception: a
vessel that did not move across a silence shorter than ``max_stationary_gap_h`` (implied
speed under ``stationary_max_speed_kn``; an anchored ship far offshore is heard only now
and then) is held at its position, so that sparse reception does not hide a meeting.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit

from darkfleet.clean.segment import in_order, segment_order
from darkfleet.config import ResampleConfig
from darkfleet.detect.geo import M_PER_NM, haversine_scalar_m

GRID_COLUMNS = ["segment_id", "mmsi", "timestamp_utc", "lat", "lon", "speed_kn", "cog_deg", "heading_deg", "interpolated"]


@njit(cache=True, nogil=True, inline="always")
def _row(rows, j):  # pragma: no cover - numba
    """The row of the ``j``-th point in segment order (``rows`` empty: the rows are in it)."""
    return rows[j] if rows.shape[0] > 0 else j


@njit(cache=True, nogil=True)
def _segment_grid(a, b, rows, t, lat, lon, sog, cog, heading, step, max_gap, still_gap, still_kn, do_fill, s, at, o_seg, o_t, o_f):  # pragma: no cover - numba
    """Grid points of the segment in positions ``a:b`` of the segment order (point ``j`` is row
    ``rows[j]`` of the arrays: read through the order, not gathered); with ``do_fill`` written
    from row ``at`` on. Returns how many."""
    count = 0
    if b - a < 1:
        return 0
    first = -((-t[_row(rows, a)]) // step) * step
    last = (t[_row(rows, b - 1)] // step) * step
    j = a
    g = first
    while g <= last:
        while j + 1 < b and t[_row(rows, j + 1)] <= g:
            j += 1
        rj = _row(rows, j)
        bridge = False
        if j + 1 < b:
            rn = _row(rows, j + 1)
            dt = t[rn] - t[rj]
            bridge = dt < max_gap
            if not bridge and dt < still_gap:
                moved_nm = haversine_scalar_m(lat[rj], lon[rj], lat[rn], lon[rn]) / M_PER_NM
                bridge = moved_nm < still_kn * dt / 3.6e9
        if t[rj] == g or bridge:
            if do_fill:
                rk = _row(rows, j + 1) if j + 1 < b else rj
                ri0 = rj if rk != rj else _row(rows, max(a, j - 1))
                frac = 0.0
                if t[rj] != g and t[rk] != t[rj]:
                    frac = (g - t[rj]) / (t[rk] - t[rj])
                dlon = lon[rk] - lon[rj]
                if dlon > 180.0:
                    dlon -= 360.0
                elif dlon < -180.0:
                    dlon += 360.0
                x = lon[rj] + frac * dlon
                if x >= 180.0:
                    x -= 360.0
                elif x < -180.0:
                    x += 360.0
                row = at + count
                o_seg[row] = s
                o_t[row] = g
                o_f[0, row] = lat[rj] + frac * (lat[rk] - lat[rj])
                o_f[1, row] = x
                if not np.isnan(sog[rj]) and not np.isnan(sog[rk]):
                    speed = sog[rj] + frac * (sog[rk] - sog[rj])
                elif t[rk] != t[ri0]:
                    lo, hi = (ri0, rk) if rk != ri0 else (rj, rk)
                    speed = haversine_scalar_m(lat[lo], lon[lo], lat[hi], lon[hi]) / M_PER_NM / ((t[hi] - t[lo]) / 3.6e9)
                else:
                    speed = np.nan
                o_f[2, row] = speed
                o_f[3, row] = cog[rj]
                o_f[4, row] = heading[rj]
                o_f[5, row] = 0.0 if t[rj] == g else 1.0
            count += 1
        g += step
    return count


# nogil without prange: the engine resamples key ranges in threads, and the stage graph runs
# other stages beside this one
@njit(cache=True, nogil=True)
def _grid_counts(starts, ends, rows, t, lat, lon, sog, cog, heading, step, max_gap, still_gap, still_kn):  # pragma: no cover - numba
    counts = np.zeros(starts.shape[0], dtype=np.int64)
    no_i, no_f = np.empty(0, np.int64), np.empty((6, 0))
    for s in range(starts.shape[0]):
        counts[s] = _segment_grid(starts[s], ends[s], rows, t, lat, lon, sog, cog, heading, step, max_gap, still_gap,
                                  still_kn, False, s, 0, no_i, no_i, no_f)
    return counts


@njit(cache=True, nogil=True)
def _grid_fill(starts, ends, rows, t, lat, lon, sog, cog, heading, step, max_gap, still_gap, still_kn, offsets, o_seg, o_t, o_f):  # pragma: no cover - numba
    for s in range(starts.shape[0]):  # each segment writes its own rows from offsets[s]
        _segment_grid(starts[s], ends[s], rows, t, lat, lon, sog, cog, heading, step, max_gap, still_gap, still_kn,
                      True, s, offsets[s], o_seg, o_t, o_f)


def resample_segments(points: pl.DataFrame, config: ResampleConfig) -> pl.DataFrame:
    """Grid points of every segment: the columns of :data:`GRID_COLUMNS`."""
    empty = pl.DataFrame(
        schema={
            "segment_id": pl.Int64, "mmsi": pl.Int64, "timestamp_utc": pl.Datetime("us", "UTC"),
            "lat": pl.Float64, "lon": pl.Float64, "speed_kn": pl.Float64, "cog_deg": pl.Float64,
            "heading_deg": pl.Float64, "interpolated": pl.Boolean,
        }
    )
    if points.height == 0:
        return empty
    seg = points["segment_id"].to_numpy()
    t = in_order(points["timestamp_utc"].dt.epoch("us").to_numpy(), None)
    # the kernels read the points through the segment order: only the ids are put in it
    order = segment_order(seg, t)
    rows = np.empty(0, np.int64) if order is None else order
    seg = in_order(seg, order)
    bounds = np.flatnonzero(np.diff(seg)) + 1
    starts = np.concatenate([[0], bounds]).astype(np.int64)
    ends = np.concatenate([bounds, [len(seg)]]).astype(np.int64)
    lat = in_order(points["lat"].to_numpy(), None)
    lon = in_order(points["lon"].to_numpy(), None)
    sog, cog, heading = (in_order(points[c].cast(pl.Float64).fill_null(np.nan).to_numpy(), None) for c in ("sog_kn", "cog_deg", "heading_deg"))
    step = int(config.step_min * 60 * 1_000_000)
    max_gap = int(config.max_interp_gap_h * 3600 * 1_000_000)
    still_gap = int(config.max_stationary_gap_h * 3600 * 1_000_000)
    args = (starts, ends, rows, t, lat, lon, sog, cog, heading, step, max_gap, still_gap, float(config.stationary_max_speed_kn))
    counts = _grid_counts(*args)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    n = int(offsets[-1])
    if n == 0:
        return empty
    seg_index, grid_t, values = np.empty(n, np.int64), np.empty(n, np.int64), np.empty((6, n))
    _grid_fill(*args, offsets[:-1], seg_index, grid_t, values)
    buffers = [seg_index, grid_t, *values]
    first_rows = starts if order is None else order[starts]
    mmsi = points["mmsi"].to_numpy()[first_rows][seg_index]
    return pl.DataFrame(
        {
            "segment_id": seg[starts][seg_index],
            "mmsi": mmsi,
            "timestamp_utc": pl.Series(buffers[1]).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
            "lat": buffers[2],
            "lon": buffers[3],
            "speed_kn": buffers[4],
            "cog_deg": buffers[5],
            "heading_deg": buffers[6],
            "interpolated": buffers[7] > 0.5,
        }
    ).with_columns(pl.col("speed_kn", "cog_deg", "heading_deg").fill_nan(None))
