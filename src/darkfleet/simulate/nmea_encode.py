"""Vectorised AIS/NMEA 0183 encoder: NumPy bit packing of whole columns into 6-bit armoured
payloads, checksums by XOR-reduction, IEC 61162-450 tag blocks (``\\s:station,c:unix*hh\\``).

Message layouts follow ITU-R M.1371-5 (types 1, 5, 18, 24) and the armouring of IEC 61162-1.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_WEIGHTS6 = np.array([32, 16, 8, 4, 2, 1], dtype=np.uint8)


def bits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) matrix of the big-endian bits of ``values`` (two's complement for negatives)."""
    v = np.asarray(values).astype(np.int64).astype(np.uint64) & np.uint64((1 << width) - 1)
    shifts = np.arange(width - 1, -1, -1, dtype=np.uint64)
    return ((v[:, None] >> shifts) & np.uint64(1)).astype(np.uint8)


def text_bits(text: np.ndarray, n_chars: int) -> np.ndarray:
    """6-bit AIS ASCII of upper-cased strings, padded with '@' (0) to ``n_chars``."""
    raw = np.char.upper(np.asarray(text, dtype=str)).astype(f"S{n_chars}")
    codes = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(len(raw), n_chars)
    six = np.where(codes >= 64, codes - 64, codes)
    six = np.where((codes < 32) | (codes >= 96), 0, six)  # NUL padding and lower-case leftovers -> '@'
    return bits(six.ravel(), 6).reshape(len(raw), n_chars * 6)


def armour(bitmat: np.ndarray) -> tuple[np.ndarray, int]:
    """Payload characters (n, chars) as uint8 and the number of fill bits."""
    n, nbits = bitmat.shape
    fill = (-nbits) % 6
    if fill:
        bitmat = np.hstack([bitmat, np.zeros((n, fill), np.uint8)])
    six = bitmat.reshape(n, -1, 6) @ _WEIGHTS6
    chars = six + 48
    return np.where(chars > 87, chars + 8, chars).astype(np.uint8), fill


def _xor_hex(mat: np.ndarray) -> np.ndarray:
    x = np.bitwise_xor.reduce(mat, axis=1)
    hexd = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
    return np.column_stack([hexd[x >> 4], hexd[x & 15]])


def _fixed_strings(mat: np.ndarray) -> pa.Array:
    n, width = mat.shape
    arr = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), n, [None, pa.py_buffer(np.ascontiguousarray(mat).tobytes())])
    return arr.cast(pa.binary()).cast(pa.string())


def sentences(payload: np.ndarray, fill: int, total: int = 1, part: int = 1, seq: np.ndarray | None = None,
              channel: str = "A") -> pa.Array:
    """``!AIVDM,total,part,seq,channel,payload,fill*hh`` for every row (fixed width per call)."""
    n = payload.shape[0]
    head = np.frombuffer(f"AIVDM,{total},{part},".encode(), dtype=np.uint8)
    seq_part = np.full((n, 1), ord("0"), np.uint8) + (seq.astype(np.uint8)[:, None] if seq is not None else 0)
    mid = np.frombuffer(f",{channel},".encode(), dtype=np.uint8)
    tail = np.frombuffer(f",{fill}".encode(), dtype=np.uint8)
    parts = [np.broadcast_to(head, (n, head.size))]
    if seq is not None:
        parts.append(seq_part)
    parts += [np.broadcast_to(mid, (n, mid.size)), payload, np.broadcast_to(tail, (n, tail.size))]
    body = np.hstack(parts)
    full = np.hstack([np.full((n, 1), ord("!"), np.uint8), body, np.full((n, 1), ord("*"), np.uint8), _xor_hex(body)])
    return _fixed_strings(full)


def tag_blocks(station: np.ndarray, station_names: np.ndarray, unix_s: np.ndarray) -> pa.Array:
    """``\\s:<station>,c:<unix>*hh\\`` per row; the checksum XORs the station and time parts separately."""
    names = [str(s) for s in station_names]
    name_xor = np.array([np.bitwise_xor.reduce(np.frombuffer(s.encode(), np.uint8)) if s else 0 for s in names],
                        dtype=np.uint8)  # one entry per distinct station, not per row
    digits = np.char.mod("%010d", unix_s.astype(np.int64)).astype("S10")
    dmat = np.frombuffer(digits.tobytes(), dtype=np.uint8).reshape(len(unix_s), 10)
    const = np.bitwise_xor.reduce(np.frombuffer(b"s:,c:", np.uint8))
    x = name_xor[station] ^ np.bitwise_xor.reduce(dmat, axis=1) ^ const
    hexd = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
    hx = _fixed_strings(np.column_stack([hexd[x >> 4], hexd[x & 15]]))
    name_col = pa.DictionaryArray.from_arrays(pa.array(station.astype(np.int32)), pa.array(names, pa.string()))
    return pc.binary_join_element_wise("\\s:", name_col.cast(pa.string()), ",c:", _fixed_strings(dmat), "*", hx, "\\", "")


