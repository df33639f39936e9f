"""NOAA, DMA and generic CSV read exactly (values checked against the real files)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from ingest_helpers import ais_file

from darkfleet.ingest import read
from darkfleet.ingest.batch import ReadOptions

UTC = timezone.utc


def static_lines(table, mmsi):
    """Line numbers of a vessel's static rows: the first and last report of each run of equal values."""
    return sorted(r["line_no"] for r in table.to_pylist() if r["mmsi"] == mmsi)


def _row(table, **where):
    rows = [r for r in table.to_pylist() if all(r[k] == v for k, v in where.items())]
    assert len(rows) == 1, rows
    return rows[0]


@pytest.fixture(scope="module")
def noaa():
    return read([ais_file("noaa-marinecadastre-2022-01-03-100k.csv")])


def test_noaa_counts_balance_and_formats(noaa):
    positions, static, summary = noaa
    counts = summary.totals
    assert counts.lines_read == 100_000  # 99,999 rows + header
    assert counts.balanced
    assert counts.skipped == {"header": 1}
    assert counts.decoded + sum(counts.rejected.values()) == 99_999
    assert positions.num_rows == counts.decoded
    assert summary.sources[0].format == "noaa"
    assert set(counts.rejected) == {"invalid_mmsi"}  # e.g. 12345678, 122292919, 999999999


def test_noaa_row_values(noaa):
    positions, static, _ = noaa
    # line 1000: 368037000,2022-01-03T00:00:15,47.28316,-122.4082,0.0,143.9,309,ISLAND ENTERPRISE,IMO7710721,...
    p = _row(positions, line_no=1000)
    assert p["mmsi"] == 368037000
    assert p["timestamp_utc"] == datetime(2022, 1, 3, 0, 0, 15, tzinfo=UTC)
    assert (p["lat"], p["lon"]) == (47.28316, -122.4082)
    assert p["sog_kn"] == 0.0 and p["cog_deg"] == pytest.approx(143.9) and p["heading_deg"] == 309
    assert p["nav_status"] == 5 and p["msg_type"] == 1
    # line 2: CAZADOR, class B, heading 511 -> null, no status
    p = _row(positions, line_no=2)
    assert p["heading_deg"] is None and p["nav_status"] is None and p["msg_type"] == 18
    s = _row(static, mmsi=367379190, line_no=static_lines(static, 367379190)[0])  # EAGLE, IMO8207721, first row
    assert (s["imo"], s["imo_valid"], s["name"], s["callsign"]) == (8207721, True, "EAGLE", "WTD4583")
    assert (s["ship_type"], s["length_m"], s["width_m"]) == (31, 28.0, 11.0)
    assert s["draught_m"] == pytest.approx(3.3)


def test_noaa_sentinels_become_null(noaa):
    positions, _, _ = noaa
    cog = positions.column("cog_deg").drop_null().to_numpy()
    sog = positions.column("sog_kn").drop_null().to_numpy()
    heading = positions.column("heading_deg").drop_null().to_numpy()
    assert cog.max() < 360 and sog.max() < 102.3 and heading.max() < 360
    assert positions.column("heading_deg").null_count > 0


def test_dma_aisdk_read_exactly():
    positions, static, summary = read([ais_file("dma-aisdk-2018-06-01-sample.csv")])
    assert summary.sources[0].format == "dma"
    assert summary.totals.lines_read == 139 and summary.totals.balanced
    p = _row(positions, line_no=2)  # 01/06/2018 00:00:00,Class A,215810000,55.921028,17.320418,Constrained...
    assert p["mmsi"] == 215810000 and p["timestamp_utc"] == datetime(2018, 6, 1, tzinfo=UTC)
    assert (p["lat"], p["lon"], p["nav_status"], p["msg_type"], p["heading_deg"]) == (55.921028, 17.320418, 4, 1, 256)
    # line 33: ASTINA, a tanker reporting lat 91 / lon 181 (not available) with static data
    p = _row(positions, line_no=33)
    assert p["lat"] is None and p["lon"] is None
    s = _row(static, line_no=33)
    assert (s["mmsi"], s["imo"], s["imo_valid"], s["callsign"], s["name"]) == (266220000, 9320063, True, "SHZA", "ASTINA")
    assert (s["ship_type"], s["width_m"], s["length_m"], s["destination"]) == (80, 20.0, 130.0, "FREDERICIA")
    assert s["draught_m"] == pytest.approx(5.9)
    assert s["eta_utc"] == datetime(2019, 5, 31, 4, 0, tzinfo=UTC)
    # "Unknown" IMO, "Undefined" ship type become null, never a reject
    assert all(r["imo"] is None or r["imo"] > 1_000_000 for r in static.to_pylist())
    assert positions.column("msg_type").to_pylist().count(4) >= 3  # base stations (00MID)


