"""Segmentation: split each MMSI's reports into physically possible tracks.

Like Global Fishing Watch's segmenter (gpsdio-segment), each report joins an open segment
it fits: one whose last fix it could have been reached from below ``max_speed_kn`` (the most
recently heard of those); a report no open segment could reach opens a new segment instead
of being deleted. Two
transmitters sharing one MMSI therefore become parallel segments, and a one-report
position glitch becomes a one-point segment that spoofing detection reports.

A hop faster than ``max_speed_kn`` still continues a segment when the vessel's own reported
SOG (at either end) vouches for it, up to ``fast_craft_max_speed_kn``: high-speed ferries and
hovercraft (35-45 kn) are not teleports, while a glitch (thousands of knots) or a spoofed jump
whose SOG says 12 kn still opens a new segment.

The limit depends on the vessel's class, taken from its latest static ship type: high-speed
craft and wing-in-ground craft (AIS types 40-49 and 20-29) continue a segment up to
``hsc_max_speed_kn`` whether or not they report SOG; every other vessel, and one with no static
report, uses ``max_speed_kn``.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit

from darkfleet.config import SegmentConfig
from darkfleet.detect.geo import M_PER_DEG_LAT, M_PER_NM, haversine_scalar_m


# segment_id = mmsi * SEGMENTS_PER_MMSI + n-th segment of that MMSI: stable, and independent of
# how an engine partitions vessels.
SEGMENTS_PER_MMSI = 1 << 20

# AIS ship-and-cargo types (ITU-R M.1371 table 53) of craft built to exceed displacement speeds
HIGH_SPEED_TYPES = ((20, 29), (40, 49))  # wing in ground (WIG), high-speed craft (HSC)


# nogil without prange: the engines run stages in threads, and a parallel kernel entered from
# two threads at once aborts Numba's workqueue threading layer
@njit(cache=True, nogil=True)
def _segment_kernel(starts, mmsi, t_us, lat, lon, sog, vessel_max_kn, fast_max_kn, sog_margin_kn, max_open, min_dt_s):  # pragma: no cover - numba
    """Segment ids of rows sorted by mmsi then time; ``starts``: first row of each MMSI and
    the row count; ``vessel_max_kn``: each MMSI's class speed limit."""
    out = np.empty(mmsi.shape[0], dtype=np.int64)
    for v in range(starts.shape[0] - 1):
        _segment_vessel(starts[v], starts[v + 1], mmsi, t_us, lat, lon, sog, vessel_max_kn[v], fast_max_kn,
                        sog_margin_kn, max_open, min_dt_s, out)
    return out


@njit(cache=True)
def _segment_vessel(a, b, mmsi, t_us, lat, lon, sog, max_speed_kn, fast_max_kn, sog_margin_kn, max_open, min_dt_s, out):  # pragma: no cover - numba
    open_id = np.empty(max_open, dtype=np.int64)
    open_t = np.empty(max_open, dtype=np.int64)
    open_lat = np.empty(max_open, dtype=np.float64)
    open_lon = np.empty(max_open, dtype=np.float64)
    open_sog = np.empty(max_open, dtype=np.float64)
    n_open = 0
    next_id = mmsi[a] * SEGMENTS_PER_MMSI
    for i in range(a, b):
        best = -1
        for k in range(n_open):
            dt_h = max((t_us[i] - open_t[k]) / 1e6, min_dt_s) / 3600.0
            # most hops are far below the limit: a bound without trigonometry tells them apart,
            # only the others measure the exact distance (the decision is the same either way)
            reachable = _distance_bound_m(open_lat[k], open_lon[k], lat[i], lon[i]) <= _BOUND_SAFETY * max_speed_kn * M_PER_NM * dt_h
            if not reachable:
                speed = haversine_scalar_m(open_lat[k], open_lon[k], lat[i], lon[i]) / M_PER_NM / dt_h
                # a fast craft's hop is real when its own reported SOG vouches for it (NaN SOG never does)
                vouched = speed <= fast_max_kn and speed <= max(sog[i], open_sog[k]) + sog_margin_kn
                reachable = speed <= max_speed_kn or vouched
            # of the segments that could have reached this fix, continue the most recently heard:
            # a stale segment (e.g. a spoofed excursion) must not capture the real track later on
            if reachable and (best < 0 or open_t[k] > open_t[best]):
                best = k
        if best < 0:
            if n_open < max_open:
                best = n_open
                n_open += 1
            else:  # replace the segment silent for longest
                best = 0
                for k in range(1, n_open):
                    if open_t[k] < open_t[best]:
                        best = k
            open_id[best] = next_id
            next_id += 1  # ids stay unique per MMSI up to SEGMENTS_PER_MMSI segments
        out[i] = open_id[best]
        open_t[best] = t_us[i]
        open_lat[best] = lat[i]
        open_lon[best] = lon[i]
        open_sog[best] = sog[i]


