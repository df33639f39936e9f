"""Choosing an engine by name, from Python and from ``darkfleet detect --engine``."""

from __future__ import annotations

import sys

import pyarrow.parquet as pq
import pytest

from darkfleet.cli import main
from darkfleet.engine.embedded import EmbeddedEngine
from darkfleet.engine.factory import engine_options, get_engine
from darkfleet.errors import ConfigError, MissingExtraError


def test_embedded_by_name_and_unknown_names_refused() -> None:
    assert isinstance(get_engine("embedded"), EmbeddedEngine)
    with pytest.raises(ConfigError, match="unknown engine 'spark'"):
        get_engine("spark")
    with pytest.raises(ConfigError, match="takes no options"):
        get_engine("embedded", workers=3)


def test_cli_options_map_to_engine_options() -> None:
    assert engine_options("dask", None, 3) == {"workers": 3}
    assert engine_options("dask", "tcp://10.0.0.5:8786", 3) == {"scheduler": "tcp://10.0.0.5:8786"}
    assert engine_options("embedded", None, 2) == {}
    with pytest.raises(ConfigError, match="--scheduler needs --engine dask"):
        engine_options("embedded", "tcp://10.0.0.5:8786", 2)


def test_missing_dask_names_the_extra(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    with pytest.raises(MissingExtraError) as info:
        get_engine("dask")
    assert info.value.context["extra"] == "dask"
    assert "pip install 'darkfleet[dask]'" in str(info.value)
    with pytest.raises(SystemExit) as exit_info:
        main(["detect", "--db", str(tmp_path / "x.duckdb"), "--out", str(tmp_path / "o"), "--engine", "dask"])
    assert exit_info.value.code == 2
    assert "darkfleet[dask]" in capsys.readouterr().err


def test_bad_dask_option_is_a_config_error() -> None:
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    with pytest.raises(ConfigError, match="at least 1"):
        get_engine("dask", workers=0)
    with pytest.raises(ConfigError, match="block_cells"):
        get_engine("dask", block_cells=2)
    with pytest.raises(ConfigError, match="bad option"):
        get_engine("dask", cores=4)


def test_unreachable_scheduler_is_a_config_error() -> None:
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        get_engine("dask", scheduler="tcp://127.0.0.1:9", connect_timeout_s=2)


def test_cli_engine_dask_writes_the_embedded_events(tmp_path) -> None:
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    from darkfleet.simulate import simulate

    scenario = simulate("tiny", seed=5)
    source = tmp_path / "positions.parquet"
    pq.write_table(scenario.positions, source)
    main(["detect", str(source), "--out", str(tmp_path / "emb")])
    main(["detect", str(source), "--out", str(tmp_path / "dask"), "--engine", "dask", "--workers", "2"])
    embedded = pq.read_table(tmp_path / "emb" / "events.parquet")
    assert embedded.num_rows > 10
    assert pq.read_table(tmp_path / "dask" / "events.parquet").equals(embedded)
