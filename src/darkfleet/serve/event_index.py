"""Events held in memory by each server process, in page order, filtered by a compiled scan.

The store is read-only while it is served, and even 100 M positions come with only hundreds of
thousands of events. Scanning, filtering and top-N sorting them in DuckDB cost 10-100 ms of CPU
per page (the ORDER BY cannot use the storage order); here a page is a binary search for the
cursor and the time window, then one pass over the rows from there (or over the rows of the one
vessel or event type asked for) that tests every filter and stops once the page is full.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit

from darkfleet.serve.cache import render_json
from darkfleet.serve.json_rows import JsonRows
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
FROM (SELECT * FROM events ORDER BY epoch_us(coalesce(start_utc, TIMESTAMPTZ '1970-01-01 00:00:00+00')), event_id)
"""  # sorted before rendering: the sort then holds the rows, not their (larger) JSON texts as well


def _ints(column: pa.ChunkedArray, fill: int) -> np.ndarray:
    return pc.fill_null(column, fill).to_numpy().astype(np.int64, copy=False)


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    return pc.fill_null(pc.cast(column, pa.float64()), float("nan")).to_numpy()


@njit(cache=True)
def _scan(candidates: np.ndarray, use_candidates: bool, lo: int, hi: int, limit: int,
          type_code: np.ndarray, type_ok: np.ndarray, by_type: bool,
          lon: np.ndarray, lat: np.ndarray, bbox: np.ndarray, by_bbox: bool,
          end_us: np.ndarray, start_us: int, by_start: bool, has_start: np.ndarray, by_end: bool,
          mmsi: np.ndarray, other_mmsi: np.ndarray, vessel: int, by_vessel: bool,
          confidence: np.ndarray, min_confidence: float, by_confidence: bool) -> np.ndarray:
    # one pass over the rows in page order, every filter per row, stopping at `limit` hits: a page of a
    # common type ends after a few hundred rows, and no temporary mask is built for the rows never reached.
    # Comparisons with NaN are false, so a missing lat/lon/confidence never passes its filter.
    found = np.empty(limit, dtype=np.int64)
    n_found = 0
    n = candidates.size if use_candidates else hi - lo
    crosses = bbox[0] > bbox[2]
    for k in range(n):
        if n_found == limit:
            break
        i = candidates[k] if use_candidates else lo + k
        if by_type and not type_ok[type_code[i]]:
            continue
        if by_bbox:
            if not (lat[i] >= bbox[1] and lat[i] <= bbox[3]):
                continue
            if crosses:
                if not (lon[i] >= bbox[0] or lon[i] <= bbox[2]):
                    continue
            elif not (lon[i] >= bbox[0] and lon[i] <= bbox[2]):
                continue
        if by_start and end_us[i] < start_us:
            continue
        if by_end and not has_start[i]:
            continue
        if by_vessel and mmsi[i] != vessel and other_mmsi[i] != vessel:
            continue
        if by_confidence and not confidence[i] >= min_confidence:
            continue
        found[n_found] = i
        n_found += 1
    return found[:n_found]


class EventIndex:
    """Every event of the store as NumPy columns sorted by (start, event_id)."""

    def __init__(self, sorted_events: pa.Table) -> None:
        self.json = JsonRows.from_arrow(sorted_events["_json"])
        self.key_us = _ints(sorted_events["_key_us"], 0)
        self.end_us = _ints(sorted_events["_end_us"], NO_TIME_US)
        # events before the first row whose running maximum end reaches `start` all ended before it
        self._max_end_us = np.maximum.accumulate(self.end_us) if self.end_us.size else self.end_us
        self.has_start = sorted_events["_has_start"].to_numpy(zero_copy_only=False)
        self.event_id = np.asarray(sorted_events["event_id"].to_pylist(), dtype=object)
        types = pc.dictionary_encode(sorted_events["event_type"].combine_chunks())
        self.type_names = types.dictionary.to_pylist()
        # code 0 is a missing type, which no type filter matches
        self.type_code = pc.fill_null(pc.add(types.indices.cast(pa.int32()), 1), 0).to_numpy().astype(np.int32)
        self._type_rows = [np.flatnonzero(self.type_code == code) for code in range(len(self.type_names) + 1)]
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
        """Rows [lo, hi) that can be on the page: after the cursor and ``start``, starting at or before ``end``."""
        lo, hi = 0, self.size
        if flt.end is not None:
            hi = int(np.searchsorted(self.key_us, epoch_us(flt.end), side="right"))
        if flt.start is not None:
            lo = int(np.searchsorted(self._max_end_us, epoch_us(flt.start), side="left"))
        if flt.after is not None:
            after_start, event_id = flt.after
            key_us = epoch_us(after_start)
            after = int(np.searchsorted(self.key_us, key_us, side="left"))
            same_key_end = int(np.searchsorted(self.key_us, key_us, side="right"))
            after += int(np.searchsorted(self.event_id[after:same_key_end], event_id, side="right"))
            lo = max(lo, after)
        return lo, max(lo, hi)

    def _candidates(self, flt: Any, codes: list[int]) -> np.ndarray | None:
        """The rows a page can only come from, when one vessel or one type narrows them (ascending)."""
        if flt.mmsi is not None:
            return self.vessel_rows(flt.mmsi)
        if flt.types and len(codes) == 1:
            return self._type_rows[codes[0]]
        return None

    def matching_rows(self, flt: Any, limit: int) -> np.ndarray:
        """Row numbers of the first ``limit`` events passing ``flt``, in page order."""
        lo, hi = self._bounds(flt)
        codes = sorted({self.type_names.index(t) + 1 for t in flt.types or () if t in self.type_names})
        if flt.types and not codes:
            return np.zeros(0, dtype=np.int64)
        candidates = self._candidates(flt, codes)
        if candidates is not None:
            candidates = candidates[np.searchsorted(candidates, lo):np.searchsorted(candidates, hi)]
        type_ok = np.zeros(len(self.type_names) + 1, dtype=np.bool_)
        type_ok[codes] = True
        b = flt.bbox
        bbox = np.array([b.lon_min_deg, b.lat_min_deg, b.lon_max_deg, b.lat_max_deg] if b else [0.0] * 4)
        return _scan(
            candidates if candidates is not None else self._type_rows[0], candidates is not None, lo, hi, limit,
            self.type_code, type_ok, bool(flt.types), self.lon, self.lat, bbox, b is not None,
            self.end_us, epoch_us(flt.start) if flt.start else 0, flt.start is not None, self.has_start, flt.end is not None,
            self.mmsi, self.other_mmsi, int(flt.mmsi if flt.mmsi is not None else NO_MMSI), flt.mmsi is not None,
            self.confidence, float(flt.min_confidence or 0.0), flt.min_confidence is not None,
        )

    def json_array(self, rows: np.ndarray) -> bytes:
        """The JSON array of the events at ``rows``, joined from their pre-rendered texts."""
        return self.json.array(rows)

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
