"""AIS gaps: every silence of a vessel of at least ``min_gap_h``, with reception evidence.

A gap alone proves nothing: satellites and shore stations miss vessels. Following Welch et
al. (2022, Science Advances), a gap is a *likely disabling* only when it is long (>= 12 h)
and reception was good where the vessel should have been. Reception is measured from the
data itself: along the straight path between the last and the first report, for every
hour of the silence, were other vessels heard in the same ``reception_cell_deg`` cell?
A gap inside a coverage hole has nobody heard around it, so it is not flagged.
"""

from __future__ import annotations

import polars as pl

from darkfleet.config import GapConfig
from darkfleet.detect.events import details_expr, finish_events
from darkfleet.detect.geo import M_PER_NM, haversine_expr
from darkfleet.detect.ports_index import PortIndex
from darkfleet.detect.runs import US_PER_H


def find_gaps(positions: pl.DataFrame, min_gap_h: float) -> pl.DataFrame:
    """Consecutive reports of one MMSI at least ``min_gap_h`` apart (positions sorted by mmsi, time)."""
    t = pl.col("timestamp_utc")
    same = pl.col("mmsi") == pl.col("mmsi").shift(1)
    return (
        positions.select("mmsi", "timestamp_utc", "lat", "lon")
        .with_columns(
            t.shift(1).alias("start_utc"),
            pl.col("lat").shift(1).alias("start_lat"),
            pl.col("lon").shift(1).alias("start_lon"),
            same.alias("_same"),
        )
        .filter(pl.col("_same") & ((t - pl.col("start_utc")).dt.total_microseconds() >= min_gap_h * US_PER_H))
        .select(
            "mmsi",
            "start_utc",
            pl.col("timestamp_utc").alias("end_utc"),
            "start_lat",
            "start_lon",
            pl.col("lat").alias("end_lat"),
            pl.col("lon").alias("end_lon"),
        )
        .with_columns(
            ((pl.col("end_utc") - pl.col("start_utc")).dt.total_microseconds() / US_PER_H).alias("duration_h"),
            haversine_expr(pl.col("start_lat"), pl.col("start_lon"), pl.col("end_lat"), pl.col("end_lon")).alias(
                "distance_m"
            ),
        )
        .with_columns((pl.col("distance_m") / M_PER_NM / pl.col("duration_h")).alias("implied_speed_kn"))
        .with_row_index("gap_index")
    )


