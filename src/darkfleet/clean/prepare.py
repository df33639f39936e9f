"""Make positions usable by every detector: sorted per vessel, deduplicated, "not available"
values turned into nulls, with every dropped or set-aside row counted.

AIS encodes missing values in-band: latitude 91 / longitude 181 (no position fix), SOG
102.3 kn, COG 360 deg, heading 511. No-fix reports are set aside (spoofing looks at them),
never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import polars as pl
import pyarrow as pa
from numba import njit

from darkfleet import schema
from darkfleet.clean.segment import in_order
from darkfleet.engine.stage_graph import STAGE_THREADS
from darkfleet.errors import InputError


@dataclass
class CleanCounts:
    """What cleaning did to the input, for ``summary.json``."""

    input_rows: int = 0
    out_of_order: int = 0  # rows earlier than the previous row of the same MMSI
    duplicates: int = 0  # same MMSI, time and position (e.g. heard by two receivers)
    no_fix: int = 0  # lat 91 / lon 181, out of range or null: kept aside for spoofing
    sources: int = 0  # distinct source_id values (mixed inputs)
    output_rows: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, int]:
        return {
            "input_rows": self.input_rows,
            "out_of_order": self.out_of_order,
            "duplicates": self.duplicates,
            "no_fix": self.no_fix,
            "sources": self.sources,
            "output_rows": self.output_rows,
            **self.extra,
        }


def as_frame(table: pa.Table | pl.DataFrame, arrow_schema: pa.Schema) -> pl.DataFrame:
    """A Polars frame in the canonical schema (missing nullable columns become nulls).

    Stays in Polars (zero-copy from Arrow, casts only where a type differs)."""
    frame = table if isinstance(table, pl.DataFrame) else pl.from_arrow(table)
    target = schema.polars_schema(arrow_schema)
    return frame.select(  # type: ignore[union-attr]
        (pl.col(name) if frame[name].dtype == dtype else pl.col(name).cast(dtype)) if name in frame.columns  # type: ignore[index]
        else pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in target.items()
    )


DETECT_COLUMNS = ["mmsi", "timestamp_utc", "lat", "lon", "sog_kn", "cog_deg", "heading_deg", "nav_status"]
# below this many rows cleaning stays on one thread: starting threads would cost more than they save
SPLIT_ROWS = 200_000
T = TypeVar("T")
R = TypeVar("R")
_FIBONACCI = np.uint64(0x9E3779B97F4A7C15)  # multiplicative hashing: spreads consecutive MMSIs over the table


@njit(cache=True, nogil=True, inline="always")
def _slot(keys, used, key):  # pragma: no cover - numba
    """Where ``key`` sits in an open-addressing table of power-of-two size, or the free slot it would take."""
    mask = np.uint64(keys.shape[0] - 1)
    s = np.int64((np.uint64(key) * _FIBONACCI) >> np.uint64(24) & mask)
    while used[s] and keys[s] != key:
        s = np.int64((np.uint64(s) + np.uint64(1)) & mask)
    return s


@njit(cache=True, nogil=True)
def _vessel_counts(mmsi, valid):  # pragma: no cover - numba
    """Hash table (keys, used, counts) of the MMSIs of the valid rows and their row counts."""
    keys, used, counts = np.empty(1024, np.int64), np.zeros(1024, np.bool_), np.zeros(1024, np.int64)
    n_keys, s = 0, -1
    for i in range(mmsi.shape[0]):
        if not valid[i]:
            continue
        if s >= 0 and mmsi[i] == keys[s]:  # a vessel's rows often come together: no lookup
            counts[s] += 1
            continue
        s = _slot(keys, used, mmsi[i])
        if not used[s]:
            if 2 * (n_keys + 1) > keys.shape[0]:  # at most half full: probes stay short
                old_keys, old_used, old_counts = keys, used, counts
                size = 2 * old_keys.shape[0]
                keys, used, counts = np.empty(size, np.int64), np.zeros(size, np.bool_), np.zeros(size, np.int64)
                for o in np.flatnonzero(old_used):
                    t = _slot(keys, used, old_keys[o])
                    keys[t], used[t], counts[t] = old_keys[o], True, old_counts[o]
                s = _slot(keys, used, mmsi[i])
            keys[s], used[s] = mmsi[i], True
            n_keys += 1
        counts[s] += 1
    return keys, used, counts


@njit(cache=True, nogil=True)
def _vessel_order(mmsi, valid):  # pragma: no cover - numba
    """(order, bounds): the valid rows by vessel (ascending MMSI) in input order within each,
    a counting sort; vessel ``v``'s rows are ``order[bounds[v]:bounds[v + 1]]``."""
    keys, used, counts = _vessel_counts(mmsi, valid)
    slots = np.flatnonzero(used)
    slots = slots[np.argsort(keys[slots])]
    next_at = np.zeros(keys.shape[0], np.int64)  # per slot: where its next row goes
    bounds = np.zeros(slots.shape[0] + 1, np.int64)
    for r in range(slots.shape[0]):
        next_at[slots[r]] = bounds[r]
        bounds[r + 1] = bounds[r] + counts[slots[r]]
    order = np.empty(bounds[-1], np.int64)
    s = -1
    for i in range(mmsi.shape[0]):
        if valid[i]:
            if s < 0 or mmsi[i] != keys[s]:
                s = _slot(keys, used, mmsi[i])
            order[next_at[s]] = i
            next_at[s] += 1
    return order, bounds


