"""The reassembly kernel: sentences -> messages, with multipart groups and orphans.

Fragments are grouped by (sequential id, channel, fragment count, receiver); a fragment
without any receiver information matches a group from any receiver (DMA writes the
$PGHP only before the first fragment; tag-block groups often give ``s:`` only on part 1).
Groups may interleave; a group not complete within ``WINDOW_LINES`` lines, or pushed out
when ``MAX_PENDING_GROUPS`` are open, becomes ``orphan_fragment`` rejects.

The kernel is stateless across chunks: it also returns a *cut*, the first line that a
still-open group or unused metadata depends on. The reader re-reads lines from the cut
with the next chunk, so chunking never changes the output.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from darkfleet.ingest.nmea import codes as C

_P = C.MAX_PENDING_GROUPS
_F = C.MAX_FRAGMENTS


@njit(cache=True)
def _remove_slot(k, n_active, slot_int, slot_sent):
    last = n_active - 1
    if k != last:
        slot_int[k, :] = slot_int[last, :]
        slot_sent[k, :] = slot_sent[last, :]
    return last


@njit(cache=True, nogil=True)  # nogil: two halves of a chunk may run in threads
def assemble(buf, n_lines, s_line, s_pay, s_frag, s_chan, s_time, s_recv, s_meta,
             pending_meta_line, is_final):
    """Reassemble messages. Returns (message columns..., line_msg, line_orphan, cut)."""
    ns = s_line.shape[0]
    m_line = np.empty(ns, np.int32)  # indexes and offsets of a chunk fit in 32 bits
    m_time = np.empty(ns, np.int64)
    m_recv = np.empty((ns, 2), np.int32)
    m_src = np.zeros(ns, np.uint8)  # 0: payload in buf (single sentence), 1: in ``joined``
    m_off = np.empty(ns, np.int32)
    m_nbits = np.empty(ns, np.int32)
    joined = np.empty(max(buf.shape[0], 1), np.uint8)  # multipart payloads (lazily paged in)
    n_joined = 0
    g_span = np.empty((ns, 2), np.int32)  # min line (incl. metadata), max line of each group
    line_msg = np.full(n_lines, -1, np.int32)
    line_orphan = np.zeros(n_lines, np.bool_)
    nm = 0
    ng = 0
    # open groups, kept compact in [0, n_active): key, receiver hash, mask, order, min line, first line
    slot_int = np.zeros((_P, 6), np.int64)
    slot_sent = np.full((_P, _F + 1), -1, np.int64)  # sentence index per fragment number
    n_active = 0
    order = 0
    for j in range(ns + 1):
        at_end = j == ns
        line = s_line[j] if not at_end else n_lines
        # evict groups that waited too long (and all of them at the end of the input)
        k = 0
        while k < n_active:
            if (at_end and is_final) or (not at_end and line - slot_int[k, 5] > C.WINDOW_LINES):
                ng = _orphan(k, slot_int, slot_sent, s_line, line_orphan, g_span, ng)
                n_active = _remove_slot(k, n_active, slot_int, slot_sent)
            else:
                k += 1
        if at_end:
            break
        total = s_frag[j, 0]
        num = s_frag[j, 1]
        meta = s_meta[j]
        low = line if meta < 0 else min(line, meta)
        if total == 1:  # the payload stays where it is in buf: no copy
            m_line[nm] = line
            m_time[nm] = s_time[j]
            m_recv[nm, 0] = s_recv[j, 0]
            m_recv[nm, 1] = s_recv[j, 1]
            m_off[nm] = s_pay[j, 0]
            m_nbits[nm] = 6 * (s_pay[j, 1] - s_pay[j, 0]) - s_frag[j, 3]
            for_line = s_line[j]
            if line_msg[for_line] < 0:
                line_msg[for_line] = nm
            g_span[ng, 0] = low
            g_span[ng, 1] = line
            nm += 1
            ng += 1
            continue
        key = (s_frag[j, 2] * 31 + total) * 1000003 + s_chan[j]
        recv = s_recv[j, 2]
        found = -1
        best = -1
        for k in range(n_active):
            if slot_int[k, 0] == key and (slot_int[k, 1] == recv or slot_int[k, 1] == 0 or recv == 0):
                if slot_int[k, 3] > best:
                    best = slot_int[k, 3]
                    found = k
        if found >= 0 and slot_sent[found, num] >= 0:  # duplicate part: the old group is broken
            ng = _orphan(found, slot_int, slot_sent, s_line, line_orphan, g_span, ng)
            n_active = _remove_slot(found, n_active, slot_int, slot_sent)
            found = -1
        if found < 0:
            if n_active == _P:
                oldest = 0
                for k in range(1, n_active):
                    if slot_int[k, 3] < slot_int[oldest, 3]:
                        oldest = k
                ng = _orphan(oldest, slot_int, slot_sent, s_line, line_orphan, g_span, ng)
                n_active = _remove_slot(oldest, n_active, slot_int, slot_sent)
            found = n_active
            n_active += 1
            slot_int[found, 0] = key
            slot_int[found, 1] = recv
            slot_int[found, 2] = 0
            slot_int[found, 4] = low
            slot_int[found, 5] = line
            slot_sent[found, :] = -1
        slot_int[found, 3] = order
        order += 1
        if slot_int[found, 1] == 0:
            slot_int[found, 1] = recv
        slot_int[found, 2] |= 1 << num
        slot_int[found, 4] = min(slot_int[found, 4], low)
        slot_sent[found, num] = j
        if slot_int[found, 2] == (1 << (total + 1)) - 2:
            last_fill = s_frag[slot_sent[found, total], 3]
            n_joined = _join(buf, slot_sent[found], total, s_pay, s_time, s_recv, s_line, last_fill, joined,
                  n_joined, m_line, m_time, m_recv, m_off, m_nbits, nm)
            m_src[nm] = 1
            hi = 0
            for f in range(1, total + 1):
                fl = s_line[slot_sent[found, f]]
                hi = max(hi, fl)
                if line_msg[fl] < 0:
                    line_msg[fl] = nm
            g_span[ng, 0] = slot_int[found, 4]
            g_span[ng, 1] = hi
            nm += 1
            ng += 1
            n_active = _remove_slot(found, n_active, slot_int, slot_sent)
    cut = _cut(n_lines, is_final, pending_meta_line, slot_int, n_active, g_span[:ng])
    return (m_line[:nm], m_time[:nm], m_recv[:nm], m_src[:nm], m_off[:nm], m_nbits[:nm],
            joined[:n_joined], line_msg, line_orphan, cut)


@njit(cache=True)
def _orphan(k, slot_int, slot_sent, s_line, line_orphan, g_span, ng):
    lo = slot_int[k, 4]
    hi = lo
    for f in range(1, _F + 1):
        j = slot_sent[k, f]
        if j >= 0:
            line_orphan[s_line[j]] = True
            hi = max(hi, s_line[j])
    g_span[ng, 0] = lo
    g_span[ng, 1] = hi
    return ng + 1


@njit(cache=True)
def _join(buf, sents, total, s_pay, s_time, s_recv, s_line, last_fill, joined, out, m_line,
          m_time, m_recv, m_off, m_nbits, nm):
    """Write message ``nm`` from fragments ``sents[1..total]``, its payload copied to
    ``joined[out:]``; returns the new end of ``joined``."""
    m_off[nm] = out
    m_line[nm] = s_line[sents[1]]
    m_time[nm] = C.MISSING_TIME
    m_recv[nm, 0] = -1
    m_recv[nm, 1] = -1
    for f in range(1, total + 1):
        j = sents[f]
        for k in range(s_pay[j, 0], s_pay[j, 1]):
            joined[out] = buf[k]
            out += 1
        if m_time[nm] == C.MISSING_TIME:
            m_time[nm] = s_time[j]
        if m_recv[nm, 0] < 0 and s_recv[j, 0] >= 0:
            m_recv[nm, 0] = s_recv[j, 0]
            m_recv[nm, 1] = s_recv[j, 1]
    m_nbits[nm] = 6 * (out - m_off[nm]) - last_fill
    return out


@njit(cache=True)
def _cut(n_lines, is_final, pending_meta_line, slot_int, n_active, g_span):
    """First line that must be re-read with the next chunk (``n_lines`` if none)."""
    if is_final:
        return n_lines
    cut = n_lines
    if pending_meta_line >= 0:
        cut = pending_meta_line
    for k in range(n_active):
        cut = min(cut, slot_int[k, 4])
    changed = True
    while changed:  # a finished group straddling the cut must be re-read whole
        changed = False
        for g in range(g_span.shape[0] - 1, -1, -1):
            if g_span[g, 1] >= cut and g_span[g, 0] < cut:
                cut = g_span[g, 0]
                changed = True
    return cut
