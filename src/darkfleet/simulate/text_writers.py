"""Text outputs of the simulator: MarineCadastre (NOAA) CSV and raw NMEA with tag blocks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from darkfleet.simulate import nmea_encode as ne

ENCODE_ROWS = 200_000
NOAA_COLUMNS = ["MMSI", "BaseDateTime", "LAT", "LON", "SOG", "COG", "Heading", "VesselName", "IMO", "CallSign",
                "VesselType", "Status", "Length", "Width", "Draft", "Cargo", "TransceiverClass"]


class NoaaWriter:
    """MarineCadastre daily-file layout: one row per position, static fields joined from the
    latest static report of the MMSI (the earliest one before the first report)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.files = 0

    def write(self, part: int, positions: pa.Table, static: pa.Table, static_receiver: pa.Array) -> None:
        pos = pl.from_arrow(positions).with_row_index("_row")
        st = (pl.from_arrow(static).select("mmsi", "timestamp_utc", "imo", "name", "callsign", "ship_type",
                                           "draught_m", "length_m", "width_m")
              .sort("mmsi", "timestamp_utc").unique(["mmsi", "timestamp_utc"], keep="last", maintain_order=True))
        merged = pos.sort("mmsi", "timestamp_utc").join_asof(st, on="timestamp_utc", by="mmsi", strategy="backward",
                                                          check_sortedness=False)
        first = st.group_by("mmsi").first().drop("timestamp_utc")
        merged = merged.join(first, on="mmsi", how="left", suffix="_first")
        for c in ["imo", "name", "callsign", "ship_type", "draught_m", "length_m", "width_m"]:
            merged = merged.with_columns(pl.col(c).fill_null(pl.col(f"{c}_first")))
        frame = merged.sort("_row").select(
            pl.col("mmsi").alias("MMSI"),
            pl.col("timestamp_utc").dt.strftime("%Y-%m-%dT%H:%M:%S").alias("BaseDateTime"),
            pl.col("lat").round(5).alias("LAT"),
            pl.col("lon").round(5).alias("LON"),
            pl.col("sog_kn").cast(pl.Float64).round(1).alias("SOG"),
            pl.col("cog_deg").cast(pl.Float64).round(1).alias("COG"),
            pl.col("heading_deg").alias("Heading"),
            pl.col("name").alias("VesselName"),
            pl.when(pl.col("imo") > 0).then(pl.lit("IMO") + pl.col("imo").cast(pl.String)).alias("IMO"),
            pl.col("callsign").alias("CallSign"),
            pl.col("ship_type").alias("VesselType"),
            pl.col("nav_status").alias("Status"),
            pl.col("length_m").round(0).cast(pl.Int32).alias("Length"),
            pl.col("width_m").round(0).cast(pl.Int32).alias("Width"),
            pl.col("draught_m").cast(pl.Float64).round(1).alias("Draft"),
            pl.lit(None, pl.Int32).alias("Cargo"),
            pl.when(pl.col("msg_type") == 18).then(pl.lit("B")).otherwise(pl.lit("A")).alias("TransceiverClass"),
        )
        frame.select(NOAA_COLUMNS).write_csv(self.out / "positions" / f"part-{part:05d}.csv")
        self.files += 1

    def close(self) -> None:
        pass


