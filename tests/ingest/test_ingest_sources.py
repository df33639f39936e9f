"""Inputs as files, folders, globs and .gz/.bz2/.zip archives; content hashes."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import zipfile

import pytest
from ingest_helpers import ais_file

from darkfleet.errors import InputError
from darkfleet.ingest import read
from darkfleet.ingest.sources import content_sha256, expand_inputs

CSV = "mmsi,timestamp,lat,lon\n219000001,2024-03-01T10:00:00,55.5,10.25\n219000002,2024-03-01T10:00:05,55.6,10.3\n"


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b").mkdir()
    (tmp_path / "a" / "one.csv").write_text(CSV)
    (tmp_path / "a" / "b" / "two.csv.gz").write_bytes(gzip.compress(CSV.replace("219", "220").encode()))
    (tmp_path / "three.csv.bz2").write_bytes(bz2.compress(CSV.replace("219", "265").encode()))
    with zipfile.ZipFile(tmp_path / "pack.zip", "w") as archive:
        archive.writestr("x.csv", CSV.replace("219", "273"))
        archive.writestr("dir/y.csv", CSV.replace("219", "636"))
    return tmp_path


def test_folder_is_recursive(tree):
    names = [s.name for s in expand_inputs([tree / "a"])]
    assert names == [str(tree / "a" / "b" / "two.csv.gz"), str(tree / "a" / "one.csv")]
    positions, _, summary = read([tree / "a"])
    assert sorted(set(positions.column("mmsi").to_pylist())) == [219000001, 219000002, 220000001, 220000002]
    assert summary.totals.balanced


def test_zip_members_are_sources(tree):
    sources = expand_inputs([tree / "pack.zip"])
    assert [s.name for s in sources] == [f"{tree / 'pack.zip'}:x.csv", f"{tree / 'pack.zip'}:dir/y.csv"]
    positions, _, _ = read([tree / "pack.zip"])
    assert positions.num_rows == 4
    assert {m // 1_000_000 for m in positions.column("mmsi").to_pylist()} == {273, 636}


def test_glob_and_bz2(tree):
    positions, _, summary = read([str(tree / "*.bz2")])
    assert positions.column("mmsi").to_pylist() == [265000001, 265000002]
    assert [s.name for s in summary.sources] == [str(tree / "three.csv.bz2")]


def test_hash_is_of_decompressed_content(tree):
    plain = expand_inputs([tree / "a" / "one.csv"])[0]
    assert content_sha256(plain) == hashlib.sha256(CSV.encode()).hexdigest()
    (tree / "same.csv.gz").write_bytes(gzip.compress(CSV.encode()))
    assert content_sha256(expand_inputs([tree / "same.csv.gz"])[0]) == content_sha256(plain)


def test_gzip_real_nmea_is_a_source():
    source = expand_inputs([ais_file("dma-nmea-2013-11-12-5min.txt.gz")])[0]
    with source.open() as stream:
        assert stream.read(12) == b"\\si:AISD*3F\\"


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p / "missing.csv", "file not found"),
    (lambda p: p / "nothing-*.csv", "matches no file"),
])
def test_missing_inputs(tmp_path, make, message):
    with pytest.raises(InputError, match=message):
        expand_inputs([make(tmp_path)])


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no files"):
        expand_inputs([tmp_path / "empty"])
