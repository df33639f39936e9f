"""Events held in memory by each server process, in page order, filtered with NumPy.

The store is read-only while it is served, and even 100 M positions come with only hundreds of
thousands of events. Scanning, filtering and top-N sorting them in DuckDB cost 10-100 ms of CPU
per page (the ORDER BY cannot use the storage order); here a page is a binary search for the
cursor and end time plus vectorised masks over the rows from there, stopping once it is full.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from darkfleet.serve.cache import render_json
from darkfleet.serve.params import encode_cursor, epoch_us

NO_TIME_US = np.iinfo(np.int64).min  # a missing time never passes a time filter
NO_MMSI = -1

_ISO_UTC = """CASE WHEN epoch_us({c}) % 1000000 = 0 THEN strftime({c}, '%Y-%m-%dT%H:%M:%S+00:00')
    ELSE strftime({c}, '%Y-%m-%dT%H:%M:%S.%f+00:00') END"""  # as Python's isoformat() writes it
_FINITE = "CASE WHEN isnan({c}) THEN NULL ELSE {c} END"

# Each event rendered to JSON once, by DuckDB, exactly as report.records.event_records renders it;
# a page is then a join of ready-made strings. Page order: start time (missing first, as the epoch),
# then event_id; the helper columns are what the filters read.
_LOAD_SQL = f"""
SELECT json_object(
           'event_id', event_id, 'event_type', event_type, 'mmsi', mmsi, 'other_mmsi', other_mmsi,
           'start_utc', {_ISO_UTC.format(c="start_utc")}, 'end_utc', {_ISO_UTC.format(c="end_utc")},
           'lat', {_FINITE.format(c="lat")}, 'lon', {_FINITE.format(c="lon")},
           'confidence', {_FINITE.format(c="confidence")}, 'in_port', in_port,
           'details', CASE WHEN details IS NULL OR details = '' THEN '{{}}'::JSON
                           WHEN json_valid(details) THEN details::JSON
                           ELSE json_object('unparsed', details, 'error', 'details is not valid JSON') END,
           'start_ms', epoch_ms(start_utc), 'end_ms', epoch_ms(end_utc))::VARCHAR AS _json,
       event_id, event_type, mmsi, other_mmsi, CAST(lat AS DOUBLE) AS lat, CAST(lon AS DOUBLE) AS lon,
       CAST(confidence AS DOUBLE) AS confidence,
       epoch_us(coalesce(start_utc, TIMESTAMPTZ '1970-01-01 00:00:00+00')) AS _key_us,
       coalesce(epoch_us(coalesce(end_utc, start_utc)), {NO_TIME_US}) AS _end_us,
       start_utc IS NOT NULL AS _has_start