def test_dma_with_leading_index_column():
    positions, _, summary = read([ais_file("dma-aisdk-2018-02-08-5rows.csv")])
    assert summary.totals.decoded == 10 and summary.totals.balanced
    p = _row(positions, line_no=5)  # 110,08/02/2018 00:00:00,Class A,266065000,...,Reserved ... [HSC],...,320.0
    assert (p["mmsi"], p["nav_status"], p["heading_deg"]) == (266065000, 9, 320)


def test_solent_generic_csv_by_autodetection():
    positions, static, summary = read([ais_file("solent-2016-01-12.csv")])
    assert summary.sources[0].format == "csv"
    assert positions.num_rows == 18_623 and static.num_rows == 0
    p = _row(positions, line_no=100)  # 2016-01-12 13:02:37.208,235013375,50.779,-1.108,16.4,17.2
    assert p["timestamp_utc"] == datetime(2016, 1, 12, 13, 2, 37, 208000, tzinfo=UTC)
    assert (p["mmsi"], p["lat"], p["lon"]) == (235013375, 50.779, -1.108)
    assert p["cog_deg"] == pytest.approx(16.4) and p["sog_kn"] == pytest.approx(17.2)


def test_mapped_columns(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("ship,when,y,x,speed\n"
                    "219000001,2024-03-01T10:00:00Z,55.5,10.25,12.5\n"
                    "219000001,1709287260,55.6,10.35,\n")
    positions, _, summary = read([path], ReadOptions(columns={"mmsi": "ship", "timestamp": "when", "lat": "y",
                                                              "lon": "x", "sog": "speed"}))
    assert summary.totals.decoded == 1 and summary.totals.rejected == {"bad_timestamp": 1}
    p = positions.to_pylist()[0]
    assert p["timestamp_utc"] == datetime(2024, 3, 1, 10, tzinfo=UTC) and p["sog_kn"] == 12.5


def test_static_only_parquet_becomes_static_rows(tmp_path):
    # a static/voyage table (darkfleet's own static export, a register) has no positions
    import polars as pl

    path = tmp_path / "static.parquet"
    pl.DataFrame({
        "mmsi": [219000001] * 4 + [219000002],
        "timestamp_utc": [datetime(2024, 3, 1, h, tzinfo=UTC) for h in (10, 11, 12, 13, 10)],
        "name": ["ALPHA", "ALPHA", "BRAVO", "ALPHA", None],
        "draught_m": [9.5, 9.5, 9.5, 12.0, None],
    }).write_parquet(path)
    positions, static, summary = read([path])
    assert positions.num_rows == 0 and summary.totals.balanced
    assert summary.totals.decoded == 5 and not summary.totals.rejected  # the empty report is read, carries nothing
    rows = [(r["mmsi"], r["timestamp_utc"].hour, r["name"], r["draught_m"]) for r in static.to_pylist()]
    # only the first and last report of each run are kept, and a return to an earlier identity
    # (ALPHA -> BRAVO -> ALPHA) is kept
    assert rows == [(219000001, 10, "ALPHA", 9.5), (219000001, 11, "ALPHA", 9.5), (219000001, 12, "BRAVO", 9.5),
                    (219000001, 13, "ALPHA", 12.0)]


def test_an_export_repeating_static_on_every_row_keeps_what_confirms_a_draught_change(tmp_path):
    # MarineCadastre-style rows repeat the draught on every position; a change counts only when
    # the next report confirms it and starts at the last report of the old draught, so the rows
    # kept must give the draught detector the same steps as every row would
    import polars as pl

    from darkfleet.config import DraughtConfig
    from darkfleet.detect.draught import draught_steps

    draughts = [9.5] * 5 + [14.0] + [9.5] * 2 + [12.0] * 4  # 14.0 is a one-report typo
    every_row = pl.DataFrame({
        "mmsi": [219000001] * len(draughts),
        "timestamp_utc": [datetime(2024, 3, 1, h, tzinfo=UTC) for h in range(len(draughts))],
        "draught_m": draughts,
        "length_m": [None] * len(draughts),
        "msg_type": [None] * len(draughts),  # copied from position rows, not a static message
    }, schema_overrides={"draught_m": pl.Float32, "length_m": pl.Float32, "msg_type": pl.Int8})
    path = tmp_path / "export.csv"
    path.write_text("mmsi,timestamp,lat,lon,draught\n" + "".join(
        f"219000001,2024-03-01T{h:02d}:00:00Z,55.5,10.25,{d}\n" for h, d in enumerate(draughts)))
    _, static, _ = read([path])
    kept = draught_steps(pl.from_arrow(static).sort("mmsi", "timestamp_utc"), DraughtConfig())
    expected = draught_steps(every_row, DraughtConfig())
    # 9.5 -> 12.0 first shown at 08:00; repeated rows may be stale, so the change may be up to
    # carried_static_lag_h (6 h) older than that, not only since the last 9.5 row at 07:00
    assert (2, 8, 2.5) in expected.select(pl.col("start_utc").dt.hour(), pl.col("end_utc").dt.hour(), "change_m").rows()
    assert kept.equals(expected.select(kept.columns))
    assert static.num_rows < len(draughts)


def test_unix_epoch_times(tmp_path):
    path = tmp_path / "epoch.csv"
    path.write_text("mmsi,timestamp,lat,lon\n219000001,1709287200,55.5,10.25\n219000001,1709287260500,55.6,10.3\n")
    positions, _, summary = read([path])
    assert positions.column("timestamp_utc").to_pylist() == [
        datetime(2024, 3, 1, 10, 0, tzinfo=UTC), datetime(2024, 3, 1, 10, 1, 0, 500000, tzinfo=UTC)]


@pytest.mark.parametrize("name", ["noaa-marinecadastre-2022-01-03-100k.csv", "solent-2016-01-12.csv"])
def test_fast_and_exact_passes_agree(name):
    from darkfleet.ingest.csv_readers import merge, read_csv
    from darkfleet.ingest.formats import detect
    from darkfleet.ingest.sources import expand_inputs

    source = expand_inputs([ais_file(name)])[0]
    _, layout = detect(source, ReadOptions())
    fast = merge(list(read_csv(source, layout, ReadOptions(), exact=False)))
    exact = merge(list(read_csv(source, layout, ReadOptions(), exact=True)))
    assert fast.positions.equals(exact.positions)
    assert fast.static.equals(exact.static)
    assert fast.counts == exact.counts


def test_malformed_rows_fall_back_to_exact_line_numbers(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("mmsi,timestamp,lat,lon\n219000001,2024-03-01T10:00:00,55.5,10.25\n219000001,2024-03-01\n"
                    "\n219000001,2024-03-01T10:00:09,55.7,10.5\n219000001,2024-03-01T10:00:10,55.8,abc\n")
    positions, _, summary = read([path])
    assert positions.column("line_no").to_pylist() == [2, 5]
    assert summary.totals.rejected == {"wrong_column_count": 1, "bad_number": 1}
    assert summary.totals.skipped == {"header": 1, "empty_row": 1}
    assert summary.totals.lines_read == 6 and summary.totals.balanced


def test_invalid_utf8_damages_one_field_not_the_file(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"mmsi,timestamp,lat,lon,name\n219000001,2024-03-01T10:00:00,55.5,10.25,K\xf8GE\n"
                     b"219000002,2024-03-01T10:00:01,55.6,10.3,ODIN\n")
    positions, static, summary = read([path])
    assert positions.column("mmsi").to_pylist() == [219000001, 219000002]
    assert static.column("name").to_pylist() == ["K\ufffdGE", "ODIN"]
    assert summary.totals.balanced and summary.totals.decoded == 2
