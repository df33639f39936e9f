"""Every output format reads back through ``darkfleet.ingest`` with identical positions."""

from __future__ import annotations

import polars as pl
import pytest

ingest = pytest.importorskip("darkfleet.ingest.driver", reason="darkfleet.ingest not available")

KEY = ["mmsi", "timestamp_utc", "lat", "lon", "sog_kn", "cog_deg"]


def _expected(tiny) -> pl.DataFrame:
    from darkfleet.ingest.sentinels import null_position_sentinels

    # On the air 91/181 and heading 511 mean "not available": every reader turns them into nulls.
    return null_position_sentinels(pl.from_arrow(tiny.positions))


def _sorted(frame: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    return frame.select(cols).sort(cols, nulls_last=True)


@pytest.mark.parametrize("fmt", ["parquet", "noaa", "nmea"])
def test_positions_round_trip(fmt, tiny, tiny_dirs):
    positions, static, summary = ingest.read([tiny_dirs[fmt] / "positions"])
    got = pl.from_arrow(positions)
    want = _expected(tiny)
    assert summary.totals.balanced and not summary.totals.rejected
    assert got.height == want.height
    cols = KEY + ["heading_deg", "msg_type"] + (["nav_status"] if fmt != "noaa" else [])
    if fmt == "nmea":
        cols.append("receiver")  # from the tag block's s: field (NOAA files carry none)
    a, b = _sorted(got, cols), _sorted(want, cols)
    for c in cols:
        assert a[c].to_list() == b[c].to_list(), c


def test_nmea_static_reports_round_trip(tiny, tiny_dirs):
    _, static, _ = ingest.read([tiny_dirs["nmea"] / "positions"])
    got = pl.from_arrow(static).filter(pl.col("msg_type") == 5)
    want = pl.from_arrow(tiny.static).filter(pl.col("msg_type") == 5)
    cols = ["mmsi", "timestamp_utc", "imo", "name", "callsign", "ship_type", "draught_m"]
    assert _sorted(got, cols).equals(_sorted(want, cols))
