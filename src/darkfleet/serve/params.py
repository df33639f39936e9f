"""Parsing and validation of API query parameters (pure functions, no I/O).

Every failure raises :class:`darkfleet.errors.InputError` with ``parameter=`` so the API's
single error shape tells the caller which parameter to fix.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from darkfleet.errors import InputError

MAX_TRACK_SPAN = timedelta(days=31)


def parse_time(value: str | None, parameter: str) -> datetime | None:
    """ISO 8601 date or date-time; without an offset it is taken as UTC."""
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError as exc:
        raise InputError(f"not an ISO 8601 time: {value!r} (e.g. 2024-03-01T12:00:00Z)", parameter=parameter) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def check_range(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and start > end:
        raise InputError("start is after end", parameter="end")


@dataclass(frozen=True)
class BBox:
    lon_min_deg: float
    lat_min_deg: float
    lon_max_deg: float
    lat_max_deg: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.lon_min_deg > self.lon_max_deg


BBOX_FORMAT_MESSAGE = "bbox must be 4 numbers: min_lon,min_lat,max_lon,max_lat"


def parse_bbox(value: str | None) -> BBox | None:
    """``min_lon,min_lat,max_lon,max_lat`` in degrees; min_lon > max_lon crosses the antimeridian."""
    if value is None or value == "":
        return None
    parts = value.split(",")
    try:
        lon0, lat0, lon1, lat1 = (float(p) for p in parts)
    except ValueError as exc:
        raise InputError(BBOX_FORMAT_MESSAGE, parameter="bbox") from exc
    if not all(-180 <= v <= 180 for v in (lon0, lon1)) or not all(-90 <= v <= 90 for v in (lat0, lat1)):
        raise InputError("bbox out of range: lon in [-180, 180], lat in [-90, 90]", parameter="bbox")
    if lat0 > lat1:
        raise InputError("bbox min_lat is greater than max_lat", parameter="bbox")
    return BBox(lon0, lat0, lon1, lat1)


def encode_cursor(start_us: int, event_id: str) -> str:
    """Opaque keyset cursor: the sort key of the last row of a page."""
    raw = json.dumps([start_us, event_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def epoch_us(moment: datetime) -> int:
    """Integer microseconds since the epoch (exact: no float rounding), the cursor's time unit."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def decode_cursor(value: str | None) -> tuple[datetime, str] | None:
    """The (start time, event_id) after which the next page starts."""
    if value is None or value == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        start_us, event_id = json.loads(raw)
        if not isinstance(start_us, int) or isinstance(start_us, bool) or not isinstance(event_id, str):
            raise ValueError("bad cursor fields")
        start = _EPOCH + timedelta(microseconds=start_us)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError) as exc:
        raise InputError("invalid cursor: pass next_cursor from a previous page unchanged", parameter="cursor") from exc
    return start, event_id