# a bound this far below the limit leaves room for the rounding of the exact distance and speed
_BOUND_SAFETY = 1.0 - 1e-6


@njit(cache=True, inline="always")
def _distance_bound_m(lat1, lon1, lat2, lon2):  # pragma: no cover - numba
    """At least the great-circle distance: the length of a path along the meridian and then
    along the parallel, the parallel taken as long as the equator (a degree of any great
    circle is ``M_PER_DEG_LAT``)."""
    dlon = abs(lon2 - lon1)
    return (abs(lat2 - lat1) + min(dlon, 360.0 - dlon)) * M_PER_DEG_LAT


def reported_sog(frame: pl.DataFrame) -> np.ndarray:
    """Reported SOG (NaN where unknown: such hops get no fast-craft allowance)."""
    if "sog_kn" not in frame.columns:
        return np.full(frame.height, np.nan)
    return frame["sog_kn"].cast(pl.Float64).fill_null(np.nan).to_numpy()


def is_high_speed_type(ship_type: pl.Expr) -> pl.Expr:
    """Whether an AIS ship type is a high-speed or wing-in-ground craft (null: unknown, False)."""
    return pl.any_horizontal(*(ship_type.is_between(lo, hi) for lo, hi in HIGH_SPEED_TYPES)).fill_null(False)


def latest_ship_types(static: pl.DataFrame | None) -> pl.DataFrame:
    """``mmsi``, ``ship_type``: each vessel's latest known type (0 means "not available")."""
    if static is None or static.height == 0 or "ship_type" not in static.columns:
        return pl.DataFrame(schema={"mmsi": pl.Int64, "ship_type": pl.Int16})
    known = static.filter(pl.col("ship_type").is_not_null() & (pl.col("ship_type") > 0))
    # sorting within each vessel's group, not the whole table: 5x faster on 2 M static rows
    return known.group_by("mmsi").agg(pl.col("ship_type").sort_by("timestamp_utc", maintain_order=True).last())


def class_max_speed_kn(mmsi: np.ndarray, ship_types: pl.DataFrame | None, config: SegmentConfig) -> np.ndarray:
    """Per MMSI in ``mmsi``: the implied speed above which a hop opens a new segment;
    ``ship_types``: :func:`latest_ship_types` (None: no static reports, every vessel default)."""
    if ship_types is None or ship_types.height == 0:
        return np.full(mmsi.shape[0], float(config.max_speed_kn))
    fast = ship_types.filter(is_high_speed_type(pl.col("ship_type")))["mmsi"].to_numpy()
    return np.where(np.isin(mmsi, fast), float(config.hsc_max_speed_kn), float(config.max_speed_kn))


def segment_positions(frame: pl.DataFrame, config: SegmentConfig, ship_types: pl.DataFrame | None = None) -> pl.DataFrame:
    """Add ``segment_id`` (stable for the same input) to positions sorted by mmsi then time;
    ``ship_types`` (:func:`latest_ship_types` of the static reports, one row per vessel, so
    an engine ships it to every task cheaply) gives each vessel's class speed limit."""
    if frame.height == 0:
        return frame.with_columns(pl.lit(None, dtype=pl.Int64).alias("segment_id"))
    mmsi = frame["mmsi"].to_numpy()
    starts = np.concatenate([[0], np.flatnonzero(mmsi[1:] != mmsi[:-1]) + 1, [len(mmsi)]]).astype(np.int64)
    ids = _segment_kernel(
        starts,
        mmsi,
        frame["timestamp_utc"].dt.epoch("us").to_numpy(),
        frame["lat"].to_numpy(),
        frame["lon"].to_numpy(),
        reported_sog(frame),
        class_max_speed_kn(mmsi[starts[:-1]], ship_types, config),
        float(config.fast_craft_max_speed_kn),
        float(config.sog_agreement_kn),
        int(config.max_open_segments),
        float(config.min_dt_s),
    )
    return frame.with_columns(pl.Series("segment_id", ids, dtype=pl.Int64))


