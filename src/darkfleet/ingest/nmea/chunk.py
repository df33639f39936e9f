"""Decode one chunk of lines: the kernels, then the Batch tables."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from darkfleet.ingest.batch import Batch
from darkfleet.ingest.nmea import codes as C
from darkfleet.ingest.nmea.lines import scan_lines
from darkfleet.ingest.nmea.messages import decode_messages
from darkfleet.ingest.nmea.multipart import assemble
from darkfleet.ingest.nmea.tables import (
    counts_from,
    final_line_codes,
    position_table,
    reject_table,
    static_table,
)
from darkfleet.ingest.nmea.text import span_column


def decode_chunk(
    buf: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    n_sentences_max: int,
    *,
    is_final: bool,
    line_no0: int,
    source_id: int,
    assume_time_us: int | None,
) -> tuple[Batch, int]:
    """Decode lines ``buf[starts[i]:ends[i]]``; returns the batch and the cut.

    ``n_sentences_max`` bounds the sentences in the chunk (its count of '!'). Only lines
    before the cut are in the batch: later ones belong to a multipart group or metadata
    that may continue in the next chunk and must be read again with it.
    """
    n_lines = starts.shape[0]
    line_code, s_line, s_pay, s_frag, s_chan, s_time, s_recv, s_meta, meta_line = scan_lines(
        buf, starts, ends, n_sentences_max
    )
    m_line, m_time, m_recv, m_src, m_off, m_nbits, joined, line_msg, line_orphan, cut = assemble(
        buf, n_lines, s_line, s_pay, s_frag, s_chan, s_time, s_recv, s_meta, meta_line, is_final
    )
    assume = C.MISSING_TIME if assume_time_us is None else assume_time_us
    (outcome, n_pos, p_cols, n_static, s_key, s_f, s_i, name, callsign, destination) = decode_messages(
        buf, joined, m_src, m_off, m_nbits, m_line, m_time, m_recv, cut, assume, line_no0 + 1
    )
    codes, hist = final_line_codes(line_code, line_msg, line_orphan, outcome, cut)
    spans = p_cols[10][:n_pos]
    receiver = span_column(buf, spans) if (spans[:, 0] >= 0).any() else pa.nulls(n_pos, pa.string())
    positions = position_table(p_cols, n_pos, receiver, source_id)
    static = static_table(s_key[:n_static], s_f[:n_static], s_i[:n_static], name[:n_static],
                          callsign[:n_static], destination[:n_static], line_no0, source_id)
    rejects = reject_table(buf, starts, ends, codes, line_no0, source_id)
    return Batch(positions, static, rejects, counts_from(hist, n_pos, n_static)), int(cut)
