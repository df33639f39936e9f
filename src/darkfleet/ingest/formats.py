"""Format auto-detection by sniffing the first few KB of each source.

Formats: ``nmea`` (AIVDM/AIVDO sentences, tag blocks, ``$PGHP``), ``noaa``
(MarineCadastre CSV), ``dma`` (aisdk CSV, ``# Timestamp,Type of mobile,...``), ``csv``
(any CSV whose header names the four required fields, or mapped with ``--columns``) and
``parquet``. Tabular formats come with a :class:`TableLayout` saying which input column
feeds which canonical field.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from darkfleet.errors import InputError
from darkfleet.ingest.batch import ReadOptions, Source
from darkfleet.ingest.sources import head_bytes

FORMATS = ("nmea", "noaa", "dma", "csv", "parquet")
REQUIRED = ("mmsi", "timestamp", "lat", "lon")
STATIC_REQUIRED = ("mmsi", "timestamp")  # a static/voyage-only table (e.g. a vessel register export)
STATIC_FIELDS = ("imo", "name", "callsign", "ship_type", "draught", "destination", "eta", "length", "width")
# Canonical fields a tabular layout may map (see docs/schema.md).
FIELDS = REQUIRED + ("sog", "cog", "heading", "nav_status", "msg_type") + STATIC_FIELDS
COLUMNS_HINT = "pass --columns mmsi=..,timestamp=..,lat=..,lon=.. naming this file's columns"

_NMEA = re.compile(rb"(^|[\\,\s])[!$][A-Z]{2}VD[MO],|\$PGHP|^\\[a-zA-Z]:", re.MULTILINE)


@dataclass(frozen=True)
class TableLayout:
    """How a tabular file maps onto the canonical fields."""

    kind: str  # noaa | dma | csv | parquet
    columns: dict[str, str]  # canonical field -> input column name
    time_format: str | None = None  # strptime pattern; None = ISO 8601 / unix epoch
    text_codes: bool = False  # DMA writes nav status, ship type and class as words
    extra: dict[str, str] = field(default_factory=dict)


NOAA_COLUMNS = {
    "mmsi": "MMSI", "timestamp": "BaseDateTime", "lat": "LAT", "lon": "LON", "sog": "SOG",
    "cog": "COG", "heading": "Heading", "nav_status": "Status", "msg_type": "TransceiverClass",
    "imo": "IMO", "name": "VesselName", "callsign": "CallSign", "ship_type": "VesselType",
    "draught": "Draft", "length": "Length", "width": "Width",
}
DMA_COLUMNS = {
    "mmsi": "MMSI", "timestamp": "# Timestamp", "lat": "Latitude", "lon": "Longitude", "sog": "SOG",
    "cog": "COG", "heading": "Heading", "nav_status": "Navigational status", "msg_type": "Type of mobile",
    "imo": "IMO", "name": "Name", "callsign": "Callsign", "ship_type": "Ship type",
    "draught": "Draught", "destination": "Destination", "eta": "ETA", "length": "Length", "width": "Width",
}
NOAA_LAYOUT = TableLayout("noaa", NOAA_COLUMNS)
DMA_LAYOUT = TableLayout("dma", DMA_COLUMNS, time_format="%d/%m/%Y %H:%M:%S", text_codes=True)

# Header names (lower case, spaces/dashes as underscores) recognised for generic CSV/Parquet.
ALIASES: dict[str, tuple[str, ...]] = {
    "mmsi": ("mmsi", "userid", "user_id", "mmsi_id", "shipid"),
    "timestamp": ("timestamp_utc", "timestamp", "time", "basedatetime", "datetime", "date_time",
                  "time_utc", "ts", "received_at", "msgtime", "#_timestamp"),
    "lat": ("lat", "latitude", "latitude_degrees", "lat_deg", "y"),
    "lon": ("lon", "longitude", "longitude_degrees", "lon_deg", "long", "lng", "x"),
    "sog": ("sog_kn", "sog", "sog_knots", "speed", "speed_kn", "speed_knots"),
    "cog": ("cog_deg", "cog", "cog_degrees", "course", "course_deg"),
    "heading": ("heading_deg", "heading", "true_heading", "trueheading", "hdg"),
    "nav_status": ("nav_status", "navstatus", "status", "navigational_status"),
    "msg_type": ("msg_type", "message_type", "msgtype", "transceiverclass", "transceiver_class"),
    "imo": ("imo", "imo_number"),
    "name": ("name", "vessel_name", "vesselname", "shipname", "ship_name"),
    "callsign": ("callsign", "call_sign"),
    "ship_type": ("ship_type", "shiptype", "vessel_type", "vesseltype"),
    "draught": ("draught_m", "draught", "draft", "draft_m"),
    "destination": ("destination",),
    "eta": ("eta_utc", "eta"),
    "length": ("length_m", "length"),
    "width": ("width_m", "width", "beam"),
}


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def map_columns(header: list[str], explicit: dict[str, str] | None) -> dict[str, str] | None:
    """Canonical -> input column for ``header``; None when a required field is missing."""
    by_norm = {_norm(col): col for col in header}
    mapping: dict[str, str] = {}
    for canonical, aliases in ALIASES.items():
        found = next((by_norm[a] for a in aliases if a in by_norm), None)
        if found is not None:
            mapping[canonical] = found
    if explicit:
        unknown = sorted(set(explicit) - set(FIELDS))
        if unknown:
            raise InputError(f"--columns names unknown field(s) {unknown}; known: {', '.join(FIELDS)}")
        missing = sorted(col for col in explicit.values() if col not in header)
        if missing:
            raise InputError(f"--columns names column(s) {missing} that the file does not have; it has {header}")
        mapping.update(explicit)
    if all(req in mapping for req in REQUIRED):
        return mapping
    return mapping if is_static_only(mapping) else None


def is_static_only(mapping: dict[str, str]) -> bool:
    """A table with no position columns but with time-stamped static/voyage fields."""
    has_static = any(name in mapping for name in STATIC_FIELDS)
    no_position = "lat" not in mapping and "lon" not in mapping
    return has_static and no_position and all(req in mapping for req in STATIC_REQUIRED)


def required_fields(mapping: dict[str, str]) -> tuple[str, ...]:
    """Fields a row of this table must carry to be decoded."""
    return STATIC_REQUIRED if is_static_only(mapping) else REQUIRED


def csv_header(head: bytes) -> list[str]:
    """Column names from the first line of a CSV head (BOM stripped)."""
    first = head.decode("utf-8-sig", errors="replace").splitlines()[0] if head.strip() else ""
    return next(csv.reader(io.StringIO(first)), [])


def _check_text(source: Source, head: bytes) -> None:
    if not head.strip():
        raise InputError("file is empty: nothing to ingest, remove it from the inputs", path=source.name)
    sample = head[:1024]
    controls = sum(b < 9 or 13 < b < 32 for b in sample)
    # a stray NUL in one data line is that line's problem (quarantined later), not the file's
    first_line = sample.split(b"\n", 1)[0]
    if b"\x00" in first_line or controls > len(sample) // 20:
        raise InputError("file is binary, not AIS text: pass NMEA, CSV or Parquet (or a .gz/.bz2/.zip of them)",
                         path=source.name)


def _tabular_layout(source: Source, head: bytes, options: ReadOptions) -> TableLayout:
    header = csv_header(head)
    if options.format in ("auto", "dma") and any(col.strip() == "# Timestamp" for col in header):
        return DMA_LAYOUT
    if options.format in ("auto", "noaa") and {"MMSI", "BaseDateTime", "LAT", "LON"} <= set(header):
        return NOAA_LAYOUT
    if options.format in ("noaa", "dma"):
        raise InputError(f"header does not look like {options.format.upper()} CSV ({header[:6]}...): "
                         f"use --format csv and {COLUMNS_HINT}", path=source.name)
    mapping = map_columns(header, options.columns)
    if mapping is None:
        raise InputError(f"unknown CSV layout (columns {header[:8]}): {COLUMNS_HINT}", path=source.name)
    return TableLayout("csv", mapping)


def detect(source: Source, options: ReadOptions) -> tuple[str, TableLayout | None]:
    """(format, layout) for ``source``; raises :class:`InputError` when unusable."""
    head = head_bytes(source)
    if not head:
        raise InputError("file is empty: nothing to ingest, remove it from the inputs", path=source.name)
    if head.startswith(b"PAR1"):
        if options.format not in ("auto", "parquet"):
            raise InputError(f"file is Parquet, not {options.format}: use --format parquet", path=source.name)
        return "parquet", None  # the layout needs the Parquet schema: resolved by the reader
    _check_text(source, head)
    if options.format == "nmea" or (options.format == "auto" and _NMEA.search(head)):
        return "nmea", None
    if options.format == "parquet":
        raise InputError("file is not Parquet (no PAR1 magic): pass the right --format", path=source.name)
    layout = _tabular_layout(source, head, options)
    return layout.kind, layout
