"""The decode kernel: 6-bit payloads -> fields, by message type (ITU-R M.1371-5).

Numbers come out as fixed arrays with sentinels for "not available" (NaN, -1), text as
ASCII byte matrices; :mod:`tables` turns them into Arrow columns in bulk.
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


@njit(cache=True)
def _bits(p, off, start, n):
    """Unsigned ``n``-bit field at bit ``start`` of the 6-bit values ``p[off:]`` (n <= 30)."""
    first = start // 6
    last = (start + n - 1) // 6
    v = 0
    for c in range(first, last + 1):
        v = (v << 6) | p[off + c]
    v >>= (last + 1) * 6 - (start + n)
    return v & ((1 << n) - 1)


@njit(cache=True)
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
def _latlon(p, off, lon_at, out_lat, out_lon, i):
    lon = _signed(p, off, lon_at, 28)
    lat = _signed(p, off, lon_at + 28, 27)
    out_lon[i] = np.nan if lon == _LON_NA else lon / 600_000.0
    out_lat[i] = np.nan if lat == _LAT_NA else lat / 600_000.0


@njit(cache=True)
def _sog_cog_heading(p, off, sog_at, cog_at, out_sog, out_cog, out_hdg, i):
    sog = _bits(p, off, sog_at, 10)
    out_sog[i] = np.nan if sog == 1023 else sog / 10.0
    cog = _bits(p, off, cog_at, 12)
    out_cog[i] = np.nan if cog >= 3600 else cog / 10.0
    hdg = _bits(p, off, cog_at + 12, 9)
    out_hdg[i] = -1 if hdg >= 360 else hdg


@njit(cache=True)
def _dimensions(p, off, at, out_len, out_wid, i):
    length = _bits(p, off, at, 9) + _bits(p, off, at + 9, 9)
    width = _bits(p, off, at + 18, 6) + _bits(p, off, at + 24, 6)
    out_len[i] = np.nan if length == 0 else length
    out_wid[i] = np.nan if width == 0 else width


@njit(cache=True)
def _ship_type(p, off, at, out, i):
    v = _bits(p, off, at, 8)
    out[i] = -1 if v == 0 else v


@njit(cache=True)
def decode_messages(p, m_off, m_nbits):
    """Decode every message. Returns a tuple of field arrays (see ``tables.build_tables``)."""
    n = m_nbits.shape[0]
    outcome = np.zeros(n, np.int16)
    msg_type = np.full(n, -1, np.int8)
    mmsi = np.zeros(n, np.int64)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    sog = np.full(n, np.nan, np.float32)
    cog = np.full(n, np.nan, np.float32)
    heading = np.full(n, -1, np.int16)
    nav = np.full(n, -1, np.int8)
    imo = np.full(n, -1, np.int64)
    ship_type = np.full(n, -1, np.int16)
    draught = np.full(n, np.nan, np.float32)
    length = np.full(n, np.nan, np.float32)
    width = np.full(n, np.nan, np.float32)
    eta = np.full((n, 4), -1, np.int16)  # month, day, hour, minute
    name = np.full((n, NAME_CHARS), 64, np.uint8)
    callsign = np.full((n, CALLSIGN_CHARS), 64, np.uint8)
    destination = np.full((n, DESTINATION_CHARS), 64, np.uint8)
    for i in range(n):
        off = m_off[i]
        nbits = m_nbits[i]
        t = _bits(p, off, 0, 6)
        msg_type[i] = t
        if nbits < _min_bits(t):
            outcome[i] = C.REJ_SHORT_PAYLOAD
            continue
        if t not in (1, 2, 3, 5, 9, 18, 19, 24, 27):
            outcome[i] = C.SKIP_TYPE_BASE + t
            continue
        mmsi[i] = _bits(p, off, 8, 30)
        if t <= 3:
            status = _bits(p, off, 38, 4)
            nav[i] = -1 if status == 15 else status
            _sog_cog_heading(p, off, 50, 116, sog, cog, heading, i)
            _latlon(p, off, 61, lat, lon, i)
            outcome[i] = C.MSG_POSITION
        elif t == 18 or t == 19:
            _sog_cog_heading(p, off, 46, 112, sog, cog, heading, i)
            _latlon(p, off, 57, lat, lon, i)
            outcome[i] = C.MSG_POSITION
            if t == 19:
                _text(p, off, 143, NAME_CHARS, nbits, name, i)
                _ship_type(p, off, 263, ship_type, i)
                _dimensions(p, off, 271, length, width, i)
                outcome[i] = C.MSG_POSITION_AND_STATIC
        elif t == 9:  # SAR aircraft: speed in whole knots
            speed = _bits(p, off, 50, 10)
            sog[i] = np.nan if speed == 1023 else speed
            _latlon(p, off, 61, lat, lon, i)
            course = _bits(p, off, 116, 12)
            cog[i] = np.nan if course >= 3600 else course / 10.0
            outcome[i] = C.MSG_POSITION
        elif t == 27:  # long-range: 1/10 minute positions, whole knots and degrees
            status = _bits(p, off, 40, 4)
            nav[i] = -1 if status == 15 else status
            lon27 = _signed(p, off, 44, 18)
            lat27 = _signed(p, off, 62, 17)
            lon[i] = np.nan if lon27 == 181 * 600 else lon27 / 600.0
            lat[i] = np.nan if lat27 == 91 * 600 else lat27 / 600.0
            speed = _bits(p, off, 79, 6)
            sog[i] = np.nan if speed == 63 else speed
            course = _bits(p, off, 85, 9)
            cog[i] = np.nan if course >= 360 else course
            outcome[i] = C.MSG_POSITION
        elif t == 5:
            number = _bits(p, off, 40, 30)
            imo[i] = -1 if number == 0 else number
            _text(p, off, 70, CALLSIGN_CHARS, nbits, callsign, i)
            _text(p, off, 112, NAME_CHARS, nbits, name, i)
            _ship_type(p, off, 232, ship_type, i)
            _dimensions(p, off, 240, length, width, i)
            eta[i, 0] = _bits(p, off, 274, 4)
            eta[i, 1] = _bits(p, off, 278, 5)
            eta[i, 2] = _bits(p, off, 283, 5)
            eta[i, 3] = _bits(p, off, 288, 6)
            depth = _bits(p, off, 294, 8)
            draught[i] = np.nan if depth == 0 else depth / 10.0
            _text(p, off, 302, DESTINATION_CHARS, nbits, destination, i)
            outcome[i] = C.MSG_STATIC
        else:  # 24: part A (name) and part B (type, callsign, dimensions) arrive separately
            part = _bits(p, off, 38, 2)
            if part == 0 and nbits >= 160:
                _text(p, off, 40, NAME_CHARS, nbits, name, i)
                outcome[i] = C.MSG_STATIC
            elif part == 1 and nbits >= 162:
                _ship_type(p, off, 40, ship_type, i)
                _text(p, off, 90, CALLSIGN_CHARS, nbits, callsign, i)
                if mmsi[i] // 10_000_000 != 98:  # auxiliary craft put the mothership MMSI here
                    _dimensions(p, off, 132, length, width, i)
                outcome[i] = C.MSG_STATIC
            elif part <= 1:
                outcome[i] = C.REJ_SHORT_PAYLOAD
            else:
                outcome[i] = C.REJ_BAD_FIELD
    return (outcome, msg_type, mmsi, lat, lon, sog, cog, heading, nav, imo, ship_type, draught,
            length, width, eta, name, callsign, destination)
