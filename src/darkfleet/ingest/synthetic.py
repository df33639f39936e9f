"""Synthetic NOAA MarineCadastre-layout CSV/Parquet, for benchmarks and large-file tests.

Values are plausible, not realistic (random walks are not needed to measure parsing):
vessels with valid-looking MMSIs, increasing timestamps, and static fields on every row
as NOAA writes them. Generated column-wise with NumPy and written by Polars.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

NOAA_HEADER = ["MMSI", "BaseDateTime", "LAT", "LON", "SOG", "COG", "Heading", "VesselName", "IMO", "CallSign",
               "VesselType", "Status", "Length", "Width", "Draft", "Cargo", "TransceiverClass"]


def noaa_frame(n_rows: int, seed: int = 0, n_vessels: int = 5000) -> pl.DataFrame:
    """``n_rows`` rows in the NOAA layout (all text columns, as in the published files)."""
    rng = np.random.default_rng(seed)
    vessel = rng.integers(0, n_vessels, n_rows)
    mmsi = 366_000_000 + vessel * 137
    seconds = np.sort(rng.integers(0, 86_400, n_rows))
    frame = pl.DataFrame({
        "MMSI": mmsi,
        "t": seconds,
        "LAT": np.round(rng.uniform(20, 50, n_rows), 5),
        "LON": np.round(rng.uniform(-130, -60, n_rows), 5),
        "SOG": np.round(rng.uniform(0, 25, n_rows), 1),
        "COG": np.round(rng.uniform(0, 360, n_rows), 1),
        "Heading": rng.integers(0, 360, n_rows),
        "vessel": vessel,
    })
    return frame.select(
        "MMSI",
        (pl.datetime(2022, 1, 3) + pl.duration(seconds=pl.col("t"))).dt.strftime("%Y-%m-%dT%H:%M:%S").alias("BaseDateTime"),
        "LAT", "LON", "SOG", "COG", "Heading",
        pl.format("VESSEL {}", pl.col("vessel")).alias("VesselName"),
        pl.format("IMO{}", 9_000_000 + pl.col("vessel")).alias("IMO"),
        pl.format("WD{}", pl.col("vessel")).alias("CallSign"),
        (70 + pl.col("vessel") % 20).alias("VesselType"),
        (pl.col("vessel") % 9).alias("Status"),
        (50 + pl.col("vessel") % 200).alias("Length"),
        (10 + pl.col("vessel") % 40).alias("Width"),
        ((pl.col("vessel") % 150) / 10).round(1).alias("Draft"),
        (70 + pl.col("vessel") % 20).alias("Cargo"),
        pl.when(pl.col("vessel") % 4 == 0).then(pl.lit("B")).otherwise(pl.lit("A")).alias("TransceiverClass"),
    )


def write_noaa(path: Path, n_rows: int, seed: int = 0, chunk_rows: int = 2_000_000) -> Path:
    """Write ``n_rows`` NOAA-layout rows as CSV (or Parquet when ``path`` ends in .parquet)."""
    path = Path(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        writer = None
        for start in range(0, n_rows, chunk_rows):
            frame = noaa_frame(min(chunk_rows, n_rows - start), seed + start)
            # Parquet keeps times typed, as real Parquet exports do.
            frame = frame.with_columns(pl.col("BaseDateTime").str.to_datetime("%Y-%m-%dT%H:%M:%S", time_unit="us"))
            table = frame.to_arrow()
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table, row_group_size=500_000)
        if writer is not None:
            writer.close()
        return path
    with open(path, "wb") as out:
        for start in range(0, n_rows, chunk_rows):
            noaa_frame(min(chunk_rows, n_rows - start), seed + start).write_csv(out, include_header=start == 0)
    return path