def heard_counts(positions: pl.DataFrame, cell_deg: float) -> pl.DataFrame:
    """Distinct vessels heard per (cell, hour): the reception evidence. Counts of disjoint sets
    of vessels (e.g. MMSI partitions) add up."""
    keys = ["cy", "cx", "hour", "mmsi"]
    # a vessel sorted by time repeats its (cell, hour) for many reports in a row: dropping the
    # repeats first leaves the hash-based unique a few per cent of the rows
    repeat = pl.all_horizontal([pl.col(k) == pl.col(k).shift(1) for k in keys]).fill_null(False)
    return (
        positions.select(
            (pl.col("lat") / cell_deg).floor().cast(pl.Int64).alias("cy"),
            (pl.col("lon") / cell_deg).floor().cast(pl.Int64).alias("cx"),
            (pl.col("timestamp_utc").dt.epoch("us") // US_PER_H).alias("hour"),
            "mmsi",
        )
        .filter(~repeat)
        .unique()
        .group_by("cy", "cx", "hour")
        .agg(pl.len().cast(pl.Int64).alias("n_vessels"))
    )


def reception_along_gaps(heard: pl.DataFrame, gaps: pl.DataFrame, cell_deg: float) -> pl.DataFrame:
    """Per gap: hours of silence, hours in which other vessels were heard in the cell the vessel
    would have crossed, and the vessel-hours heard (``heard`` from :func:`heard_counts`)."""
    if gaps.height == 0:
        return gaps.select("gap_index").with_columns(
            pl.lit(0, pl.Int64).alias("gap_hours"), pl.lit(0, pl.Int64).alias("heard_hours"),
            pl.lit(0, pl.Int64).alias("others_heard"),
        )
    start_us = pl.col("start_utc").dt.epoch("us")
    end_us = pl.col("end_utc").dt.epoch("us")
    path = (
        gaps.select("gap_index", "mmsi", "start_utc", "end_utc", "start_lat", "start_lon", "end_lat", "end_lon")
        .with_columns(pl.int_ranges(start_us // US_PER_H + 1, end_us // US_PER_H).alias("hour"))
        .explode("hour")
        .filter(pl.col("hour").is_not_null())
        .with_columns(((pl.col("hour") * US_PER_H - start_us) / (end_us - start_us)).alias("_f"))
        .with_columns(
            (pl.col("start_lat") + pl.col("_f") * (pl.col("end_lat") - pl.col("start_lat"))).alias("_lat"),
            (pl.col("start_lon") + pl.col("_f") * (pl.col("end_lon") - pl.col("start_lon"))).alias("_lon"),
        )
        .with_columns(
            (pl.col("_lat") / cell_deg).floor().cast(pl.Int64).alias("cy"),
            (pl.col("_lon") / cell_deg).floor().cast(pl.Int64).alias("cx"),
        )
        .join(heard, on=["cy", "cx", "hour"], how="left")
        .group_by("gap_index")
        .agg(
            pl.len().cast(pl.Int64).alias("gap_hours"),
            (pl.col("n_vessels").fill_null(0) > 0).sum().cast(pl.Int64).alias("heard_hours"),
            pl.col("n_vessels").fill_null(0).sum().cast(pl.Int64).alias("others_heard"),
        )
    )
    return gaps.select("gap_index").join(path, on="gap_index", how="left").with_columns(
        pl.col("gap_hours", "heard_hours", "others_heard").fill_null(0)
    )


def detect_gaps(
    positions: pl.DataFrame, config: GapConfig, ports: PortIndex | None = None, in_port_radius_m: float = 10_000.0,
    digest: str = "",
) -> pl.DataFrame:
    """Gap events (``schema.EVENTS``) from clean positions sorted by mmsi then time."""
    gaps = find_gaps(positions, config.min_gap_h)
    heard = heard_counts(positions, config.reception_cell_deg) if gaps.height else pl.DataFrame()
    return gap_events(gaps, heard, config, ports, in_port_radius_m, digest)


def gap_events(
    gaps: pl.DataFrame, heard: pl.DataFrame, config: GapConfig, ports: PortIndex | None = None,
    in_port_radius_m: float = 10_000.0, digest: str = "",
) -> pl.DataFrame:
    """Gap events from :func:`find_gaps` rows and the reception evidence of :func:`heard_counts`."""
    gaps = gaps.drop("gap_index").with_row_index("gap_index")
    gaps = gaps.join(reception_along_gaps(heard, gaps, config.reception_cell_deg), on="gap_index", how="left")
    fraction = pl.when(pl.col("gap_hours") > 0).then(pl.col("heard_hours") / pl.col("gap_hours")).otherwise(0.0)
    gaps = gaps.with_columns(fraction.alias("reception_fraction"))
    disabling = (pl.col("duration_h") >= config.disabling_min_h) & (
        pl.col("reception_fraction") >= config.min_reception_fraction
    )
    in_port = pl.lit(False)
    if ports is not None and gaps.height:
        d_start = ports.distance_m(gaps["start_lat"].to_numpy(), gaps["start_lon"].to_numpy(), in_port_radius_m)
        d_end = ports.distance_m(gaps["end_lat"].to_numpy(), gaps["end_lon"].to_numpy(), in_port_radius_m)
        gaps = gaps.with_columns(pl.Series("_in_port", (d_start <= in_port_radius_m) | (d_end <= in_port_radius_m)))
        in_port = pl.col("_in_port")
    events = gaps.with_columns(disabling.alias("likely_disabling")).select(
        "mmsi",
        "start_utc",
        "end_utc",
        pl.col("start_lat").alias("lat"),
        pl.col("start_lon").alias("lon"),
        # the silence itself is certain; confidence is that of deliberate disabling
        pl.when(pl.col("likely_disabling")).then(0.5 + 0.5 * pl.col("reception_fraction")).otherwise(
            0.5 * pl.col("reception_fraction")
        ).alias("confidence"),
        in_port.alias("in_port"),
        details_expr(
            rule=f"silence >= {config.min_gap_h} h; likely_disabling if >= {config.disabling_min_h} h and "
            f"reception_fraction >= {config.min_reception_fraction}",
            duration_h=pl.col("duration_h").round(3),
            distance_m=pl.col("distance_m").round(1),
            implied_speed_kn=pl.col("implied_speed_kn").round(3),
            start_lat=pl.col("start_lat"),
            start_lon=pl.col("start_lon"),
            end_lat=pl.col("end_lat"),
            end_lon=pl.col("end_lon"),
            gap_hours=pl.col("gap_hours"),
            heard_hours=pl.col("heard_hours"),
            others_heard_vessel_hours=pl.col("others_heard"),
            reception_fraction=pl.col("reception_fraction").round(3),
            likely_disabling=pl.col("likely_disabling"),
        ),
    )
    return finish_events(events, "gap", digest)
