"""Encounters: two vessels within ``max_distance_m`` for at least ``min_duration_h``, both slow.

Global Fishing Watch's encounter definition (Miller et al. 2018, Frontiers in Marine
Science; Kroodsma et al. 2018, Science): within 500 m for >= 2 h with both median speeds
below 2 kn, computed on tracks resampled to 10 minutes; runs of the same pair less than
4 h apart are one encounter. Candidate pairs come from a spatial hash of the grid points
(same instant, same or corner-adjacent cell), never from all pairs. Encounters within the
in-port radius are kept and marked ``in_port`` (moored side by side, bunkering).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from darkfleet.config import EncounterConfig
from darkfleet.detect.events import details_expr, finish_events
from darkfleet.detect.geo import cell_size_deg, haversine_expr, haversine_m, near_corner_pairs
from darkfleet.detect.ports_index import PortIndex
from darkfleet.detect.runs import hours_between, run_ids

_POINT = ["timestamp_utc", "mmsi", "lat", "lon", "speed_kn", "course_deg"]
CANDIDATE_CHUNK = 4_000_000  # candidate pairs measured at once before whole rows are gathered


def close_pairs(grid: pl.DataFrame, max_distance_m: float) -> pl.DataFrame:
    """Every (instant, lower MMSI, higher MMSI) whose grid points are within ``max_distance_m``."""
    if grid.height == 0:
        return pl.DataFrame(schema={"timestamp_utc": pl.Datetime("us", "UTC"), "mmsi": pl.Int64, "other_mmsi": pl.Int64})
    pts = grid.select(*_POINT[:5], pl.coalesce(pl.col("heading_deg"), pl.col("cog_deg")).alias("course_deg"))
    max_lat = float(pts["lat"].abs().max())  # type: ignore[arg-type]
    lat_deg, lon_deg = cell_size_deg(2.2 * max_distance_m, max_lat)
    a, b = near_corner_pairs(
        pts["lat"].to_numpy(), pts["lon"].to_numpy(), pts["timestamp_utc"].dt.epoch("us").to_numpy(),
        pts["mmsi"].to_numpy(), lat_deg, lon_deg,
    )
    # moored vessels of a busy port make many times more candidates than close pairs: drop the
    # far ones before gathering whole rows (a 1 m margin over rounding; the exact filter follows)
    a, b = _within_m(pts["lat"].to_numpy(), pts["lon"].to_numpy(), a, b, max_distance_m + 1.0)
    pairs = pl.concat([pts[a], pts.drop("timestamp_utc")[b].rename(lambda c: f"{c}_b")], how="horizontal")
    dist = haversine_expr(pl.col("lat"), pl.col("lon"), pl.col("lat_b"), pl.col("lon_b"))
    return (
        pairs.with_columns(dist.alias("distance_m"))
        .filter(pl.col("distance_m") <= max_distance_m)
        .select(
            "timestamp_utc",
            "mmsi",
            pl.col("mmsi_b").alias("other_mmsi"),
            "distance_m",
            ((pl.col("lat") + pl.col("lat_b")) / 2).alias("lat"),
            ((pl.col("lon") + pl.col("lon_b")) / 2).alias("lon"),
            pl.col("speed_kn").alias("speed_a_kn"),
            pl.col("speed_kn_b").alias("speed_b_kn"),
            # hulls alongside are parallel or opposite: fold the difference into [0, 90]
            ((pl.col("course_deg") - pl.col("course_deg_b")).abs() % 180.0).alias("_hd"),
        )
        .with_columns(pl.min_horizontal(pl.col("_hd"), 180.0 - pl.col("_hd")).alias("heading_diff_deg"))
        .drop("_hd")
        .pipe(closest_per_instant)
    )


def _within_m(lat: np.ndarray, lon: np.ndarray, a: np.ndarray, b: np.ndarray,
              limit_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (a, b) of rows at most ``limit_m`` apart, measured chunk by chunk."""
    keep = np.empty(len(a), dtype=bool)
    for start in range(0, len(a), CANDIDATE_CHUNK):
        ia, ib = a[start:start + CANDIDATE_CHUNK], b[start:start + CANDIDATE_CHUNK]
        keep[start:start + CANDIDATE_CHUNK] = haversine_m(lat[ia], lon[ia], lat[ib], lon[ib]) <= limit_m
    return a[keep], b[keep]


def closest_per_instant(pairs: pl.DataFrame) -> pl.DataFrame:
    """Pairs sorted by vessel pair then time, one row per pair and instant (the closest).

    A pair can meet through several segments of a shared MMSI; and an engine that searches
    space blocks separately returns pairs block by block, an encounter drifting across a
    block boundary in two pieces: sorting stitches them back before runs are formed."""
    return pairs.sort("mmsi", "other_mmsi", "timestamp_utc", "distance_m").unique(
        ["mmsi", "other_mmsi", "timestamp_utc"], keep="first", maintain_order=True
    )


