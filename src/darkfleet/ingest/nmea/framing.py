"""Numba parsers for one piece of a line: an IEC 62320 tag block, a VDM/VDO sentence, a $PGHP.

Each returns an outcome code from :mod:`codes` (``NONE`` = fine) plus offsets into the
chunk buffer, never Python objects, so the line kernel stays in nopython mode.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from darkfleet.ingest.nmea import codes as C
from darkfleet.ingest.nmea.scan import (
    days_from_civil,
    days_in_month,
    epoch_us,
    hex_val,
    parse_epoch_us,
    parse_uint,
)

_BACKSLASH = 92
_STAR = 42
_COMMA = 44
_COLON = 58


@njit(cache=True)
def _tag_field(buf, key0, colon, end, fields):
    """Store one ``key:value`` of a tag block into ``fields`` (time, s, si); False if malformed."""
    if colon < 0:
        return False
    key_len = colon - key0
    if key_len == 1 and buf[key0] == 99:  # c: unix time
        fields[0] = parse_epoch_us(buf, colon + 1, end)
        if fields[0] == C.MISSING_TIME:
            fields[5] = C.REJ_BAD_TIMESTAMP
    elif key_len == 1 and buf[key0] == 115:  # s: source station
        fields[1] = colon + 1
        fields[2] = end
    elif key_len == 2 and buf[key0] == 115 and buf[key0 + 1] == 105:  # si: feed id (DMA)
        fields[3] = colon + 1
        fields[4] = end
    return True


@njit(cache=True)
def parse_tag_block(buf, a, e, fields):
    """Parse the tag block whose body starts at ``a`` (after the opening backslash), in one pass.

    Fills ``fields`` = [time_us, s_start, s_end, si_start, si_end, code] and returns the
    index of the closing backslash (-1 if there is none). The tag-block checksum is not
    enforced: real feeds (Spire, pyais samples) write ``*00`` or one digit.
    """
    fields[0] = C.MISSING_TIME
    fields[1] = fields[2] = fields[3] = fields[4] = -1
    fields[5] = C.NONE
    # usual case, "c:<digits>*hh\": a tight digit loop instead of the general state machine
    if e - a > 6 and buf[a] == 99 and buf[a + 1] == _COLON:
        k = a + 2
        whole = 0
        while k < e and 48 <= buf[k] <= 57:
            whole = whole * 10 + (buf[k] - 48)
            k += 1
        if k + 3 < e and buf[k] == _STAR and buf[k + 3] == _BACKSLASH and buf[k + 1] != _BACKSLASH \
                and buf[k + 2] != _BACKSLASH:
            digits = k - a - 2
            fields[0] = epoch_us(whole, 0) if 0 < digits <= 18 else C.MISSING_TIME  # as parse_epoch_us
            if fields[0] == C.MISSING_TIME:
                fields[5] = C.REJ_BAD_TIMESTAMP
            return k + 3
    key0 = a
    colon = -1
    in_checksum = False
    for k in range(a, e):
        c = buf[k]
        if c == _BACKSLASH:
            if not in_checksum and not _tag_field(buf, key0, colon, k, fields):
                fields[5] = C.REJ_BAD_TAG_BLOCK
            return k
        if in_checksum:
            continue
        if c == _STAR or c == _COMMA:
            if not _tag_field(buf, key0, colon, k, fields):
                fields[5] = C.REJ_BAD_TAG_BLOCK
            key0 = k + 1
            colon = -1
            in_checksum = c == _STAR
        elif c == _COLON and colon < 0:
            colon = k
    fields[5] = C.REJ_BAD_TAG_BLOCK
    return -1


@njit(cache=True)
def _is_upper(c):
    return 65 <= c <= 90


@njit(cache=True)
def _failed(code, end):
    """parse_sentence's answer for a sentence that is not usable."""
    return (code, end, 0, 0, -1, 0, 0, 0, 0)


