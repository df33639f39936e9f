"""The line kernel: one pass over every line of a chunk.

It classifies each physical line (blank, comment, metadata, other sentence, reject) and
emits every valid VDM/VDO sentence with its fragment fields, payload offsets, time and
receiver. Metadata lines ($PGHP, tag-block-only lines like ``\\si:AISD*3F\\``) are held
as "pending" and attach to the next message (all fragments of it); several
tag-block+sentence pairs may share one physical line (Spire style).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from darkfleet.ingest.nmea import codes as C
from darkfleet.ingest.nmea.framing import parse_pghp, parse_sentence, parse_tag_block
from darkfleet.ingest.nmea.scan import fnv_hash, parse_epoch_us

_BACKSLASH = 92
_BANG = 33


@njit(cache=True)
def _is_digit(c):
    return 48 <= c <= 57


@njit(cache=True, nogil=True)  # nogil: two halves of a chunk may run in threads
def scan_lines(buf, starts, ends, max_sentences):
    """Classify lines ``buf[starts[i]:ends[i]]`` (newline excluded) and extract sentences.

    Returns (line_code, sentence columns..., n_sentences, pending_meta_line) where
    ``pending_meta_line`` is the first line of metadata not yet used by a message (-1).
    """
    n = starts.shape[0]
    line_code = np.zeros(n, np.int16)
    # small dtypes: these arrays are written once per sentence, fresh pages cost time
    s_line = np.empty(max_sentences, np.int32)  # chunks hold far fewer than 2**31 lines/bytes
    s_pay = np.empty((max_sentences, 2), np.int32)
    s_frag = np.empty((max_sentences, 4), np.int16)  # total, num, seq, fill
    s_chan = np.empty(max_sentences, np.int32)
    s_time = np.empty(max_sentences, np.int64)
    s_recv = np.empty((max_sentences, 3), np.int64)  # start, end, hash
    s_meta = np.empty(max_sentences, np.int32)
    ns = 0
    tag = np.empty(6, np.int64)  # parse_tag_block's output, reused
    # pending metadata: line, time, tag s:, PGHP station, tag si:
    p_line = -1
    p_time = C.MISSING_TIME
    p_s0 = p_s1 = p_st0 = p_st1 = p_si0 = p_si1 = -1
    for i in range(n):
        if p_line >= 0 and i - p_line > C.WINDOW_LINES:  # stale metadata: nothing used it
            p_line = -1
            p_time = C.MISSING_TIME
            p_s0 = p_s1 = p_st0 = p_st1 = p_si0 = p_si1 = -1
        a = starts[i]
        e = ends[i]
        if e - a > C.LINE_CAP_BYTES:
            line_code[i] = C.REJ_LINE_TOO_LONG
            continue
        while e > a and (buf[e - 1] == 13 or buf[e - 1] == 32 or buf[e - 1] == 9):
            e -= 1
        while a < e and (buf[a] == 32 or buf[a] == 9):
            a += 1
        if a == e:
            line_code[i] = C.SKIP_BLANK
            continue
        first = buf[a]
        if first == 35:  # '#'
            line_code[i] = C.SKIP_COMMENT
            continue
        if first == 36:  # '$'
            if e - a >= 5 and buf[a + 1] == 80 and buf[a + 2] == 71 and buf[a + 3] == 72 and buf[a + 4] == 80:
                code, t_us, st0, st1 = parse_pghp(buf, a, e)
                if code != C.NONE:
                    line_code[i] = code
                    continue
                line_code[i] = C.SKIP_METADATA
                if p_line < 0:
                    p_line = i
                if t_us != C.MISSING_TIME:
                    p_time = t_us
                p_st0 = st0  # a new $PGHP replaces the previous one's station
                p_st1 = st1
                continue
            printable = True
            for k in range(a, e):
                if buf[k] < 32 or buf[k] > 126:
                    printable = False
                    break
            line_code[i] = C.SKIP_OTHER_SENTENCE if printable and e - a > 6 else C.REJ_NOT_NMEA
            if printable:  # DMA writes a $PGHP before $PSTT status lines too: it belongs to them
                p_line = -1
                p_time = C.MISSING_TIME
                p_s0 = p_s1 = p_st0 = p_st1 = p_si0 = p_si1 = -1
            continue
        if first != _BACKSLASH and first != _BANG:
            line_code[i] = C.REJ_NOT_NMEA
            continue
        # tag-block + sentence pairs; tag fields carry to later sentences of the same line
        pos = a
        line_time = C.MISSING_TIME
        line_r0 = -1
        line_r1 = -1
        line_err = C.NONE
        line_sentences = 0
        while pos < e:
            own_time = C.MISSING_TIME
            own_r0 = -1
            own_r1 = -1
            if buf[pos] == _BACKSLASH:
                close = parse_tag_block(buf, pos + 1, e, tag)
                if tag[5] != C.NONE:
                    line_err = tag[5]
                    break
                own_time, own_r0, own_r1, si0, si1 = tag[0], tag[1], tag[2], tag[3], tag[4]
                pos = close + 1
                if pos >= e and line_sentences == 0:  # a tag-block-only line: metadata
                    line_code[i] = C.SKIP_METADATA
                    if p_line < 0:
                        p_line = i
                    if own_time != C.MISSING_TIME:
                        p_time = own_time
                    if own_r0 >= 0:
                        p_s0 = own_r0
                        p_s1 = own_r1
                    if si0 >= 0:
                        p_si0 = si0
                        p_si1 = si1
                    break
                if own_time != C.MISSING_TIME:
                    line_time = own_time
                if own_r0 >= 0:
                    line_r0 = own_r0
                    line_r1 = own_r1
                if pos >= e:
                    break
            if buf[pos] != _BANG:
                if line_sentences == 0:
                    line_err = C.REJ_NOT_NMEA
                break
            code, end, total, num, seq, chan, pay0, pay1, fill = parse_sentence(buf, pos, e)
            pos = end
            trailing_time = C.MISSING_TIME
            if pos < e and buf[pos] == 44 and code == C.NONE:  # ",1569888000" after the checksum
                t_end = pos + 1
                while t_end < e and (_is_digit(buf[t_end]) or buf[t_end] == 46):
                    t_end += 1
                trailing_time = parse_epoch_us(buf, pos + 1, t_end)
                if trailing_time == C.MISSING_TIME:
                    code = C.REJ_BAD_TIMESTAMP
                pos = t_end
            if code != C.NONE:
                if line_err == C.NONE:
                    line_err = code
                if code == C.REJ_NOT_NMEA:
                    break
            else:
                # a $PGHP (ms precision, receiving station clock) beats a trailing unix time
                t = line_time
                if t == C.MISSING_TIME:
                    t = p_time
                if t == C.MISSING_TIME:
                    t = trailing_time
                r0 = line_r0
                r1 = line_r1
                if r0 < 0:
                    r0, r1 = p_s0, p_s1
                if r0 < 0:
                    r0, r1 = p_st0, p_st1
                if r0 < 0:
                    r0, r1 = p_si0, p_si1
                s_line[ns] = i
                s_pay[ns, 0] = pay0
                s_pay[ns, 1] = pay1
                s_frag[ns, 0] = total
                s_frag[ns, 1] = num
                s_frag[ns, 2] = seq
                s_frag[ns, 3] = fill
                s_chan[ns] = chan
                s_time[ns] = t
                s_recv[ns, 0] = r0
                s_recv[ns, 1] = r1
                s_recv[ns, 2] = fnv_hash(buf, r0, r1) if r0 >= 0 else 0
                s_meta[ns] = p_line
                ns += 1
                line_sentences += 1
                if num == total:  # the message is complete: its metadata is used up
                    p_line = -1
                    p_time = C.MISSING_TIME
                    p_s0 = p_s1 = p_st0 = p_st1 = p_si0 = p_si1 = -1
            # only another tag block or sentence may follow; stray trailing bytes are ignored
            if pos < e and buf[pos] != _BACKSLASH and buf[pos] != _BANG:
                break
        if line_sentences == 0 and line_code[i] == C.NONE:
            line_code[i] = line_err if line_err != C.NONE else C.REJ_NOT_NMEA
    return (line_code, s_line[:ns], s_pay[:ns], s_frag[:ns], s_chan[:ns], s_time[:ns],
            s_recv[:ns], s_meta[:ns], p_line)