def encounter_runs(pairs: pl.DataFrame, config: EncounterConfig, step_min: int) -> pl.DataFrame:
    """Qualifying contact runs, then runs of the same pair closer than ``merge_gap_h`` merged."""
    runs = (
        pairs.with_columns(run_ids(["mmsi", "other_mmsi"], "timestamp_utc", step_min * 60_000_000))
        .group_by("run_id")
        .agg(
            pl.col("mmsi").first(),
            pl.col("other_mmsi").first(),
            pl.col("timestamp_utc").min().alias("start_utc"),
            pl.col("timestamp_utc").max().alias("end_utc"),
            pl.col("distance_m").median().alias("median_distance_m"),
            pl.col("distance_m").min().alias("min_distance_m"),
            pl.col("speed_a_kn").median().alias("median_speed_a_kn"),
            pl.col("speed_b_kn").median().alias("median_speed_b_kn"),
            pl.col("heading_diff_deg").median().alias("median_heading_diff_deg"),
            pl.col("lat").mean(),
            pl.col("lon").mean(),
            pl.len().alias("n_grid_points"),
        )
        .with_columns(hours_between("start_utc", "end_utc").alias("duration_h"))
    )
    keep = (
        (pl.col("duration_h") >= config.min_duration_h)
        & (pl.col("median_speed_a_kn") < config.max_median_speed_kn)
        & (pl.col("median_speed_b_kn") < config.max_median_speed_kn)
    )
    if config.max_heading_diff_deg is not None:
        keep = keep & (pl.col("median_heading_diff_deg").fill_null(180.0) <= config.max_heading_diff_deg)
    runs = runs.filter(keep.fill_null(False)).sort("mmsi", "other_mmsi", "start_utc")
    new = (
        (pl.col("mmsi") != pl.col("mmsi").shift(1))
        | (pl.col("other_mmsi") != pl.col("other_mmsi").shift(1))
        | (hours_between("_prev_end", "start_utc") >= config.merge_gap_h)
    ).fill_null(True)
    weight = pl.col("n_grid_points")
    return (
        runs.with_columns(pl.col("end_utc").shift(1).alias("_prev_end"))
        .with_columns(new.cum_sum().alias("event_no"))
        .group_by("event_no")
        .agg(
            pl.col("mmsi").first(),
            pl.col("other_mmsi").first(),
            pl.col("start_utc").min(),
            pl.col("end_utc").max(),
            pl.col("duration_h").sum().alias("close_h"),
            pl.col("min_distance_m").min(),
            ((pl.col("median_distance_m") * weight).sum() / weight.sum()).alias("median_distance_m"),
            ((pl.col("median_speed_a_kn") * weight).sum() / weight.sum()).alias("median_speed_a_kn"),
            ((pl.col("median_speed_b_kn") * weight).sum() / weight.sum()).alias("median_speed_b_kn"),
            pl.col("median_heading_diff_deg").mean(),
            ((pl.col("lat") * weight).sum() / weight.sum()).alias("lat"),
            ((pl.col("lon") * weight).sum() / weight.sum()).alias("lon"),
            pl.len().alias("n_runs"),
        )
        .sort("event_no")
    )


def detect_encounters(
    grid: pl.DataFrame,
    config: EncounterConfig,
    ports: PortIndex | None = None,
    in_port_radius_m: float = 10_000.0,
    step_min: int = 10,
    digest: str = "",
    pairs: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Encounter events (``schema.EVENTS``; ``mmsi`` < ``other_mmsi``) from the resampled grid.

    ``pairs`` may be precomputed by :func:`close_pairs` (e.g. per space cell by an engine)."""
    pairs = close_pairs(grid, config.max_distance_m) if pairs is None else closest_per_instant(pairs)
    events = encounter_runs(pairs, config, step_min)
    in_port = [False] * events.height
    if ports is not None and events.height:
        in_port = list(ports.distance_m(events["lat"].to_numpy(), events["lon"].to_numpy(), in_port_radius_m) <= in_port_radius_m)
    duration = hours_between("start_utc", "end_utc")
    out = events.with_columns(pl.Series("in_port", in_port, dtype=pl.Boolean)).select(
        "mmsi",
        "other_mmsi",
        "start_utc",
        "end_utc",
        "lat",
        "lon",
        # the closer and longer, the surer: 2x the minimum time and half the distance saturate
        (
            0.4
            + 0.3 * (pl.col("close_h") / (2 * config.min_duration_h)).clip(upper_bound=1.0)
            + 0.3 * (1 - pl.col("median_distance_m") / config.max_distance_m).clip(0.0, 1.0)
        ).alias("confidence"),
        "in_port",
        details_expr(
            rule=f"within {config.max_distance_m} m for >= {config.min_duration_h} h, median speeds < "
            f"{config.max_median_speed_kn} kn, runs < {config.merge_gap_h} h apart merged"
            + ("" if config.max_heading_diff_deg is None else f", headings within {config.max_heading_diff_deg} deg"),
            duration_h=duration.round(3),
            close_h=pl.col("close_h").round(3),
            median_distance_m=pl.col("median_distance_m").round(1),
            min_distance_m=pl.col("min_distance_m").round(1),
            median_speed_kn=pl.col("median_speed_a_kn").round(3),
            other_median_speed_kn=pl.col("median_speed_b_kn").round(3),
            median_heading_diff_deg=pl.col("median_heading_diff_deg").round(1),
            n_runs=pl.col("n_runs"),
        ),
    )
    return finish_events(out, "encounter", digest)
