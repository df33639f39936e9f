"""Kernel outputs -> the Arrow tables and counts of one Batch (slices, no per-row Python)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
from numba import njit

from darkfleet import schema
from darkfleet.imo import imo_check_digit_ok
from darkfleet.ingest.batch import Counts
from darkfleet.ingest.nmea import codes as C
from darkfleet.ingest.nmea.scan import days_from_civil, days_in_month, year_of_days
from darkfleet.ingest.nmea.text import span_column, text_column

_N_CODES = C.SKIP_TYPE_BASE + 64
_REASON_NAMES = pa.array([C.REASONS.get(code, "") for code in range(_N_CODES)])


@njit(cache=True, nogil=True)  # nogil: two halves of a chunk may run in threads
def final_line_codes(line_code, line_msg, line_orphan, outcome, cut):
    """The final code of each line before ``cut`` (its message's outcome, orphan, or its own
    code) and a histogram of the codes."""
    codes = np.empty(cut, np.int16)
    hist = np.zeros(_N_CODES, np.int64)
    for i in range(cut):
        code = line_code[i]
        m = line_msg[i]
        if m >= 0:
            code = outcome[m]
            if C.MSG_POSITION <= code <= C.MSG_POSITION_AND_STATIC:
                code = C.DECODED
        elif line_orphan[i]:
            code = C.REJ_ORPHAN_FRAGMENT
        if code == C.NONE:  # defensive: every line must end somewhere
            code = C.REJ_NOT_NMEA
        codes[i] = code
        hist[code] += 1
    return codes, hist


def counts_from(hist: np.ndarray, positions: int, static: int) -> Counts:
    counts = Counts(lines_read=int(hist.sum()), decoded=int(hist[C.DECODED]), positions=positions, static=static)
    skipped: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    for code in np.flatnonzero(hist).tolist():
        if code == C.DECODED:
            continue
        target = rejected if C.is_reject(np.array(code)) else skipped
        target[C.REASONS[code]] = int(hist[code])
    counts.skipped = skipped
    counts.rejected = rejected
    return counts


def reject_table(buf, starts, ends, codes, line_no0: int, source_id: int) -> pa.Table:
    rows = np.flatnonzero(C.is_reject(codes))
    raw_ends = ends[rows].copy()
    has_cr = (raw_ends > starts[rows]) & (buf[np.maximum(raw_ends - 1, 0)] == 13)
    raw_ends[has_cr] -= 1  # the raw text shows the line without its CRLF
    reasons = pa.DictionaryArray.from_arrays(pa.array(codes[rows].astype(np.int32)), _REASON_NAMES)
    return pa.Table.from_arrays(
        [
            pa.array(np.full(rows.size, source_id, np.int32)),
            pa.array(line_no0 + rows + 1, pa.int64()),
            reasons.cast(pa.string()),
            span_column(buf, np.stack([starts[rows], raw_ends], axis=1), schema.RAW_CAP),
        ],
        schema=schema.REJECTS,
    )


_DAY_US = 86_400_000_000
_HALF_YEAR_US = 183 * _DAY_US


@njit(cache=True, inline="always")
def _eta_in_year(year, month, day, hour, minute):
    """ETA instant (µs) in ``year`` and whether its day does not exist (30 February).

    Parts out of range are clipped (the caller nulls those rows); a day past the month's
    end runs into the next month, as NumPy's month + days arithmetic does.
    """
    m = min(max(month, 1), 12)
    d = min(max(day, 1), 31)
    days = days_from_civil(year, m, 1) + d - 1
    instant = days * _DAY_US + min(max(hour, 0), 23) * 3_600_000_000 + min(max(minute, 0), 59) * 60_000_000
    return instant, d > days_in_month(year, m)


@njit(cache=True, nogil=True)
def eta_utc(eta, time_us):
    """ETA instants (µs) and a null mask from (month, day, hour, minute) columns.

    AIS sends no year: take the message's year, or the next one when that would put the
    ETA more than half a year in the past (a December message announcing a January ETA).
    """
    n = eta.shape[0]
    out = np.empty(n, np.int64)
    null = np.empty(n, np.bool_)
    for i in range(n):
        month, day, hour, minute = eta[i, 0], eta[i, 1], eta[i, 2], eta[i, 3]
        t = time_us[i]
        out[i] = t
        null[i] = True
        if t == C.MISSING_TIME:  # no message time, no year
            continue
        year = year_of_days(t // _DAY_US)
        instant, bad_day = _eta_in_year(year, month, day, hour, minute)
        if instant < t - _HALF_YEAR_US:
            instant, bad_day = _eta_in_year(year + 1, month, day, hour, minute)
        out[i] = instant
        null[i] = (bad_day or month < 1 or month > 12 or day < 1 or day > 31 or hour < 0 or hour > 23
                   or minute < 0 or minute > 59)
    return out, null


def _masked(values: np.ndarray, null: np.ndarray, pa_type: pa.DataType) -> pa.Array:
    return pa.array(values, type=pa_type, mask=null if null.any() else None)


def _constant(value: int, n: int, pa_type: pa.DataType) -> pa.Array:
    return pa.array(np.full(n, value), pa_type)


def _nan_null(values: np.ndarray, pa_type: pa.DataType) -> pa.Array:
    return pa.array(values, type=pa_type, from_pandas=True)  # NaN -> null, in C


def position_table(columns, n: int, receiver: pa.Array, source_id: int) -> pa.Table:
    """Rows from the kernel's per-column position arrays (the first ``n`` values)."""
    mmsi, time_us, lat, lon, sog, cog, heading, nav, msg_type, line_no = (c[:n] for c in columns[:10])
    return pa.Table.from_arrays(
        [
            pa.array(mmsi),
            pa.array(time_us, schema.UTC_TS),
            _nan_null(lat, pa.float64()),
            _nan_null(lon, pa.float64()),
            _nan_null(sog, pa.float32()),
            _nan_null(cog, pa.float32()),
            _masked(heading, heading < 0, pa.int16()),
            _masked(nav, nav < 0, pa.int8()),
            pa.array(msg_type),
            receiver,
            _constant(source_id, n, pa.int32()),
            pa.array(line_no),
        ],
        schema=schema.POSITIONS,
    )


def static_table(key, floats, ints, name, callsign, destination, line_no0: int, source_id: int) -> pa.Table:
    """Rows from the kernel's compact static arrays (already sliced to the row count)."""
    n = key.shape[0]
    imo = ints[:, 0]
    no_imo = imo < 0
    eta_us, eta_null = eta_utc(ints[:, 2:6], key[:, 3])
    draught, length, width = floats[:, 0], floats[:, 1], floats[:, 2]
    return pa.Table.from_arrays(
        [
            pa.array(key[:, 0]),
            pa.array(key[:, 3], schema.UTC_TS),
            _masked(imo, no_imo, pa.int64()),
            _masked(imo_check_digit_ok(imo), no_imo, pa.bool_()),
            text_column(name),
            text_column(callsign),
            _masked(ints[:, 1].astype(np.int16), ints[:, 1] < 0, pa.int16()),
            _masked(draught, np.isnan(draught), pa.float32()),
            text_column(destination),
            pa.array(eta_us, schema.UTC_TS, mask=eta_null),
            _masked(length, np.isnan(length), pa.float32()),
            _masked(width, np.isnan(width), pa.float32()),
            pa.array(key[:, 1].astype(np.int8)),
            _constant(source_id, n, pa.int32()),
            pa.array(key[:, 2] + (line_no0 + 1)),
        ],
        schema=schema.STATIC,
    )