FROM events
ORDER BY _key_us, event_id
"""
FIRST_CHUNK_ROWS = 16_384  # rows masked before checking whether the page is full (doubles each time)


def _ints(column: pa.ChunkedArray, fill: int) -> np.ndarray:
    return pc.fill_null(column, fill).to_numpy().astype(np.int64, copy=False)


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    return pc.fill_null(pc.cast(column, pa.float64()), float("nan")).to_numpy()


class EventIndex:
    """Every event of the store as NumPy columns sorted by (start, event_id)."""

    def __init__(self, sorted_events: pa.Table) -> None:
        # one chunk: take() over DuckDB's many small record batches costs more than the whole filter
        self.json = sorted_events["_json"].combine_chunks()
        self.key_us = _ints(sorted_events["_key_us"], 0)
        self.end_us = _ints(sorted_events["_end_us"], NO_TIME_US)
        self.has_start = sorted_events["_has_start"].to_numpy(zero_copy_only=False)
        self.event_id = np.asarray(sorted_events["event_id"].to_pylist(), dtype=object)
        types = pc.dictionary_encode(sorted_events["event_type"].combine_chunks())
        self.type_names = types.dictionary.to_pylist()
        self.type_code = pc.fill_null(types.indices, -1).to_numpy().astype(np.int16)
        self.mmsi = _ints(sorted_events["mmsi"], NO_MMSI)
        self.other_mmsi = _ints(sorted_events["other_mmsi"], NO_MMSI)
        self.lat = _floats(sorted_events["lat"])
        self.lon = _floats(sorted_events["lon"])
        self.confidence = _floats(sorted_events["confidence"])
        # rows of each vessel (as mmsi or other_mmsi), grouped by MMSI, rows ascending = page order
        owner = np.concatenate([self.mmsi, self.other_mmsi])
        rows = np.concatenate([np.arange(self.mmsi.size)] * 2)
        known = owner != NO_MMSI
        order = np.lexsort((rows[known], owner[known]))
        self._vessel_mmsi = owner[known][order]
        self._vessel_rows = rows[known][order]

    @classmethod
    def load(cls, cur: duckdb.DuckDBPyConnection) -> "EventIndex":
        return cls(cur.sql(_LOAD_SQL).to_arrow_table())

    @property
    def size(self) -> int:
        return int(self.key_us.size)

    def vessel_rows(self, mmsi: int) -> np.ndarray:
        lo, hi = np.searchsorted(self._vessel_mmsi, [mmsi, mmsi + 1])
        return np.unique(self._vessel_rows[lo:hi])  # an event with mmsi == other_mmsi is listed once

    def _bounds(self, flt: Any) -> tuple[int, int]:
        """Rows [lo, hi) that can be on the page: after the cursor, starting at or before ``end``."""
        lo, hi = 0, self.size
        if flt.end is not None:
            hi = int(np.searchsorted(self.key_us, epoch_us(flt.end), side="right"))
        if flt.after is not None:
            after_start, event_id = flt.after
            key_us = epoch_us(after_start)
            lo = int(np.searchsorted(self.key_us, key_us, side="left"))
            same_key_end = int(np.searchsorted(self.key_us, key_us, side="right"))
            lo += int(np.searchsorted(self.event_id[lo:same_key_end], event_id, side="right"))
        return lo, max(lo, hi)

    def _mask(self, flt: Any, rows: slice | np.ndarray) -> np.ndarray:
        keep = np.ones(self.key_us[rows].size, dtype=bool)
        if flt.types:
            codes = [self.type_names.index(t) for t in flt.types if t in self.type_names]
            keep &= np.isin(self.type_code[rows], codes)
        if flt.bbox is not None:
            b, lon = flt.bbox, self.lon[rows]
            lon_in = ((lon >= b.lon_min_deg) | (lon <= b.lon_max_deg)) if b.crosses_antimeridian else (
                (lon >= b.lon_min_deg) & (lon <= b.lon_max_deg))
            lat = self.lat[rows]
            keep &= lon_in & (lat >= b.lat_min_deg) & (lat <= b.lat_max_deg)
        if flt.start is not None:
            keep &= self.end_us[rows] >= epoch_us(flt.start)
        if flt.end is not None:
            keep &= self.has_start[rows]
        if flt.mmsi is not None:
            keep &= (self.mmsi[rows] == flt.mmsi) | (self.other_mmsi[rows] == flt.mmsi)
        if flt.min_confidence is not None:
            keep &= self.confidence[rows] >= flt.min_confidence
        return keep

    def matching_rows(self, flt: Any, limit: int) -> np.ndarray:
        """Row numbers of the first ``limit`` events passing ``flt``, in page order."""
        lo, hi = self._bounds(flt)
        if flt.mmsi is not None:  # one vessel's rows are few: mask those instead of the whole range
            rows = self.vessel_rows(flt.mmsi)
            rows = rows[(rows >= lo) & (rows < hi)]
            return rows[self._mask(flt, rows)][:limit]
        found: list[np.ndarray] = []
        n_found, pos, chunk = 0, lo, FIRST_CHUNK_ROWS
        while pos < hi and n_found < limit:
            stop = min(pos + chunk, hi)
            hits = np.flatnonzero(self._mask(flt, slice(pos, stop))) + pos
            found.append(hits)
            n_found += hits.size
            pos, chunk = stop, chunk * 2
        return np.concatenate(found)[:limit] if found else np.zeros(0, dtype=np.int64)

    def json_array(self, rows: np.ndarray) -> bytes:
        """The JSON array of the events at ``rows``, joined from their pre-rendered texts."""
        taken = self.json.take(pa.array(rows, type=pa.int64()))
        joined = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(taken)], pa.int32()), taken), ",")
        return b"[" + (joined[0].as_py() or "").encode() + b"]"

    def page(self, flt: Any, limit: int) -> bytes:
        """The ``/api/events`` response body: one page, and the cursor of the next when there is one."""
        rows = self.matching_rows(flt, limit + 1)  # one extra row says whether another page exists
        next_cursor = None
        if rows.size > limit:
            rows = rows[:limit]
            last = int(rows[-1])
            next_cursor = encode_cursor(int(self.key_us[last]), self.event_id[last])
        return splice_json({"next_cursor": next_cursor, "count": int(rows.size)}, "items", self.json_array(rows))


def splice_json(fields: dict[str, Any], key: str, raw_json: bytes) -> bytes:
    """``fields`` as a JSON object with ``key`` set to already-rendered JSON (not parsed and re-encoded)."""
    head = render_json(fields)
    return head[:-1] + (b"," if fields else b"") + render_json(key) + b":" + raw_json + b"}"