def encode_position_a(mmsi, nav, sog, lon, lat, cog, heading, second) -> tuple[np.ndarray, int]:
    """Type 1 position report (168 bits)."""
    n = len(mmsi)
    z = np.zeros(n, np.int64)
    cols = [(np.full(n, 1), 6), (z, 2), (mmsi, 30), (nav, 4), (np.full(n, -128), 8), (_sog(sog), 10), (z, 1),
            (np.rint(lon * 600000), 28), (np.rint(lat * 600000), 27), (_cog(cog), 12), (heading, 9), (second, 6),
            (z, 2), (z, 3), (z, 1), (z, 19)]
    return armour(np.hstack([bits(v, w) for v, w in cols]))


def encode_position_b(mmsi, sog, lon, lat, cog, heading, second) -> tuple[np.ndarray, int]:
    """Type 18 Class B CS position report (168 bits)."""
    n = len(mmsi)
    z, one = np.zeros(n, np.int64), np.ones(n, np.int64)
    cols = [(np.full(n, 18), 6), (z, 2), (mmsi, 30), (z, 8), (_sog(sog), 10), (z, 1), (np.rint(lon * 600000), 28),
            (np.rint(lat * 600000), 27), (_cog(cog), 12), (heading, 9), (second, 6), (z, 2), (one, 1), (z, 1),
            (one, 1), (one, 1), (one, 1), (z, 1), (z, 1), (z, 20)]
    return armour(np.hstack([bits(v, w) for v, w in cols]))


def encode_static_5(mmsi, imo, callsign, name, ship_type, length, width, draught) -> tuple[np.ndarray, int]:
    """Type 5 static and voyage data (424 bits, 2 fill bits: 71 characters)."""
    n = len(mmsi)
    z = np.zeros(n, np.int64)
    bow = np.rint(np.asarray(length) / 2)
    port = np.rint(np.asarray(width) / 2)
    cols = [bits(np.full(n, 5), 6), bits(z, 2), bits(mmsi, 30), bits(z, 2), bits(imo, 30), text_bits(callsign, 7),
            text_bits(name, 20), bits(ship_type, 8), bits(bow, 9), bits(np.rint(length) - bow, 9), bits(port, 6),
            bits(np.rint(width) - port, 6), bits(np.ones(n), 4), bits(z, 4), bits(z, 5), bits(np.full(n, 24), 5),
            bits(np.full(n, 60), 6), bits(np.rint(np.nan_to_num(draught) * 10), 8), text_bits(np.full(n, ""), 20),
            bits(z, 1), bits(z, 1)]
    return armour(np.hstack(cols))


def encode_static_24(mmsi, callsign, name, ship_type, length, width) -> tuple[tuple[np.ndarray, int], tuple[np.ndarray, int]]:
    """Type 24 parts A (name) and B (type, call sign, dimensions) of a Class B unit."""
    n = len(mmsi)
    z = np.zeros(n, np.int64)
    a = np.hstack([bits(np.full(n, 24), 6), bits(z, 2), bits(mmsi, 30), bits(z, 2), text_bits(name, 20)])
    bow = np.rint(np.asarray(length) / 2)
    port = np.rint(np.asarray(width) / 2)
    b = np.hstack([bits(np.full(n, 24), 6), bits(z, 2), bits(mmsi, 30), bits(np.ones(n), 2), bits(ship_type, 8),
                   text_bits(np.full(n, ""), 7), text_bits(callsign, 7), bits(bow, 9), bits(np.rint(length) - bow, 9),
                   bits(port, 6), bits(np.rint(width) - port, 6), bits(z, 6)])
    return armour(a), armour(b)


def _sog(sog) -> np.ndarray:
    s = np.asarray(sog, dtype=np.float64)
    return np.where(np.isnan(s), 1023, np.minimum(np.rint(s * 10), 1022))


def _cog(cog) -> np.ndarray:
    c = np.asarray(cog, dtype=np.float64)
    return np.where(np.isnan(c), 3600, np.rint(c * 10) % 3600)
