"""Same seed -> same scenario, whatever the chunking; another seed -> another scenario."""

from __future__ import annotations

import hashlib

from darkfleet.simulate import simulate, write_scenario


def test_chunking_does_not_change_any_table(tiny):
    again = simulate("tiny", seed=0, chunk_units=7)
    assert again.positions.equals(tiny.positions)
    assert again.static.equals(tiny.static)
    assert again.truth.equals(tiny.truth)
    assert again.benign.equals(tiny.benign)
    assert again.vessels.equals(tiny.vessels)


def test_another_seed_gives_another_scenario(tiny):
    other = simulate("tiny", seed=1)
    assert not other.positions.equals(tiny.positions)
    assert set(other.vessels["mmsi"].to_pylist()) != set(tiny.vessels["mmsi"].to_pylist())


def _digest(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "scenario.json"}


def test_same_seed_writes_identical_bytes(tiny_dirs, tmp_path):
    write_scenario("tiny", 0, tmp_path / "nmea", "nmea")
    assert _digest(tmp_path / "nmea") == _digest(tiny_dirs["nmea"])


def test_truth_and_registry_do_not_depend_on_the_output_format(tiny_dirs, tiny):
    import pyarrow.parquet as pq

    for fmt in ("parquet", "noaa", "nmea"):
        assert pq.read_table(tiny_dirs[fmt] / "truth.parquet").equals(tiny.truth), fmt
        assert pq.read_table(tiny_dirs[fmt] / "benign.parquet").equals(tiny.benign), fmt
        assert pq.read_table(tiny_dirs[fmt] / "vessels.parquet").equals(tiny.vessels), fmt