class NmeaWriter:
    """``!AIVDM`` sentences with ``\\s:station,c:unix*hh\\`` tag blocks, in reception-time order."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.files = 0

    def write(self, part: int, positions: pa.Table, static: pa.Table, static_receiver: pa.Array) -> None:
        # Bit matrices are ~1 kB per message while encoding: go through the chunk in slices.
        pieces = []
        for lo in range(0, positions.num_rows, ENCODE_ROWS):
            pieces.append(self._positions(positions.slice(lo, ENCODE_ROWS), lo))
        for lo in range(0, static.num_rows, ENCODE_ROWS):
            pieces += self._static(static.slice(lo, ENCODE_ROWS), static_receiver.slice(lo, ENCODE_ROWS),
                                   positions.num_rows + lo)
        if not pieces:
            (self.out / "positions" / f"part-{part:05d}.nmea").write_bytes(b"")
            self.files += 1
            return
        stamp = pa.chunked_array([p[0] for p in pieces], pa.int64()).combine_chunks()
        order_key = pa.chunked_array([p[1] for p in pieces], pa.int64()).combine_chunks()
        lines = pa.chunked_array([p[2] for p in pieces], pa.string()).combine_chunks()
        idx = pc.sort_indices(pa.table({"s": stamp, "k": order_key}), sort_keys=[("s", "ascending"), ("k", "ascending")])
        text = pc.binary_join_element_wise(lines.take(idx), pa.scalar(""), "\n")
        with open(self.out / "positions" / f"part-{part:05d}.nmea", "wb") as fh:
            if len(text):
                # The joined lines are one contiguous value buffer: write it without Python strings.
                offsets = np.frombuffer(text.buffers()[1], dtype=np.int32, count=len(text) + 1, offset=text.offset * 4)
                fh.write(memoryview(text.buffers()[2])[offsets[0] : offsets[-1]])
        self.files += 1

    def close(self) -> None:
        pass

    @staticmethod
    def _stations(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
        recv = pc.fill_null(table["receiver"], "").dictionary_encode().combine_chunks()
        return recv.indices.to_numpy(zero_copy_only=False), np.asarray(recv.dictionary.to_pylist(), dtype=object)

    def _positions(self, pos: pa.Table, key0: int):
        n = pos.num_rows
        unix = pc.divide(pos["timestamp_utc"].cast(pa.int64()), 1_000_000).to_numpy()
        col = {c: pos[c].to_numpy(zero_copy_only=False) for c in ["mmsi", "lat", "lon", "sog_kn", "cog_deg", "heading_deg", "msg_type"]}
        nav = pc.fill_null(pos["nav_status"], 15).to_numpy()
        b = col["msg_type"] == 18
        parts = []
        for mask, is_b in ((~b, False), (b, True)):
            if not mask.any():
                continue
            c = {k: v[mask] for k, v in col.items()}
            sec = unix[mask] % 60
            if is_b:
                payload, fill = ne.encode_position_b(c["mmsi"], c["sog_kn"], c["lon"], c["lat"], c["cog_deg"], c["heading_deg"], sec)
            else:
                payload, fill = ne.encode_position_a(c["mmsi"], nav[mask], c["sog_kn"], c["lon"], c["lat"], c["cog_deg"], c["heading_deg"], sec)
            parts.append((np.flatnonzero(mask), ne.sentences(payload, fill)))
        idx, names = self._stations(pos)
        tags = ne.tag_blocks(idx, names, unix)
        order = np.concatenate([p[0] for p in parts])
        sent = pa.chunked_array([p[1] for p in parts]).combine_chunks().take(pa.array(np.argsort(order, kind="stable")))
        out = pc.binary_join_element_wise(tags, sent, "")
        return pa.array(unix), pa.array((key0 + np.arange(n, dtype=np.int64)) * 4), out

    def _static(self, st: pa.Table, receiver: pa.Array, key0: int):
        if st.num_rows == 0:
            return []
        unix = pc.divide(st["timestamp_utc"].cast(pa.int64()), 1_000_000).to_numpy()
        col = {c: st[c].to_numpy(zero_copy_only=False) for c in ["mmsi", "length_m", "width_m", "msg_type"]}
        imo = pc.fill_null(st["imo"], 0).to_numpy()
        ship = pc.fill_null(st["ship_type"], 0).to_numpy()
        draught = pc.fill_null(st["draught_m"], 0.0).to_numpy()
        name = np.asarray(pc.fill_null(st["name"], "").to_pylist(), dtype=object)
        call = np.asarray(pc.fill_null(st["callsign"], "").to_pylist(), dtype=object)
        recv = pc.fill_null(receiver, "").dictionary_encode()
        station, names = recv.indices.to_numpy(zero_copy_only=False), np.asarray(recv.dictionary.to_pylist(), dtype=object)
        key = (key0 + np.arange(st.num_rows, dtype=np.int64)) * 4
        out = []
        a = col["msg_type"] == 5
        if a.any():
            payload, fill = ne.encode_static_5(col["mmsi"][a], imo[a], call[a], name[a], ship[a], col["length_m"][a], col["width_m"][a], draught[a])
            seq = np.arange(a.sum()) % 10  # sequential message ids, as a receiver assigns them
            for part, (lo, hi, f) in enumerate(((0, 60, 0), (60, payload.shape[1], fill)), start=1):
                sent = ne.sentences(payload[:, lo:hi], f, 2, part, seq)
                tags = ne.tag_blocks(station[a], names, unix[a])
                out.append((pa.array(unix[a]), pa.array(key[a] + part), pc.binary_join_element_wise(tags, sent, "")))
        b = ~a
        if b.any():
            (pa_, fa), (pb, fb) = ne.encode_static_24(col["mmsi"][b], call[b], name[b], ship[b], col["length_m"][b], col["width_m"][b])
            for part, (payload, fill) in enumerate(((pa_, fa), (pb, fb)), start=1):
                tags = ne.tag_blocks(station[b], names, unix[b])
                out.append((pa.array(unix[b]), pa.array(key[b] + part), pc.binary_join_element_wise(tags, ne.sentences(payload, fill), "")))
        return out
