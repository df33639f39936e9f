"""Choosing between one-transaction and staged writing."""

from __future__ import annotations

import pytest

from darkfleet.errors import ConfigError
from darkfleet.ingest.batch import Source
from darkfleet.ingest.writer import uses_staging


def _source(size):
    return Source(name="x", source_id=0, open=lambda: None, size_bytes=size)  # type: ignore[arg-type,return-value]


def test_small_known_sources_are_direct_big_or_unknown_are_staged(monkeypatch):
    monkeypatch.delenv("DARKFLEET_STAGE_ABOVE_ROWS", raising=False)
    assert not uses_staging(_source(10_452_379), "noaa")  # the 100k-row NOAA sample
    assert not uses_staging(_source(569_166_119), "noaa")  # 5 M NOAA rows
    assert uses_staging(_source(1_138_332_239), "noaa")  # 10 M NOAA rows (~10.8 M estimated)
    assert uses_staging(_source(819_360_000), "nmea")  # 12.5 M NMEA lines
    assert uses_staging(_source(None), "nmea")  # .gz / zip member: size unknown


def test_threshold_is_configurable(monkeypatch):
    monkeypatch.setenv("DARKFLEET_STAGE_ABOVE_ROWS", "0")
    assert uses_staging(_source(100), "csv")
    monkeypatch.setenv("DARKFLEET_STAGE_ABOVE_ROWS", "lots")
    with pytest.raises(ConfigError, match="DARKFLEET_STAGE_ABOVE_ROWS"):
        uses_staging(_source(100), "csv")
