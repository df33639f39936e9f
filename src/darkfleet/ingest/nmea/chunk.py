"""Decode one chunk of lines: the three kernels, then the Batch tables."""

from __future__ import annotations

import numpy as np

from darkfleet.ingest.batch import Batch
from darkfleet.ingest.nmea import codes as C
from darkfleet.ingest.nmea.lines import scan_lines
from darkfleet.ingest.nmea.messages import decode_messages
from darkfleet.ingest.nmea.multipart import assemble
from darkfleet.ingest.nmea.tables import (
    count_lines,
    line_outcomes,
    position_table,
    reject_table,
    static_table,
)
from darkfleet.ingest.nmea.text import span_column


def decode_chunk(
    buf: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    *,
    is_final: bool,
    line_no0: int,
    source_id: int,
    assume_time_us: int | None,
) -> tuple[Batch, int]:
    """Decode lines ``buf[starts[i]:ends[i]]``; returns the batch and the cut.

    Only lines before the cut are in the batch: later ones belong to a multipart group or
    metadata that may continue in the next chunk and must be read again with it.
    """
    n_lines = starts.shape[0]
    max_sentences = int(np.count_nonzero(buf == 33))  # every sentence starts with '!'
    line_code, s_line, s_pay, s_frag, s_chan, s_time, s_recv, s_meta, meta_line = scan_lines(
        buf, starts, ends, max_sentences
    )
    m_line, m_time, m_recv, m_off, m_nbits, pay6, line_msg, line_orphan, cut = assemble(
        buf, n_lines, s_line, s_pay, s_frag, s_chan, s_time, s_recv, s_meta, meta_line, is_final
    )
    dec = decode_messages(pay6, m_off, m_nbits)
    outcome = dec[0]
    no_time = m_time == C.MISSING_TIME
    if assume_time_us is not None:
        m_time = np.where(no_time, assume_time_us, m_time)
    else:
        usable = (outcome >= C.MSG_POSITION) & (outcome <= C.MSG_POSITION_AND_STATIC)
        outcome[no_time & usable] = C.REJ_NO_TIMESTAMP
    kept = m_line < cut
    codes = line_outcomes(line_code[:cut], line_msg[:cut], line_orphan[:cut], outcome)
    line_no = line_no0 + m_line + 1
    pos_rows = np.flatnonzero(kept & ((outcome == C.MSG_POSITION) | (outcome == C.MSG_POSITION_AND_STATIC)))
    static_rows = np.flatnonzero(kept & ((outcome == C.MSG_STATIC) | (outcome == C.MSG_POSITION_AND_STATIC)))
    receiver = span_column(buf, m_recv[pos_rows])
    positions = position_table(pos_rows, dec, m_time, receiver, line_no, source_id)
    static = static_table(static_rows, dec, m_time, line_no, source_id)
    raw_ends = ends[:cut].copy()
    has_cr = (raw_ends > starts[:cut]) & (buf[np.maximum(raw_ends - 1, 0)] == 13)
    raw_ends[has_cr] -= 1  # the raw text shows the line without its CRLF
    line_spans = np.stack([starts[:cut], raw_ends], axis=1)
    rejects = reject_table(buf, line_spans, codes, line_no0, source_id)
    counts = count_lines(codes, positions.num_rows, static.num_rows)
    return Batch(positions, static, rejects, counts), int(cut)