def segment_order(segment_id: np.ndarray, t_us: np.ndarray) -> np.ndarray | None:
    """Row order visiting the points segment by segment, in time within each; None when the
    rows already are in that order (one segment per vessel at a time: the common case).

    Points sorted by mmsi then time need only a stable sort on ``segment_id`` (segment ids
    grow with the MMSI), and only within the few vessels whose segments interleave (shared
    MMSIs): sorting every row would cost ~1 s per 12 M rows in each stage that asks."""
    if segment_id.shape[0] < 2:
        return None
    if _in_segment_order(segment_id, t_us):
        return None
    order = np.arange(segment_id.shape[0])  # NumPy's fresh pages fault in faster than Numba's
    _order_interleaved_vessels(segment_id, order)
    return order if _in_segment_order_through(order, segment_id, t_us) else np.lexsort((t_us, segment_id))


@njit(cache=True, nogil=True)
def _order_interleaved_vessels(segment_id, order):  # pragma: no cover - numba
    """``order`` (the row numbers) in segment order when the rows are sorted by vessel (the MMSI
    part of the id): a stable sort of each vessel whose ids ever step down, the other rows kept
    where they are (one pass, no whole-column temporaries: several stages ask this of every
    12 M-row frame)."""
    n = segment_id.shape[0]
    i = 1
    while i < n:
        if segment_id[i] >= segment_id[i - 1]:
            i += 1
            continue
        # a step down: the rows of its vessel (ids in [first_id, end_id)) around it
        first_id = segment_id[i] - segment_id[i] % SEGMENTS_PER_MMSI
        end_id = first_id + SEGMENTS_PER_MMSI
        a, b = i, i + 1
        while a > 0 and first_id <= segment_id[a - 1] < end_id:
            a -= 1
        while b < n and first_id <= segment_id[b] < end_id:
            b += 1
        _stable_order_by_id(segment_id, a, b, order)
        i = b + 1


@njit(cache=True, nogil=True)
def _stable_order_by_id(segment_id, a, b, order):  # pragma: no cover - numba
    """``order[a:b]``: rows ``a:b`` stably by segment id; a counting sort over the vessel's few
    segment numbers (a merge sort when they are spread wider than the rows)."""
    low, high = segment_id[a:b].min(), segment_id[a:b].max()
    if high - low > b - a:
        order[a:b] = a + np.argsort(segment_id[a:b], kind="mergesort")
        return
    next_at = np.zeros(high - low + 2, np.int64)
    for i in range(a, b):
        next_at[segment_id[i] - low + 1] += 1
    next_at = np.cumsum(next_at) + a
    for i in range(a, b):
        k = segment_id[i] - low
        order[next_at[k]] = i
        next_at[k] += 1


@njit(cache=True, nogil=True)
def _in_segment_order_through(order, segment_id, t_us):  # pragma: no cover - numba
    """:func:`_in_segment_order` of the rows taken in ``order``, without gathering them."""
    for k in range(1, order.shape[0]):
        i, p = order[k], order[k - 1]
        if segment_id[i] < segment_id[p] or (segment_id[i] == segment_id[p] and t_us[i] < t_us[p]):
            return False
    return True


def in_order(values: np.ndarray, order: np.ndarray | None) -> np.ndarray:
    """``values`` taken in ``order`` (as they are for None), always as a read-only contiguous
    array: Numba compiles one kernel signature whether the rows were reordered or shared
    zero-copy with Polars."""
    out = np.ascontiguousarray(values if order is None else values[order])
    if out.flags.writeable:
        out = out.view()
        out.setflags(write=False)
    return out


@njit(cache=True, nogil=True)
def _in_segment_order(segment_id, t_us):  # pragma: no cover - numba
    # one pass, no temporaries: five stages ask this of every 12 M-row frame
    for i in range(1, segment_id.shape[0]):
        if segment_id[i] < segment_id[i - 1] or (segment_id[i] == segment_id[i - 1] and t_us[i] < t_us[i - 1]):
            return False
    return True


def segment_table(points: pl.DataFrame) -> pl.DataFrame:
    """One row per segment (``schema.SEGMENTS``): extent, size and length."""
    if points.height == 0:
        from darkfleet import schema

        return pl.from_arrow(schema.SEGMENTS.empty_table())  # type: ignore[return-value]
    return (
        points.group_by("segment_id")
        .agg(
            pl.col("mmsi").first(),
            pl.col("timestamp_utc").min().alias("start_utc"),
            pl.col("timestamp_utc").max().alias("end_utc"),
            pl.len().cast(pl.Int64).alias("n_points"),
            pl.col("lat").first().alias("start_lat"),
            pl.col("lon").first().alias("start_lon"),
            pl.col("lat").last().alias("end_lat"),
            pl.col("lon").last().alias("end_lon"),
        )
        .sort("segment_id")
    )
