"""Tiny Numba helpers for scanning ASCII bytes: numbers, hex, hashes, calendar.

They return sentinels (-1, ``MISSING_TIME``) instead of raising, because the kernels
must survive any bytes.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from darkfleet.ingest.nmea.codes import MAX_TIME_US, MIN_TIME_US, MISSING_TIME

_MS_THRESHOLD = 100_000_000_000  # epoch values above this are milliseconds (year 5138 in seconds)


@njit(cache=True)
def parse_uint(buf, a, b):
    """Decimal digits in ``buf[a:b]`` as an int, or -1 when empty, not digits or too long."""
    if b <= a or b - a > 18:
        return -1
    v = 0
    for k in range(a, b):
        c = buf[k]
        if c < 48 or c > 57:
            return -1
        v = v * 10 + (c - 48)
    return v


@njit(cache=True)
def hex_val(c):
    """Value of one hex digit (either case), or -1."""
    if 48 <= c <= 57:
        return c - 48
    if 65 <= c <= 70:
        return c - 55
    if 97 <= c <= 102:
        return c - 87
    return -1


@njit(cache=True)
def parse_epoch_us(buf, a, b):
    """Unix time in ``buf[a:b]`` (seconds, optional fraction, or milliseconds) as microseconds.

    Returns ``MISSING_TIME`` when malformed or outside 1970..2100.
    """
    dot = b
    for k in range(a, b):
        if buf[k] == 46:  # '.'
            dot = k
            break
    whole = parse_uint(buf, a, dot)
    if whole < 0:
        return MISSING_TIME
    frac_us = 0
    if dot < b:
        digits = 0
        for k in range(dot + 1, b):
            c = buf[k]
            if c < 48 or c > 57:
                return MISSING_TIME
            if digits < 6:
                frac_us = frac_us * 10 + (c - 48)
                digits += 1
        while digits < 6:
            frac_us *= 10
            digits += 1
    return epoch_us(whole, frac_us)


@njit(cache=True, inline="always")
def epoch_us(whole, frac_us):
    """Microseconds of a unix time given as whole seconds (or milliseconds) and a fraction."""
    if whole > _MS_THRESHOLD:
        us = whole * 1000
    else:
        us = whole * 1_000_000 + frac_us
    if us < MIN_TIME_US or us >= MAX_TIME_US:
        return MISSING_TIME
    return us


@njit(cache=True)
def fnv_hash(buf, a, b):
    """64-bit FNV-1a of ``buf[a:b]``; 0 is reserved for 'no value'."""
    if b <= a:
        return 0
    h = -3750763034362895579  # FNV offset basis as signed int64
    for k in range(a, b):
        h = (h ^ buf[k]) * 1099511628211
    return h if h != 0 else 1


@njit(cache=True)
def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm)."""
    y = y - 1 if m <= 2 else y
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    mp = m + 9 if m <= 2 else m - 3
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@njit(cache=True)
def year_of_days(days):
    """Proleptic Gregorian year of a day count since 1970-01-01 (Hinnant's civil_from_days)."""
    z = days + 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    return yoe + era * 400 + (1 if mp >= 10 else 0)  # mp >= 10: January or February of the next year


@njit(cache=True)
def days_in_month(y, m):
    if m == 2:
        leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
        return 29 if leap else 28
    if m == 4 or m == 6 or m == 9 or m == 11:
        return 30
    return 31



@intrinsic
def _cttz(typingctx, x):
    """Count of trailing zero bits of a non-zero uint64 (one instruction: tzcnt)."""
    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 1))
    return types.uint64(types.uint64), codegen


@njit(cache=True, nogil=True)
def find_byte(buf, byte, max_count):
    """Positions of the first ``max_count`` occurrences of ``byte`` in ``buf``: (array, count).

    Works on 64-byte blocks: the compare loop vectorises into a bit mask and only set
    bits cost a step, so it runs at a few bytes per cycle instead of one.
    """
    n = buf.shape[0]
    out = np.empty(max(min(max_count, n), 0), np.int32)  # a chunk is far below 2 GiB
    limit = out.shape[0]
    m = 0
    one = np.uint64(1)
    n_blocks = n // 64
    for b in range(n_blocks):
        base = np.uint64(b * 64)
        mask = np.uint64(0)
        for k in range(64):
            mask |= np.uint64(buf[base + np.uint64(k)] == byte) << np.uint64(k)
        while mask:
            if m == limit:
                return out, m
            out[m] = b * 64 + np.int64(_cttz(mask))
            m += 1
            mask &= mask - one
    for k in range(n_blocks * 64, n):
        if buf[k] == byte:
            if m == limit:
                break
            out[m] = k
            m += 1
    return out, m


@njit(cache=True, nogil=True)
def count_byte(buf, a, b, byte):
    """Occurrences of ``byte`` in ``buf[a:b]`` (unsigned indices: the loop vectorises)."""
    total = 0
    for k in range(np.uint64(a), np.uint64(max(a, b))):
        total += buf[k] == byte
    return total
