"""Kernel outputs -> the Arrow tables and counts of one Batch (vectorised)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa

from darkfleet import schema
from darkfleet.imo import imo_check_digit_ok
from darkfleet.ingest.batch import Counts
from darkfleet.ingest.nmea import codes as C
from darkfleet.ingest.nmea.text import span_column, text_column

_REASON_NAMES = pa.array([C.REASONS.get(code, "") for code in range(C.SKIP_TYPE_BASE + 64)])
_HALF_YEAR = np.timedelta64(183, "D")


def _masked(values: np.ndarray, null: np.ndarray, pa_type: pa.DataType) -> pa.Array:
    return pa.array(values, type=pa_type, mask=null)


def _timestamps(time_us: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(time_us, type=schema.UTC_TS, mask=null)


def line_outcomes(line_code, line_msg, line_orphan, msg_code) -> np.ndarray:
    """The final code of every line: its message's outcome, orphan, or its own code."""
    codes = line_code.astype(np.int16, copy=True)
    has_msg = line_msg >= 0
    from_msg = msg_code[line_msg[has_msg]]
    decoded = (from_msg >= C.MSG_POSITION) & (from_msg <= C.MSG_POSITION_AND_STATIC)
    codes[has_msg] = np.where(decoded, C.DECODED, from_msg)
    codes[~has_msg & line_orphan] = C.REJ_ORPHAN_FRAGMENT
    codes[codes == C.NONE] = C.REJ_NOT_NMEA  # defensive: every line must end somewhere
    return codes


def count_lines(codes: np.ndarray, positions: int, static: int) -> Counts:
    values, freq = np.unique(codes, return_counts=True)
    counts = Counts(lines_read=int(codes.size), positions=positions, static=static)
    skipped: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    for value, n in zip(values.tolist(), freq.tolist()):
        if value == C.DECODED:
            counts.decoded += n
        elif C.is_reject(np.array(value)):
            rejected[C.REASONS[value]] += n
        else:
            skipped[C.REASONS[value]] += n
    counts.skipped = skipped
    counts.rejected = rejected
    return counts


def reject_table(buf, line_spans, codes, line_no0: int, source_id: int) -> pa.Table:
    rows = np.flatnonzero(C.is_reject(codes))
    reasons = pa.DictionaryArray.from_arrays(pa.array(codes[rows].astype(np.int32)), _REASON_NAMES)
    return pa.Table.from_arrays(
        [
            pa.array(np.full(rows.size, source_id, np.int32)),
            pa.array(line_no0 + rows + 1, pa.int64()),
            reasons.cast(pa.string()),
            span_column(buf, line_spans[rows], schema.RAW_CAP),
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
    """ETA instants (µs) and a null mask.

    AIS sends no year: take the message's year, or the next one when that would put the
    ETA more than half a year in the past (a December message announcing a January ETA).
    """
    month, day, hour, minute = (eta[:, k].astype(np.int64) for k in range(4))
    null = (month < 1) | (month > 12) | (day < 1) | (day > 31) | (hour > 23) | (minute > 59)
    msg_time = time_us.astype("datetime64[us]")
    year = msg_time.astype("datetime64[Y]").astype(np.int64)
    this_year, bad_this = _eta_in_year(year, month, day, hour, minute)
    next_year, bad_next = _eta_in_year(year + 1, month, day, hour, minute)
    use_next = this_year < msg_time - _HALF_YEAR
    null |= np.where(use_next, bad_next, bad_this)
    return np.where(use_next, next_year, this_year).astype(np.int64), null


def position_table(rows, dec, time_us, receiver, line_no, source_id: int) -> pa.Table:
    (_, msg_type, mmsi, lat, lon, sog, cog, heading, nav) = dec[:9]
    r = rows
    return pa.Table.from_arrays(
        [
            pa.array(mmsi[r]),
            _timestamps(time_us[r]),
            _masked(lat[r], np.isnan(lat[r]), pa.float64()),
            _masked(lon[r], np.isnan(lon[r]), pa.float64()),
            _masked(sog[r], np.isnan(sog[r]), pa.float32()),
            _masked(cog[r], np.isnan(cog[r]), pa.float32()),
            _masked(heading[r], heading[r] < 0, pa.int16()),
            _masked(nav[r], nav[r] < 0, pa.int8()),
            pa.array(msg_type[r], pa.int8()),
            receiver,  # already one value per row
            pa.array(np.full(r.size, source_id, np.int32)),
            pa.array(line_no[r], pa.int64()),
        ],
        schema=schema.POSITIONS,
    )


def static_table(rows, dec, time_us, line_no, source_id: int) -> pa.Table:
    (_, msg_type, mmsi, *_rest) = dec
    imo, ship_type, draught, length, width, eta, name, callsign, destination = dec[9:]
    r = rows
    imo_r = imo[r]
    no_imo = imo_r < 0
    eta_us, eta_null = eta_utc(eta[r], time_us[r])
    return pa.Table.from_arrays(
        [
            pa.array(mmsi[r]),
            _timestamps(time_us[r]),
            _masked(imo_r, no_imo, pa.int64()),
            _masked(imo_check_digit_ok(imo_r), no_imo, pa.bool_()),
            text_column(name[r]),
            text_column(callsign[r]),
            _masked(ship_type[r], ship_type[r] < 0, pa.int16()),
            _masked(draught[r], np.isnan(draught[r]), pa.float32()),
            text_column(destination[r]),
            _timestamps(eta_us, eta_null),
            _masked(length[r], np.isnan(length[r]), pa.float32()),
            _masked(width[r], np.isnan(width[r]), pa.float32()),
            pa.array(msg_type[r], pa.int8()),
            pa.array(np.full(r.size, source_id, np.int32)),
            pa.array(line_no[r], pa.int64()),
        ],
        schema=schema.STATIC,
    )
