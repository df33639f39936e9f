"""``darkfleet detect --db PATH --since DATE`` re-processes only the new days (plus the overlap
that boundary-straddling events need) and gives exactly the events of a full rerun."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from darkfleet import schema
from darkfleet.cli import main
from darkfleet.store import Store

SINCE = datetime(2026, 1, 13, tzinfo=timezone.utc)  # the scenario runs 5-14 January


@pytest.fixture(scope="module")
def scenario():
    from darkfleet.simulate import simulate

    return simulate("tiny", seed=1, hours=240)


def _split(table: pa.Table, before: bool) -> pa.Table:
    early = pc.less(table["timestamp_utc"], pa.scalar(SINCE, schema.UTC_TS))
    return table.filter(early if before else pc.invert(early))


def _store(path, scenario, before: bool | None) -> None:
    with Store(path) as store:
        store.ensure_ingest_tables()
        for name in ("positions", "static"):
            table = getattr(scenario, name)
            store.append(name, table if before is None else _split(table, before))


def _events(out_dir) -> pa.Table:
    return pq.read_table(out_dir / "events.parquet")


@pytest.fixture(scope="module")
def runs(scenario, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("incremental")
    full_db, inc_db = tmp / "full.duckdb", tmp / "inc.duckdb"
    _store(full_db, scenario, None)
    main(["detect", "--db", str(full_db), "--out", str(tmp / "full")])
    _store(inc_db, scenario, True)
    main(["detect", "--db", str(inc_db), "--out", str(tmp / "before")])
    _store(inc_db, scenario, False)  # the new days arrive
    main(["detect", "--db", str(inc_db), "--out", str(tmp / "since"), "--since", SINCE.date().isoformat()])
    return tmp


def test_since_gives_the_events_of_a_full_rerun(runs) -> None:
    full, since = _events(runs / "full"), _events(runs / "since")
    assert full.num_rows > 200
    assert since["event_id"].to_pylist() == full["event_id"].to_pylist()
    assert since.equals(full)
    # the stored events are replaced by the merged set too
    with Store(runs / "inc.duckdb", read_only=True) as inc, Store(runs / "full.duckdb", read_only=True) as ref:
        query = "SELECT * FROM events ORDER BY event_id"
        assert inc.arrow(query).equals(ref.arrow(query))


def test_since_changes_events_across_the_boundary_and_reads_less(runs, scenario) -> None:
    before, full = _events(runs / "before"), _events(runs / "full")
    # the new days extend or add events: the first run alone is not the answer
    assert set(before["event_id"].to_pylist()) != set(full["event_id"].to_pylist())
    read = json.loads((runs / "since" / "summary.json").read_text())["read"]
    assert datetime.fromisoformat(read["window_start_utc"]) < SINCE
    assert 0 < read["window_positions"] < scenario.positions.num_rows


def test_since_refuses_a_store_never_processed(scenario, tmp_path, capsys) -> None:
    db = tmp_path / "fresh.duckdb"
    _store(db, scenario, None)
    with pytest.raises(SystemExit) as exit_info:
        main(["detect", "--db", str(db), "--out", str(tmp_path / "o"), "--since", "2026-01-13"])
    assert exit_info.value.code == 2
    assert "previous 'darkfleet detect --db' run" in capsys.readouterr().err


def test_since_refuses_other_settings(runs, tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["detect", "--db", str(runs / "inc.duckdb"), "--out", str(tmp_path / "o"), "--since", "2026-01-13",
              "--preset", "tanker_sts"])
    assert exit_info.value.code == 2
    assert "other detection settings" in capsys.readouterr().err


def test_since_needs_a_store(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["detect", "x.csv", "--out", str(tmp_path / "o"), "--since", "2026-01-13"])
    assert exit_info.value.code == 2
    assert "--since needs --db" in capsys.readouterr().err


def test_merge_keeps_old_events_the_window_does_not_own() -> None:
    from datetime import timedelta

    from darkfleet.detect.incremental import Window, merge_events

    def ev(event_id: str, kind: str, mmsi: int, start_h: int, other: int | None = None) -> dict:
        t = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(hours=start_h)
        return {"event_id": event_id, "event_type": kind, "mmsi": mmsi, "other_mmsi": other, "start_utc": t, "end_utc": t}

    window = Window(datetime(2026, 1, 2, tzinfo=timezone.utc), timedelta(hours=24),
                    {7: datetime(2026, 1, 1, tzinfo=timezone.utc)})  # vessel 7 read a day earlier
    old = pl.DataFrame([ev("o1", "gap", 1, 10), ev("o2", "gap", 1, 50), ev("o3", "loitering", 7, 30),
                        ev("o4", "loitering", 7, 20), ev("o5", "encounter", 1, 30, 7)])
    new = pl.DataFrame([ev("n1", "gap", 1, 50), ev("n2", "loitering", 7, 30), ev("n3", "encounter", 1, 30, 7),
                        ev("n4", "loitering", 7, 20)])
    merged = merge_events(old, new, window)
    # gaps need everyone's data: the window owns them from 3 Jan; vessel 7's own events from 2 Jan;
    # the encounter of 1 and 7 only once both vessels are warm (3 Jan)
    assert sorted(merged["event_id"].to_list()) == ["n1", "n2", "o1", "o4", "o5"]


def test_since_again_on_dask_is_idempotent(runs) -> None:
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    # the store now holds the merged events; re-running the same days on the other engine changes nothing
    main(["detect", "--db", str(runs / "inc.duckdb"), "--out", str(runs / "again"), "--since", SINCE.date().isoformat(),
          "--engine", "dask", "--workers", "2"])
    assert _events(runs / "again").equals(_events(runs / "full"))
    summary = json.loads((runs / "again" / "summary.json").read_text())
    assert summary["engine"] == "dask"