@njit(cache=True, inline="always")
def _sums(buf, a, b):
    """XOR, comma count and star count of ``buf[a:b]``.

    Unsigned indices spare Numba's negative-index wrap-around, which lets LLVM vectorise
    this loop: it runs once over every sentence byte.
    """
    xor = np.uint8(0)
    commas = 0
    stars = 0
    for k in range(np.uint64(a), np.uint64(max(a, b))):
        c = buf[k]
        xor ^= c
        commas += c == _COMMA
        stars += c == _STAR
    return xor, commas, stars


@njit(cache=True, inline="always")
def _armour_ok(buf, a, b):
    """True when every byte of ``buf[a:b]`` is a 6-bit armour character (vectorised)."""
    bad = 0
    for k in range(np.uint64(a), np.uint64(max(a, b))):
        c = buf[k]
        bad += not ((48 <= c <= 87) or (96 <= c <= 119))
    return bad == 0


@njit(cache=True)
def parse_sentence(buf, p, e):
    """Validate the sentence starting with '!' at ``p`` (line ends at ``e``).

    Returns (code, end, total, num, seq, channel_hash, pay_start, pay_end, fill_bits), with
    ``end`` just after the two checksum digits. The checksum ends at the first '*'.
    """
    if e - p < 6:
        return _failed(C.REJ_NOT_NMEA, e)
    for k in range(p + 1, p + 3):  # talker: two letters, or "--" as some receivers write
        if not (_is_upper(buf[k]) or buf[k] == 45):
            return _failed(C.REJ_NOT_NMEA, e)
    for k in range(p + 3, p + 6):
        if not _is_upper(buf[k]):
            return _failed(C.REJ_NOT_NMEA, e)
    if not (buf[p + 3] == 86 and buf[p + 4] == 68 and (buf[p + 5] == 77 or buf[p + 5] == 79)):
        return _failed(C.SKIP_OTHER_SENTENCE, e)
    # usual case: the line ends with "*hh"; one vectorised pass then proves no earlier '*'
    star = e - 3
    xor = np.uint8(0)
    commas = 0
    stars = 1
    if star > p and buf[star] == _STAR:
        xor, commas, stars = _sums(buf, p + 1, star)
    if stars != 0:  # another '*' before, trailing fields, or no '*' at all: search it
        star = -1
        for k in range(p + 1, e):
            if buf[k] == _STAR:
                star = k
                break
        if star < 0:
            return _failed(C.REJ_BAD_CHECKSUM, e)
        xor, commas, stars = _sums(buf, p + 1, star)
    if star + 3 > e:
        return _failed(C.REJ_BAD_CHECKSUM, e)
    hi = hex_val(buf[star + 1])
    lo = hex_val(buf[star + 2])
    end = star + 3
    if hi < 0 or lo < 0 or hi * 16 + lo != xor:
        return _failed(C.REJ_BAD_CHECKSUM, end)
    if commas != 6:
        return _failed(C.REJ_BAD_FIELD_COUNT, end)
    # exactly six commas: the first five are in the short head, the sixth is the last one
    c0 = c1 = c2 = c3 = c4 = 0
    found = 0
    k = p + 1
    if star > p + 15:  # usual head "!AIVDM,1,1,[s],[c],": fixed places, no byte loop (its exits mispredict)
        c0, c1, c2 = p + 6, p + 8, p + 10
        if buf[c0] == _COMMA and buf[p + 7] != _COMMA and buf[c1] == _COMMA and buf[p + 9] != _COMMA \
                and buf[c2] == _COMMA:
            c3 = p + 11 if buf[p + 11] == _COMMA else (p + 12 if buf[p + 12] == _COMMA else -1)
            if c3 > 0:
                c4 = c3 + 1 if buf[c3 + 1] == _COMMA else (c3 + 2 if buf[c3 + 2] == _COMMA else -1)
                if c4 > 0:
                    found = 5
    while found < 5:
        if buf[k] == _COMMA:
            if found == 0:
                c0 = k
            elif found == 1:
                c1 = k
            elif found == 2:
                c2 = k
            elif found == 3:
                c3 = k
            else:
                c4 = k
            found += 1
        k += 1
    c5 = star - 1
    while buf[c5] != _COMMA:
        c5 -= 1
    total = parse_uint(buf, c0 + 1, c1)
    num = parse_uint(buf, c1 + 1, c2)
    seq = -1
    if c3 > c2 + 1:
        seq = parse_uint(buf, c2 + 1, c3)
        if seq < 0 or seq > 999:
            return _failed(C.REJ_BAD_FRAGMENT, end)
    if total < 1 or total > C.MAX_FRAGMENTS or num < 1 or num > total:
        return _failed(C.REJ_BAD_FRAGMENT, end)
    if c4 - c3 - 1 > 2:
        return _failed(C.REJ_BAD_FIELD, end)
    channel = 0  # one or two characters: their codes, not a hash
    for k in range(c3 + 1, c4):
        channel = channel * 256 + buf[k] + 1
    fill = parse_uint(buf, c5 + 1, star)
    if fill < 0 or fill > 5 or star - c5 != 2:
        return _failed(C.REJ_BAD_FILL_BITS, end)
    if not _armour_ok(buf, c4 + 1, c5):
        return _failed(C.REJ_BAD_ARMOUR, end)
    if 6 * (c5 - c4 - 1) - fill < 6:
        return _failed(C.REJ_SHORT_PAYLOAD, end)
    return (C.NONE, end, total, num, seq, channel, c4 + 1, c5, fill)


