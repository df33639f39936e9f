"""Spoofing and position manipulation, one ``details.kind`` per symptom.

* ``position_jump``: a brief segment (<= ``max_jump_points`` reports or <= ``max_jump_h``)
  beside a bigger one of the same MMSI: reports no ship could have reached (implied speed above the segmenter's
  limit) and the track carries on where it was. Never deleted, reported here.
* ``shared_mmsi``: two long segments of one MMSI overlapping in time: two transmitters.
* ``no_fix``: reports with the "not available" position (lat 91 / lon 181) or none at all.
* ``circle``: the track turns smoothly one way through a full circle within
  ``circle_window_h`` at sailing speed and ends where it started, the signature of GNSS spoofing (C4ADS 2019, "Above Us
  Only Stars").
* ``sog_mismatch`` and ``grid_regular``: see :mod:`darkfleet.detect.spoof_patterns`.
"""

from __future__ import annotations

import polars as pl

from darkfleet.config import SpoofingConfig
from darkfleet.detect.events import details_expr, empty_events, finish_events
from darkfleet.detect.geo import M_PER_NM, bearing_expr, haversine_expr
from darkfleet.detect.runs import hours_between, run_ids
from darkfleet.detect.spoof_patterns import Tracks, episode_rows, grid_regular, sog_mismatch

US_PER_H = 3_600_000_000


def jump_segments(segments: pl.DataFrame, config: SpoofingConfig) -> pl.DataFrame:
    """Segments that are position jumps: brief (<= ``max_jump_points`` reports or <= ``max_jump_h``)
    while the same MMSI has a bigger segment to return to."""
    brief = (pl.col("n_points") <= config.max_jump_points) | (hours_between("start_utc", "end_utc") <= config.max_jump_h)
    return segments.filter(brief & (pl.col("n_points") < pl.col("n_points").max().over("mmsi")))


def _jumps(points: pl.DataFrame, segments: pl.DataFrame, config: SpoofingConfig, min_dt_s: float) -> pl.DataFrame:
    """Position-jump segments, with the implied speed into them."""
    short = jump_segments(segments, config)
    if short.height == 0:
        return pl.DataFrame()
    floor_us = int(min_dt_s * 1e6)

    def hop(k: int) -> tuple[pl.Expr, pl.Expr]:
        """Distance and implied speed to the report ``k`` rows away, if it is the same vessel's."""
        same = pl.col("mmsi") == pl.col("mmsi").shift(k)
        dist = haversine_expr(pl.col("lat").shift(k), pl.col("lon").shift(k), pl.col("lat"), pl.col("lon"))
        dt_h = (pl.col("timestamp_utc") - pl.col("timestamp_utc").shift(k)).dt.total_microseconds().abs().clip(
            lower_bound=floor_us
        ) / US_PER_H
        return pl.when(same).then(dist), pl.when(same).then(dist / M_PER_NM / dt_h)

    (d_in, v_in), (d_out, v_out) = hop(1), hop(-1)
    # the jump is measured into the excursion, or out of it when it opens the vessel's track
    into = (
        points.select("mmsi", "timestamp_utc", "lat", "lon", "segment_id")
        .filter(pl.col("mmsi").is_in(short["mmsi"].unique().implode()))
        .with_columns(pl.max_horizontal(d_in, d_out).alias("jump_m"), pl.max_horizontal(v_in, v_out).alias("_v"))
        .filter(pl.col("segment_id").is_in(short["segment_id"].implode()))
        .group_by("segment_id")
        .agg(pl.col("jump_m").max(), pl.col("_v").max().alias("implied_speed_kn"))
    )
    return short.join(into, on="segment_id", how="left").select(
        "mmsi",
        "start_utc",
        "end_utc",
        pl.col("start_lat").alias("lat"),
        pl.col("start_lon").alias("lon"),
        pl.lit(0.9).alias("confidence"),
        details_expr(
            kind="position_jump",
            rule=f"segment of <= {config.max_jump_points} reports or <= {config.max_jump_h} h beside a bigger one "
            "(implied speed over [segment] max_speed_kn and not vouched for by the reported SOG)",
            n_reports=pl.col("n_points"),
            jump_m=pl.col("jump_m").round(0),
            implied_speed_kn=pl.col("implied_speed_kn").round(1),
            segment_id=pl.col("segment_id"),
        ),
    )


