"""Port and anchorage reference points: where vessels legitimately stop.

The default set is the UN/LOCODE port list shipped inside the ``searoute`` package
(installed from PyPI, so it is there on a fresh clone). Richer sets — the NGA World Port
Index (Pub. 150) and Global Fishing Watch's named anchorages — load from files the user
points at (``load_ports(extra=[...])``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import polars as pl

from darkfleet.errors import InputError

PORT_COLUMNS = {
    "port_id": pl.String,
    "name": pl.String,
    "country": pl.String,
    "lat": pl.Float64,
    "lon": pl.Float64,
    "kind": pl.String,  # "port" or "anchorage"
    "source": pl.String,
}


@lru_cache(maxsize=1)
def searoute_ports() -> pl.DataFrame:
    """The ~3,900 UN/LOCODE ports that ship with the searoute package."""
    text = resources.files("searoute").joinpath("data/ports.geojson").read_text()
    return _finish(_geojson_ports(json.loads(text)), kind="port", source="searoute")


# (id, name, country, lat, lon) columns of the CSV reference layouts we know.
_CSV_LAYOUTS = (
    (("s2id", "label", "iso3", "latitude", "longitude"), "anchorage"),  # GFW named anchorages
    (("World Port Index Number", "Main Port Name", "Country Code", "Latitude", "Longitude"), "port"),  # NGA Pub. 150
)


def _geojson_ports(data: dict) -> pl.DataFrame:
    """Port points of a GeoJSON FeatureCollection with searoute's properties (port, name, cty)."""
    feats = data["features"]
    return pl.DataFrame(
        {
            "port_id": [f["properties"].get("port") for f in feats],
            "name": [f["properties"].get("name") for f in feats],
            "country": [f["properties"].get("cty") for f in feats],
            "lon": [float(f["geometry"]["coordinates"][0]) for f in feats],
            "lat": [float(f["geometry"]["coordinates"][1]) for f in feats],
        }
    )


def _degrees(column: str) -> pl.Expr:
    # Some GFW rows carry a leading space before the number.
    return pl.col(column).str.strip_chars().cast(pl.Float64, strict=False)


def read_port_file(path: str | Path) -> pl.DataFrame:
    """Read an NGA World Port Index CSV, a GFW anchorages CSV or a port GeoJSON."""
    path = Path(path)
    if not path.exists():
        raise InputError("port reference file not found", path=path)
    if path.suffix.lower() in {".geojson", ".json"}:
        frame = _geojson_ports(json.loads(path.read_text()))
        return _finish(frame, kind="port", source=path.name)
    raw = pl.read_csv(path, infer_schema_length=0)
    for (id_col, name_col, country_col, lat_col, lon_col), kind in _CSV_LAYOUTS:
        if {id_col, name_col, lat_col, lon_col} <= set(raw.columns):
            frame = raw.select(
                pl.col(id_col).alias("port_id"),
                pl.col(name_col).alias("name"),
                pl.col(country_col).alias("country"),
                _degrees(lat_col).alias("lat"),
                _degrees(lon_col).alias("lon"),
            )
            return _finish(frame, kind=kind, source=path.name)
    raise InputError(
        "unknown port file layout (expected NGA World Port Index CSV, GFW anchorages CSV or GeoJSON)",
        path=path,
    )


def load_ports(extra: list[str | Path] | None = None) -> pl.DataFrame:
    """The packaged ports plus any extra reference files, as one frame."""
    frames = [searoute_ports()] + [read_port_file(p) for p in extra or []]
    return pl.concat(frames, how="vertical").filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())


def _finish(frame: pl.DataFrame, kind: str, source: str) -> pl.DataFrame:
    return frame.with_columns(pl.lit(kind).alias("kind"), pl.lit(source).alias("source")).select(
        [pl.col(c).cast(t) for c, t in PORT_COLUMNS.items()]
    )