@njit(cache=True)
def parse_pghp(buf, a, e):
    """A Gatehouse ``$PGHP,1,yyyy,mm,dd,HH,MM,SS,mmm,country,region,station,online,cc*hh``.

    Returns (code, time_us, station_start, station_end); type 1 sentences carry the receive
    time and the receiving station's MMSI, other types only count as metadata.
    """
    xor = 0
    star = -1
    for k in range(a + 1, e):
        if buf[k] == _STAR:
            star = k
            break
        xor ^= buf[k]
    if star < 0 or star + 3 > e:
        return C.REJ_BAD_CHECKSUM, C.MISSING_TIME, -1, -1
    hi = hex_val(buf[star + 1])
    lo = hex_val(buf[star + 2])
    if hi < 0 or lo < 0 or hi * 16 + lo != xor:
        return C.REJ_BAD_CHECKSUM, C.MISSING_TIME, -1, -1
    commas = [0] * 14  # positions of the first 14 commas: field i ends at commas[i]
    n_commas = 0
    for k in range(a, star):
        if buf[k] == _COMMA:
            if n_commas < 14:
                commas[n_commas] = k
            n_commas += 1
    if n_commas < 1:
        return C.REJ_BAD_METADATA, C.MISSING_TIME, -1, -1
    n_fields = min(n_commas, 13) + 1
    starts = [0] * 14
    ends = [0] * 14
    for i in range(n_fields):
        starts[i] = a if i == 0 else commas[i - 1] + 1
        ends[i] = commas[i] if i < n_commas else star
    kind = parse_uint(buf, starts[1], ends[1])
    if kind != 1:
        return C.NONE, C.MISSING_TIME, -1, -1
    if n_fields < 9:
        return C.REJ_BAD_METADATA, C.MISSING_TIME, -1, -1
    year = parse_uint(buf, starts[2], ends[2])
    month = parse_uint(buf, starts[3], ends[3])
    day = parse_uint(buf, starts[4], ends[4])
    hour = parse_uint(buf, starts[5], ends[5])
    minute = parse_uint(buf, starts[6], ends[6])
    second = parse_uint(buf, starts[7], ends[7])
    milli = parse_uint(buf, starts[8], ends[8])
    if year < 1970 or year > 2099 or month < 1 or month > 12 or day < 1:
        return C.REJ_BAD_METADATA, C.MISSING_TIME, -1, -1
    if day > days_in_month(year, month) or hour < 0 or hour > 23 or minute < 0 or minute > 59:
        return C.REJ_BAD_METADATA, C.MISSING_TIME, -1, -1
    if second < 0 or second > 60 or milli < 0 or milli > 999:
        return C.REJ_BAD_METADATA, C.MISSING_TIME, -1, -1
    seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    time_us = seconds * 1_000_000 + milli * 1000
    st_s = -1
    st_e = -1
    if n_fields > 11 and ends[11] > starts[11]:
        st_s = starts[11]
        st_e = ends[11]
    return C.NONE, time_us, st_s, st_e