def _path_separation(pairs: pl.DataFrame, grid: pl.DataFrame) -> pl.DataFrame:
    """Median distance from each grid point of segment b to the nearest grid point of segment a.

    A receiver that stamps messages late produces a second segment retracing the first one
    minutes behind: close to its path, so not a second transmitter."""
    pts = grid.select("segment_id", "lat", "lon")
    pair_pts = (
        pairs.select("segment_id", "segment_id_b")
        .join(pts.rename({"segment_id": "segment_id_b", "lat": "lat_b", "lon": "lon_b"}).with_row_index("_pt"), on="segment_id_b")
        .join(pts, on="segment_id")
        .with_columns(haversine_expr(pl.col("lat"), pl.col("lon"), pl.col("lat_b"), pl.col("lon_b")).alias("_d"))
        .group_by("segment_id", "segment_id_b", "_pt")
        .agg(pl.col("_d").min())
    )
    return pair_pts.group_by("segment_id", "segment_id_b").agg(pl.col("_d").median().alias("path_separation_m"))


def _shared(segments: pl.DataFrame, grid: pl.DataFrame, config: SpoofingConfig) -> pl.DataFrame:
    """Pairs of long segments of one MMSI that overlap in time and follow different paths."""
    long = segments.filter(pl.col("n_points") >= config.min_shared_points)
    pairs = long.join(long, on="mmsi", suffix="_b").filter(pl.col("segment_id") < pl.col("segment_id_b"))
    pairs = pairs.with_columns(
        pl.max_horizontal("start_utc", "start_utc_b").alias("o_start"),
        pl.min_horizontal("end_utc", "end_utc_b").alias("o_end"),
    ).filter(hours_between("o_start", "o_end") >= config.min_shared_overlap_h)
    pairs = pairs.join(_path_separation(pairs, grid), on=["segment_id", "segment_id_b"], how="left").filter(
        pl.col("path_separation_m").fill_null(float("inf")) >= config.min_shared_separation_m
    )
    return pairs.select(
        "mmsi",
        pl.col("o_start").alias("start_utc"),
        pl.col("o_end").alias("end_utc"),
        pl.col("start_lat").alias("lat"),
        pl.col("start_lon").alias("lon"),
        pl.lit(0.9).alias("confidence"),
        details_expr(
            kind="shared_mmsi",
            rule=f"two segments of >= {config.min_shared_points} reports overlapping >= {config.min_shared_overlap_h} h",
            overlap_h=hours_between("o_start", "o_end").round(3),
            path_separation_m=pl.col("path_separation_m").round(0),
            segment_id=pl.col("segment_id"),
            other_segment_id=pl.col("segment_id_b"),
            separation_m=haversine_expr(pl.col("start_lat"), pl.col("start_lon"), pl.col("start_lat_b"), pl.col("start_lon_b")).round(0),
        ),
    )


def _no_fix(no_fix: pl.DataFrame, config: SpoofingConfig) -> pl.DataFrame:
    """Episodes of reports without a position fix, merged when closer than ``no_fix_merge_h``."""
    if no_fix.height == 0:
        return pl.DataFrame()
    return (
        no_fix.sort("mmsi", "timestamp_utc")
        .with_columns(run_ids(["mmsi"], "timestamp_utc", int(config.no_fix_merge_h * US_PER_H)))
        .group_by("run_id")
        .agg(
            pl.col("mmsi").first(),
            pl.col("timestamp_utc").min().alias("start_utc"),
            pl.col("timestamp_utc").max().alias("end_utc"),
            pl.len().alias("n_reports"),
        )
        .select(
            "mmsi",
            "start_utc",
            "end_utc",
            pl.lit(0.8).alias("confidence"),
            details_expr(kind="no_fix", rule="position 91/181 (not available) or missing", n_reports=pl.col("n_reports")),
        )
    )


