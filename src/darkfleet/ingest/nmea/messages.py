"""The decode kernel: armoured payloads -> position and static rows (ITU-R M.1371-5).

Reads the 6-bit characters straight from the chunk buffer (single-sentence messages) or
from the joined multipart payloads, decides each message's final outcome (including
``no_timestamp``) and writes the rows compactly, so the Python side only slices arrays.
Numbers use sentinels for "not available" (NaN, -1); text comes out as ASCII matrices.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from darkfleet.ingest.nmea import codes as C

NAME_CHARS = 20
CALLSIGN_CHARS = 7
DESTINATION_CHARS = 20
_LON_NA = 181 * 600_000
_LAT_NA = 91 * 600_000


@njit(cache=True, inline="always")
def _bits(p, off, start, n):
    """Unsigned ``n``-bit field at bit ``start`` of the armoured payload ``p[off:]`` (n <= 30)."""
    first = start // 6
    last = (start + n - 1) // 6
    v = 0
    for c in range(first, last + 1):
        ch = np.int64(p[off + c])  # validated by the line kernel; branch-free: bits are random
        v = (v << 6) | (ch - 48 - 8 * np.int64(ch > 87))
    v >>= (last + 1) * 6 - (start + n)
    return v & ((1 << n) - 1)


@njit(cache=True, inline="always")
def _signed(p, off, start, n):
    v = _bits(p, off, start, n)
    if v & (1 << (n - 1)):
        v -= 1 << n
    return v


@njit(cache=True)
def _text(p, off, start, n_chars, nbits, out, row):
    """Six-bit ASCII text into ``out[row]``; characters beyond the payload stay '@' (padding)."""
    for k in range(n_chars):
        bit = start + 6 * k
        if bit + 6 > nbits:
            out[row, k] = 64
            continue
        v = _bits(p, off, bit, 6)
        out[row, k] = v + 64 if v < 32 else v


@njit(cache=True)
def _min_bits(t):
    """Payload bits needed for the fields we read (lenient about trailing spare bits)."""
    if t == 1 or t == 2 or t == 3:
        return 137
    if t == 18:
        return 133
    if t == 19:
        return 301
    if t == 9:
        return 128
    if t == 27:
        return 94
    if t == 5:
        return 302
    if t == 24:
        return 40
    return 6


@njit(cache=True)
def _outcome(p, off, nbits, t):
    if nbits < _min_bits(t):
        return C.REJ_SHORT_PAYLOAD
    if t == 1 or t == 2 or t == 3 or t == 9 or t == 18 or t == 27:
        return C.MSG_POSITION
    if t == 19:
        return C.MSG_POSITION_AND_STATIC
    if t == 5:
        return C.MSG_STATIC
    if t == 24:
        part = _bits(p, off, 38, 2)
        if part > 1:
            return C.REJ_BAD_FIELD
        if nbits < (160 if part == 0 else 162):
            return C.REJ_SHORT_PAYLOAD
        return C.MSG_STATIC
    return C.SKIP_TYPE_BASE + t


@njit(cache=True, inline="always")
def _rare_position(p, off, t, row, lat_out, lon_out, sog_out, cog_out, heading_out, nav_out):
    """Position fields of a type 27 or 9 report (1-3 and 18/19 take ``_moving``); NaN / -1 where not available."""
    lat_out[row] = lon_out[row] = sog_out[row] = cog_out[row] = np.nan
    heading_out[row] = -1
    nav_out[row] = -1
    if t == 27:  # long-range: 1/10 minute positions, whole knots and degrees
        status = _bits(p, off, 40, 4)
        nav_out[row] = -1 if status == 15 else status
        lon = _signed(p, off, 44, 18)
        lat = _signed(p, off, 62, 17)
        if lat != 91 * 600:
            lat_out[row] = lat / 600.0
        if lon != 181 * 600:
            lon_out[row] = lon / 600.0
        speed = _bits(p, off, 79, 6)
        if speed != 63:
            sog_out[row] = speed
        course = _bits(p, off, 85, 9)
        if course < 360:
            cog_out[row] = course
        return
    # type 9, SAR aircraft: the class A layout, speed in whole knots, no heading or status
    lon = _signed(p, off, 61, 28)
    lat = _signed(p, off, 89, 27)
    if lat != _LAT_NA:
        lat_out[row] = lat / 600_000.0
    if lon != _LON_NA:
        lon_out[row] = lon / 600_000.0
    speed = _bits(p, off, 50, 10)
    if speed != 1023:
        sog_out[row] = speed
    course = _bits(p, off, 116, 12)
    if course < 3600:
        cog_out[row] = course / 10.0


@njit(cache=True, inline="always")
def _moving(p, off, lon_at, row, lat_out, lon_out, sog_out, cog_out, heading_out):
    """Class A / class B position fields; ``lon_at`` is a constant in each inlined copy."""
    lon = _signed(p, off, lon_at, 28)
    lat = _signed(p, off, lon_at + 28, 27)
    lat_out[row] = lat / 600_000.0 if lat != _LAT_NA else np.nan
    lon_out[row] = lon / 600_000.0 if lon != _LON_NA else np.nan
    speed = _bits(p, off, lon_at - 11, 10)
    sog_out[row] = speed / 10.0 if speed != 1023 else np.nan
    course = _bits(p, off, lon_at + 55, 12)
    cog_out[row] = course / 10.0 if course < 3600 else np.nan
    heading = _bits(p, off, lon_at + 67, 9)
    heading_out[row] = -1 if heading >= 360 else heading


@njit(cache=True)
def _dimensions(p, off, at, sf, row):
    length = _bits(p, off, at, 9) + _bits(p, off, at + 9, 9)
    width = _bits(p, off, at + 18, 6) + _bits(p, off, at + 24, 6)
    sf[row, 1] = np.nan if length == 0 else length
    sf[row, 2] = np.nan if width == 0 else width


@njit(cache=True)
def _static(p, off, nbits, t, mmsi, row, sf, si, name, callsign, destination):
    """Static fields: sf[row] = draught, length, width; si[row] = imo, ship type, ETA m/d/h/min."""
    sf[row, :] = np.nan
    si[row, :] = -1
    name[row, :] = 64
    callsign[row, :] = 64
    destination[row, :] = 64
    if t == 19:
        _text(p, off, 143, NAME_CHARS, nbits, name, row)
        kind = _bits(p, off, 263, 8)
        si[row, 1] = -1 if kind == 0 else kind
        _dimensions(p, off, 271, sf, row)
    elif t == 5:
        imo = _bits(p, off, 40, 30)
        si[row, 0] = -1 if imo == 0 else imo
        _text(p, off, 70, CALLSIGN_CHARS, nbits, callsign, row)
        _text(p, off, 112, NAME_CHARS, nbits, name, row)
        kind = _bits(p, off, 232, 8)
        si[row, 1] = -1 if kind == 0 else kind
        _dimensions(p, off, 240, sf, row)
        si[row, 2] = _bits(p, off, 274, 4)
        si[row, 3] = _bits(p, off, 278, 5)
        si[row, 4] = _bits(p, off, 283, 5)
        si[row, 5] = _bits(p, off, 288, 6)
        depth = _bits(p, off, 294, 8)
        if depth != 0:
            sf[row, 0] = depth / 10.0
        _text(p, off, 302, DESTINATION_CHARS, nbits, destination, row)
    elif _bits(p, off, 38, 2) == 0:  # 24 part A: the name only
        _text(p, off, 40, NAME_CHARS, nbits, name, row)
    else:  # 24 part B: type, call sign, dimensions (auxiliary craft: mothership MMSI instead)
        kind = _bits(p, off, 40, 8)
        si[row, 1] = -1 if kind == 0 else kind
        _text(p, off, 90, CALLSIGN_CHARS, nbits, callsign, row)
        if mmsi // 10_000_000 != 98:
            _dimensions(p, off, 132, sf, row)


@njit(cache=True, nogil=True)  # nogil: two halves of a chunk may run in threads
def decode_messages(buf, joined, m_src, m_off, m_nbits, m_line, m_time, m_recv, cut, assume_us,
                    line_no_base):
    """Decode messages whose first line is before ``cut``.

    ``line_no_base`` turns a line index into the 1-based line number of the source. Returns
    (outcome per message, n positions, position columns (tuple), n statics, static arrays...);
    static keys are mmsi, type, line index, time.
    """
    n = m_nbits.shape[0]
    outcome = np.zeros(n, np.int16)
    # one contiguous array per column, in the schema's dtype: Arrow wraps them without copies
    p_mmsi = np.empty(n, np.int64)
    p_time = np.empty(n, np.int64)
    p_lat = np.empty(n, np.float64)
    p_lon = np.empty(n, np.float64)
    p_sog = np.empty(n, np.float32)
    p_cog = np.empty(n, np.float32)
    p_heading = np.empty(n, np.int16)
    p_nav = np.empty(n, np.int8)
    p_type = np.empty(n, np.int8)
    p_line_no = np.empty(n, np.int64)
    p_recv = np.empty((n, 2), np.int32)
    n_static = n  # rows only touched when written: fresh pages of np.empty cost nothing until then
    s_key = np.empty((n_static, 4), np.int64)
    s_f = np.empty((n_static, 3), np.float32)
    s_i = np.empty((n_static, 6), np.int64)
    name = np.empty((n_static, NAME_CHARS), np.uint8)
    callsign = np.empty((n_static, CALLSIGN_CHARS), np.uint8)
    destination = np.empty((n_static, DESTINATION_CHARS), np.uint8)
    np_ = 0
    ns_ = 0
    for i in range(n):
        if m_line[i] >= cut:
            continue
        p = joined if m_src[i] else buf
        off = m_off[i]
        nbits = m_nbits[i]
        t = _bits(p, off, 0, 6) if nbits >= 6 else 0
        if (1 <= t <= 3 and nbits >= 137) or (t == 18 and nbits >= 133):
            code = C.MSG_POSITION  # what _outcome says for these, without its chain of type tests
        else:
            code = _outcome(p, off, nbits, t)
        time = m_time[i]
        if time == C.MISSING_TIME:
            time = assume_us
        if time == C.MISSING_TIME and C.MSG_POSITION <= code <= C.MSG_POSITION_AND_STATIC:
            code = C.REJ_NO_TIMESTAMP
        outcome[i] = code
        if code < C.MSG_POSITION or code > C.MSG_POSITION_AND_STATIC:
            continue
        mmsi = _bits(p, off, 8, 30)
        if code != C.MSG_STATIC:
            p_mmsi[np_] = mmsi
            p_time[np_] = time
            p_type[np_] = t
            p_line_no[np_] = m_line[i] + line_no_base
            p_recv[np_, 0] = m_recv[i, 0]
            p_recv[np_, 1] = m_recv[i, 1]
            if t <= 3:  # the common types get straight-line code: one branch on the type
                _moving(p, off, 61, np_, p_lat, p_lon, p_sog, p_cog, p_heading)
                status = _bits(p, off, 38, 4)
                p_nav[np_] = -1 if status == 15 else status
            elif t == 18 or t == 19:
                _moving(p, off, 57, np_, p_lat, p_lon, p_sog, p_cog, p_heading)
                p_nav[np_] = -1
            else:
                _rare_position(p, off, t, np_, p_lat, p_lon, p_sog, p_cog, p_heading, p_nav)
            np_ += 1
        if code != C.MSG_POSITION:
            s_key[ns_, 0] = mmsi
            s_key[ns_, 1] = t
            s_key[ns_, 2] = m_line[i]
            s_key[ns_, 3] = time
            _static(p, off, nbits, t, mmsi, ns_, s_f, s_i, name, callsign, destination)
            ns_ += 1
    positions = (p_mmsi, p_time, p_lat, p_lon, p_sog, p_cog, p_heading, p_nav, p_type, p_line_no, p_recv)
    return (outcome, np_, positions, ns_, s_key, s_f, s_i, name, callsign, destination)
