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
from darkfleet.ingest.nmea.text import span_column, text_column

_N_CODES = C.SKIP_TYPE_BASE + 64
_REASON_NAMES = pa.array([C.REASONS.get(code, "") for code in range(_N_CODES)])
_HALF_YEAR = np.timedelta64(183, "D")


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


def _eta_in_year(years_since_1970, month, day, hour, minute):
    """ETA instants in the given year, and where the day does not exist (30 February)."""
    month_start = (years_since_1970 * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
    date = month_start.astype("datetime64[D]") + (np.clip(day, 1, 31) - 1)
    bad_day = date.astype("datetime64[M]") != month_start
    instant = (
        date.astype("datetime64[us]")
        + np.clip(hour, 0, 23).astype("timedelta64[h]")
        + np.clip(minute, 0, 59).astype("timedelta64[m]")
    )
    return instant, bad_day


def eta_utc(eta: np.ndarray, time_us: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ETA instants (µs) and a null mask from (month, day, hour, minute) columns.

    AIS sends no year: take the message's year, or the next one when that would put the
    ETA more than half a year in the past (a December message announcing a January ETA).
    """
    month, day, hour, minute = (eta[:, k].astype(np.int64) for k in range(4))
    null = (month < 1) | (month > 12) | (day < 1) | (day > 31) | (hour < 0) | (hour > 23)
    null |= (minute < 0) | (minute > 59)
    msg_time = time_us.astype("datetime64[us]")
    year = msg_time.astype("datetime64[Y]").astype(np.int64)
    this_year, bad_this = _eta_in_year(year, month, day, hour, minute)
    next_year, bad_next = _eta_in_year(year + 1, month, day, hour, minute)
    use_next = this_year < msg_time - _HALF_YEAR
    null |= np.where(use_next, bad_next, bad_this)
    return np.where(use_next, next_year, this_year).astype(np.int64), null


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
