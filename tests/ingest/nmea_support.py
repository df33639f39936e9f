"""Helpers for the NMEA tests: sources from bytes/paths, a tiny AIS encoder, read-all."""

from __future__ import annotations

import functools
import io
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pytest

from darkfleet.ingest.batch import Batch, Counts, ReadOptions, Source
from darkfleet.ingest.nmea import read_nmea

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "ais"
T0 = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def data_file(name: str) -> Path:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"reference data {name} not found under ../shared/data/ais")
    return path


def source_from_bytes(data: bytes, name: str = "test.nmea") -> Source:
    return Source(name=name, source_id=7, open=lambda: io.BytesIO(data), size_bytes=len(data))


def source_from_path(path: Path) -> Source:
    import gzip

    opener = functools.partial(gzip.open, path) if path.suffix == ".gz" else functools.partial(open, path, "rb")
    return Source(name=str(path), source_id=3, open=opener, path=path)


def read_all(source: Source, **options) -> tuple[pa.Table, pa.Table, pa.Table, Counts]:
    counts = Counts()
    positions, static, rejects = [], [], []
    for batch in read_nmea(source, ReadOptions(**options)):
        counts.add(batch.counts)
        assert batch.counts.balanced, batch.counts.to_json()
        positions.append(batch.positions)
        static.append(batch.static)
        rejects.append(batch.rejects)
    empty = Batch.empty()
    return (pa.concat_tables([empty.positions, *positions]), pa.concat_tables([empty.static, *static]),
            pa.concat_tables([empty.rejects, *rejects]), counts)


def read_text(text: str, **options):
    return read_all(source_from_bytes(text.encode()), **options)


def checksum(body: str) -> str:
    value = 0
    for ch in body.encode():
        value ^= ch
    return f"{value:02X}"


def armour(bits: str) -> tuple[str, int]:
    """A bit string -> AIS payload characters and fill bits."""
    fill = (-len(bits)) % 6
    bits += "0" * fill
    chars = []
    for k in range(0, len(bits), 6):
        v = int(bits[k : k + 6], 2)
        chars.append(chr(v + 48 if v < 40 else v + 56))
    return "".join(chars), fill


def field(value: int, width: int) -> str:
    """Two's complement ``value`` on ``width`` bits."""
    return format(value & ((1 << width) - 1), f"0{width}b")


def text6(text: str, n_chars: int) -> str:
    out = []
    for ch in text.ljust(n_chars, "@")[:n_chars]:
        code = ord(ch)
        out.append(field(code - 64 if code >= 64 else code, 6))
    return "".join(out)


def sentence(payload: str, fill: int, total: int = 1, num: int = 1, seq: str = "",
             channel: str = "A", talker: str = "AI") -> str:
    body = f"{talker}VDM,{total},{num},{seq},{channel},{payload},{fill}"
    return f"!{body}*{checksum(body)}"


def tagged(line: str, unix_s: int, station: str = "rx1") -> str:
    body = f"c:{unix_s},s:{station}"
    return f"\\{body}*{checksum(body)}\\{line}"


def position_bits(mmsi: int, lat: float, lon: float, sog10: int = 123, cog10: int = 2345,
                  heading: int = 234, status: int = 0, msg_type: int = 1) -> str:
    return (field(msg_type, 6) + field(0, 2) + field(mmsi, 30) + field(status, 4) + field(0, 8)
            + field(sog10, 10) + field(0, 1) + field(round(lon * 600000), 28)
            + field(round(lat * 600000), 27) + field(cog10, 12) + field(heading, 9)
            + field(0, 6) + field(0, 2) + field(0, 3) + field(0, 1) + field(0, 19))


def static5_bits(mmsi: int, imo: int, callsign: str, name: str, ship_type: int, dims=(100, 20, 10, 12),
                 eta=(6, 15, 14, 30), draught10: int = 95, destination: str = "ROTTERDAM") -> str:
    return (field(5, 6) + field(0, 2) + field(mmsi, 30) + field(0, 2) + field(imo, 30)
            + text6(callsign, 7) + text6(name, 20) + field(ship_type, 8) + field(dims[0], 9)
            + field(dims[1], 9) + field(dims[2], 6) + field(dims[3], 6) + field(1, 4)
            + field(eta[0], 4) + field(eta[1], 5) + field(eta[2], 5) + field(eta[3], 6)
            + field(draught10, 8) + text6(destination, 20) + field(0, 1) + field(0, 1))


def split_sentences(bits: str, seq: str = "3", channel: str = "B", parts: int = 2) -> list[str]:
    payload, fill = armour(bits)
    size = -(-len(payload) // parts)
    chunks = [payload[k : k + size] for k in range(0, len(payload), size)]
    return [sentence(c, fill if k == len(chunks) - 1 else 0, len(chunks), k + 1, seq, channel)
            for k, c in enumerate(chunks)]