def _circles(grid: pl.DataFrame, config: SpoofingConfig, step_min: int) -> pl.DataFrame:
    """Windows of the resampled track that turn a full circle at speed and close on themselves."""
    window = max(2, int(round(config.circle_window_h * 60 / step_min)))
    # one sorted pass: shifted values count only within the same segment (no per-group windows)
    seg = pl.col("segment_id")
    same = lambda k: seg == seg.shift(k)  # noqa: E731
    prev_lat = pl.when(same(1)).then(pl.col("lat").shift(1))
    prev_lon = pl.when(same(1)).then(pl.col("lon").shift(1))
    g = grid.sort("segment_id", "timestamp_utc").with_columns(
        bearing_expr(prev_lat, prev_lon, pl.col("lat"), pl.col("lon")).alias("_brg"),
        haversine_expr(prev_lat, prev_lon, pl.col("lat"), pl.col("lon")).alias("_step_m"),
    )
    turn = pl.when(same(2)).then(((pl.col("_brg") - pl.col("_brg").shift(1) + 540.0) % 360.0) - 180.0)
    g = g.with_columns(turn.fill_null(0.0).alias("_turn"), pl.col("_step_m").fill_null(0.0))
    in_window = same(window)
    g = g.with_columns(
        pl.when(in_window).then(pl.col("_turn").rolling_sum(window)).alias("_turn_sum"),
        pl.when(in_window).then(pl.col("_turn").abs().rolling_sum(window)).alias("_turn_abs"),
        pl.when(in_window).then(pl.col("_turn").abs().rolling_max(window)).alias("_turn_max"),
        pl.when(in_window).then(pl.col("_step_m").rolling_sum(window)).alias("_path_m"),
        pl.when(in_window).then(pl.col("speed_kn").rolling_median(window)).alias("_speed"),
        pl.when(in_window)
        .then(haversine_expr(pl.col("lat").shift(window), pl.col("lon").shift(window), pl.col("lat"), pl.col("lon")))
        .alias("_disp_m"),
    )
    hit = (
        (pl.col("_turn_sum").abs() >= config.circle_min_turn_deg)
        & (pl.col("_speed") >= config.circle_min_speed_kn)
        & (pl.col("_disp_m") <= 0.5 * pl.col("_path_m"))
        # a smooth turn one way, not a racetrack of U-turns or a zig-zag
        & (pl.col("_turn_max") <= config.circle_max_step_turn_deg)
        & (pl.col("_turn_abs") <= 1.25 * pl.col("_turn_sum").abs())
    ).fill_null(False)
    flagged = g.with_columns(hit.alias("_hit")).with_columns(
        run_ids(["segment_id"], "timestamp_utc", step_min * 60_000_000, pl.col("_hit"))
    )
    circles = (
        flagged.filter(pl.col("_hit"))
        .group_by("run_id")
        .agg(
            pl.col("mmsi").first(),
            (pl.col("timestamp_utc").min() - pl.duration(minutes=step_min * window)).alias("start_utc"),
            pl.col("timestamp_utc").max().alias("end_utc"),
            pl.col("lat").mean(),
            pl.col("lon").mean(),
            pl.col("_turn_sum").abs().max().alias("turn_deg"),
            pl.col("_speed").median().alias("median_speed_kn"),
        )
    )
    return episode_rows(
        circles,
        0.7,
        kind="circle",
        rule=f"turn >= {config.circle_min_turn_deg} deg within {config.circle_window_h} h at >= "
        f"{config.circle_min_speed_kn} kn, ending near its start",
        turn_deg=pl.col("turn_deg").round(0),
        median_speed_kn=pl.col("median_speed_kn").round(2),
    )


def _track_patterns(points: pl.DataFrame, config: SpoofingConfig) -> list[pl.DataFrame]:
    if points.height == 0:
        return []
    tracks = Tracks.of(points)
    return [sog_mismatch(tracks, config), grid_regular(tracks, config)]


def detect_spoofing(
    points: pl.DataFrame,
    segments: pl.DataFrame,
    no_fix: pl.DataFrame,
    grid: pl.DataFrame,
    config: SpoofingConfig,
    min_dt_s: float = 60.0,
    step_min: int = 10,
    digest: str = "",
) -> pl.DataFrame:
    """Spoofing events (``schema.EVENTS``) from segmented points, segments, no-fix reports and the grid."""
    parts = [
        _jumps(points, segments, config, min_dt_s),
        _shared(segments, grid, config),
        _no_fix(no_fix, config),
        _circles(grid, config, step_min),
        *_track_patterns(points, config),
    ]
    parts = [p for p in parts if p.height]
    if not parts:
        return empty_events()
    return finish_events(pl.concat(parts, how="diagonal_relaxed"), "spoofing", digest)