@njit(cache=True, nogil=True)
def _vessel_time_order(mmsi, t_us, valid):  # pragma: no cover - numba
    """The valid rows in stable (mmsi, time) order: a counting sort by vessel, which keeps the
    input order within each, then each vessel's rows sorted by time unless they already are
    (a feed sorted by time, or by vessel with a receiver's jitter, costs no comparison sort)."""
    order, bounds = _vessel_order(mmsi, valid)
    for r in range(bounds.shape[0] - 1):
        _sort_by_time(order, bounds[r], bounds[r + 1], t_us)
    return order


@njit(cache=True, nogil=True)
def _sort_by_time(order, a, b, t_us):  # pragma: no cover - numba
    """Stable sort of ``order[a:b]`` by time: insertion sort, linear on the nearly sorted rows
    of one vessel (receivers' clock jitter); past a budget of moves a merge sort finishes (both
    keep equal times in input order, so the result is the same)."""
    budget = 8 * (b - a) + 64
    for k in range(a + 1, b):
        row, t = order[k], t_us[order[k]]
        m = k
        while m > a and t_us[order[m - 1]] > t:
            order[m] = order[m - 1]
            m -= 1
        order[m] = row
        budget -= k - m
        if budget < 0:
            block = order[a:b].copy()
            order[a:b] = block[np.argsort(t_us[block], kind="mergesort")]
            return


@njit(cache=True, nogil=True)
def _sort_and_drop_repeats(order, bounds, v0, v1, mmsi, t_us, lat, lon):  # pragma: no cover - numba
    """Vessels ``v0:v1`` of ``order`` (see :func:`_vessel_order`) sorted by time, then without
    the rows repeating the previous one's vessel, time and position (compacted in place from
    ``bounds[v0]``). Returns how many rows are kept."""
    a, b = bounds[v0], bounds[v1]
    for r in range(v0, v1):
        _sort_by_time(order, bounds[r], bounds[r + 1], t_us)
    n = min(b - a, 1)
    for k in range(a + 1, b):
        i, p = order[k], order[k - 1]
        if not (mmsi[i] == mmsi[p] and t_us[i] == t_us[p] and lat[i] == lat[p] and lon[i] == lon[p]):
            order[a + n] = i
            n += 1
    return n


@njit(cache=True, nogil=True)
def _gather_detect_columns(order, a, n, at, columns, nav_valid, out, out_valid):  # pragma: no cover - numba
    """Rows ``order[a:a + n]`` of the detection columns written from row ``at`` of ``out``, the
    AIS "not available" codes (SOG 102.3, COG 360, heading 511; NaN) turned into invalid rows
    on the way: one pass over the rows instead of a gather and then a null mask per column."""
    mmsi, t_us, lat, lon, sog, cog, heading, nav = columns
    o_mmsi, o_t, o_lat, o_lon, o_sog, o_cog, o_heading, o_nav = out
    sog_ok, cog_ok, heading_ok, nav_ok = out_valid
    for k in range(n):
        i, j = order[a + k], at + k
        o_mmsi[j], o_t[j], o_lat[j], o_lon[j] = mmsi[i], t_us[i], lat[i], lon[i]
        o_sog[j], o_cog[j], o_heading[j], o_nav[j] = sog[i], cog[i], heading[i], nav[i]
        sog_ok[j] = sog[i] < 102.2
        cog_ok[j] = cog[i] < 360
        heading_ok[j] = heading[i] < 360
        nav_ok[j] = nav_valid[i]


