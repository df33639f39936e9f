"""Which reader handles which format (the NMEA decoder is imported only when needed)."""

from __future__ import annotations

from collections.abc import Iterator

from darkfleet.errors import InputError
from darkfleet.ingest.batch import Batch, ReadOptions, Source
from darkfleet.ingest.csv_readers import read_csv, read_parquet
from darkfleet.ingest.formats import TableLayout


def read_source(source: Source, fmt: str, layout: TableLayout | None, options: ReadOptions,
                exact: bool = False) -> Iterator[Batch]:
    """Batches of one source in its detected format.

    CSV sources are first read in a fast mode that may raise :class:`ExactPassNeeded`
    part-way; the caller then discards what it got and calls again with ``exact=True``.
    """
    if fmt == "nmea":
        try:
            from darkfleet.ingest.nmea import read_nmea
        except ImportError as exc:
            raise InputError(f"the NMEA decoder is not available ({exc}): reinstall darkfleet",
                             path=source.name) from exc
        return read_nmea(source, options)
    if fmt == "parquet":
        return read_parquet(source, layout, options)
    assert layout is not None, "tabular formats are detected with a layout"
    return read_csv(source, layout, options, exact=exact)