def _is_identity(order: np.ndarray, n_rows: int) -> bool:
    return order.shape[0] == n_rows and (n_rows == 0 or (order[0] == 0 and bool(np.all(np.diff(order) == 1))))


def vessel_time_order(frame: pl.DataFrame, valid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row numbers of ``frame`` (only the ``valid`` ones) in stable (mmsi, timestamp) order,
    and the mmsi and epoch-microsecond arrays it was found on."""
    mmsi, t_us = _vessel_time_arrays(frame)
    valid = in_order(np.ones(frame.height, dtype=np.bool_) if valid is None else valid, None)
    return _vessel_time_order(mmsi, t_us, valid), mmsi, t_us


def sort_by_vessel_time(frame: pl.DataFrame) -> pl.DataFrame:
    """Sort by mmsi then time (stable); no copy when the rows already are in that order."""
    order = vessel_time_order(frame)[0]
    return frame if _is_identity(order, frame.height) else frame[order]


def _not_available_as_null(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col("sog_kn") < 102.2).then(pl.col("sog_kn")).alias("sog_kn"),
        pl.when(pl.col("cog_deg") < 360).then(pl.col("cog_deg")).alias("cog_deg"),
        pl.when(pl.col("heading_deg") < 360).then(pl.col("heading_deg")).alias("heading_deg"),
    )


def prepare_positions(positions: pa.Table | pl.DataFrame,
                      threads: int = STAGE_THREADS) -> tuple[pl.DataFrame, pl.DataFrame, CleanCounts]:
    """(clean positions sorted by mmsi then time, no-fix reports, counts).

    Only the columns detection uses are kept (:data:`DETECT_COLUMNS`). The order is found on
    a few arrays and the rows are gathered once (not at all when the input is already clean);
    above :data:`SPLIT_ROWS` rows the time sort, the repeats and the gather run on ``threads``
    ranges of vessels at once (every later stage waits for this one)."""
    frame = as_frame(positions, schema.POSITIONS)
    counts = CleanCounts(input_rows=frame.height)
    if frame.height == 0:
        frame = frame.select(DETECT_COLUMNS)
        return frame, frame, counts
    # counted last: at the start the static reports' sort fills Polars' thread pool
    source_id = frame["source_id"]
    frame = frame.select(DETECT_COLUMNS)
    lat, lon = in_order(frame["lat"].to_numpy(), None), in_order(frame["lon"].to_numpy(), None)  # nulls: NaN
    mask = _has_fix(lat, lon)
    mmsi, t_us = _vessel_time_arrays(frame)
    order, bounds = _vessel_order(mmsi, mask)
    counts.out_of_order = _count_out_of_order(mmsi, t_us)
    if order.shape[0] < frame.height:  # a few rows: gathered, not a filter over every row
        no_fix = _not_available_as_null(sort_by_vessel_time(frame[np.flatnonzero(~mask)]))
    else:
        no_fix = frame.clear()
    counts.no_fix = no_fix.height
    # the same report heard by several receivers: identical vessel, time and position, adjacent once sorted
    ranges = _vessel_ranges(bounds, threads if frame.height > SPLIT_ROWS else 1)
    kept = _in_threads(lambda v: _sort_and_drop_repeats(order, bounds, v[0], v[1], mmsi, t_us, lat, lon), ranges)
    counts.duplicates = order.shape[0] - sum(kept)
    if sum(kept) == frame.height and _is_identity(order, frame.height):
        frame = _not_available_as_null(frame)
    else:
        starts = [int(bounds[v0]) for v0, _ in ranges]
        frame = _gathered(frame, order, list(zip(starts, kept)), mmsi, t_us, lat, lon)
    counts.output_rows = frame.height
    counts.sources = source_id.n_unique()
    return frame, no_fix, counts


def _vessel_time_arrays(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    missing = frame["mmsi"].null_count() + frame["timestamp_utc"].null_count()
    if missing:
        raise InputError("every position and static report needs an MMSI and a time", rows_without=missing)
    return in_order(frame["mmsi"].to_numpy(), None), in_order(frame["timestamp_utc"].dt.epoch("us").to_numpy(), None)


def _vessel_ranges(bounds: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """Up to ``parts`` consecutive ranges of vessels (indices into ``bounds``) of similar row counts."""
    n_vessels = bounds.shape[0] - 1
    targets = (np.arange(1, parts) * bounds[-1]) // parts
    cuts = [0, *np.unique(np.clip(np.searchsorted(bounds, targets), 1, max(n_vessels - 1, 1))).tolist(), n_vessels]
    return [(a, b) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]


def _in_threads(fn: Callable[[T], R], items: list[T]) -> list[R]:
    """``fn`` of every item, each in its own thread (nogil kernels share the cores)."""
    if len(items) <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(len(items), thread_name_prefix="darkfleet-clean") as pool:
        return list(pool.map(fn, items))


def _gathered(frame: pl.DataFrame, order: np.ndarray, pieces: list[tuple[int, int]], mmsi, t_us, lat, lon) -> pl.DataFrame:
    """The rows ``order[a:a + n]`` of every ``(a, n)`` piece, one after another, each piece
    gathered by its own thread, with "not available" values as nulls."""
    # float nulls come out as NaN and a null heading as 511: both fail the "available" test
    columns = (mmsi, t_us, lat, lon, frame["sog_kn"].to_numpy(), frame["cog_deg"].to_numpy(),
               frame["heading_deg"].fill_null(511).to_numpy(), frame["nav_status"].fill_null(0).to_numpy())
    nav_valid = frame["nav_status"].is_not_null().to_numpy()
    n_rows = sum(n for _, n in pieces)
    out = tuple(np.empty(n_rows, column.dtype) for column in columns)
    out_valid = tuple(np.empty(n_rows, np.bool_) for _ in range(4))
    at = np.cumsum([0, *[n for _, n in pieces]])
    _in_threads(lambda k: _gather_detect_columns(order, pieces[k][0], pieces[k][1], at[k], columns, nav_valid, out,
                                                 out_valid), list(range(len(pieces))))
    o_mmsi, o_t, o_lat, o_lon, *narrow = out
    return pl.DataFrame([
        pl.Series("mmsi", o_mmsi),
        pl.Series("timestamp_utc", o_t).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        pl.Series("lat", o_lat),
        pl.Series("lon", o_lon),
        *(_with_nulls(name, values, ok) for name, values, ok in zip(DETECT_COLUMNS[4:], narrow, out_valid)),
    ])


def _with_nulls(name: str, values: np.ndarray, valid: np.ndarray) -> pl.Series:
    """``values`` as a Series, null where not ``valid`` (zero-copy: the values become the buffer)."""
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    array = pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), values.shape[0], [bitmap, pa.py_buffer(values)])
    return pl.Series(name, array)


@njit(cache=True, nogil=True)
def _has_fix(lat, lon):  # pragma: no cover - numba
    """Whether each report has a position: latitude within +-90, longitude within +-180 (91 /
    181 mean "no fix"; NaN and infinities fail the ranges)."""
    out = np.empty(lat.shape[0], np.bool_)
    for i in range(lat.shape[0]):
        out[i] = -90.0 <= lat[i] <= 90.0 and -180.0 <= lon[i] <= 180.0
    return out


@njit(cache=True, nogil=True)
def _count_out_of_order(mmsi, t_us):  # pragma: no cover - numba
    """Rows earlier than the previous row of the same MMSI (in input order)."""
    n = 0
    for i in range(1, mmsi.shape[0]):
        n += mmsi[i] == mmsi[i - 1] and t_us[i] < t_us[i - 1]
    return n


def prepare_static(static: pa.Table | pl.DataFrame) -> pl.DataFrame:
    """Static reports sorted by mmsi then time, exact repeats (every field equal, e.g. heard by
    two receivers) removed."""
    frame = as_frame(static, schema.STATIC).filter(pl.col("timestamp_utc").is_not_null())
    frame = sort_by_vessel_time(frame)
    content = frame.drop("source_id", "line_no").hash_rows()
    repeat = (content == content.shift(1)) & (frame["mmsi"] == frame["mmsi"].shift(1))
    return frame.filter(~repeat.fill_null(False))
