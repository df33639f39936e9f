"""Turn user inputs (files, folders, globs, .gz/.bz2/.zip) into :class:`Source` objects.

Each plain or compressed file is one source; each member of a zip archive is one source
named ``archive.zip:member``. Sources open fresh, decompressed binary streams, so readers
never care about compression. A source's identity for re-ingest dedupe is the SHA-256
of its decompressed bytes, computed by streaming.
"""

from __future__ import annotations

import bz2
import glob
import gzip
import hashlib
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import IO

from darkfleet.errors import InputError
from darkfleet.ingest.batch import Source

_CHUNK_BYTES = 1 << 20
_OPENERS: dict[str, Callable[[Path], IO[bytes]]] = {
    ".gz": lambda p: gzip.open(p, "rb"),
    ".bz2": lambda p: bz2.open(p, "rb"),
}


def _open_plain(path: Path) -> IO[bytes]:
    return open(path, "rb")


def _open_member(archive: Path, member: str) -> IO[bytes]:
    # The ZipFile stays referenced by the member stream and closes with the process;
    # readers open each member once or twice, so this does not accumulate.
    return zipfile.ZipFile(archive).open(member)


def _expand_one(item: str) -> list[Path]:
    """Paths for one user argument: a file, a folder (recursive) or a glob pattern."""
    path = Path(item)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        if not files:
            raise InputError("folder contains no files: pass a folder with AIS files", path=path)
        return files
    if path.is_file():
        return [path]
    if glob.has_magic(item):
        matches = sorted(Path(p) for p in glob.glob(item, recursive=True) if Path(p).is_file())
        if not matches:
            raise InputError("glob pattern matches no file: check the pattern and quote it", path=item)
        return matches
    raise InputError("file not found: check the path", path=item)


def _sources_of(path: Path) -> list[Source]:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
        except zipfile.BadZipFile as exc:
            raise InputError(f"not a readable zip archive ({exc}): re-download or unzip it first", path=path) from exc
        if not members:
            raise InputError("zip archive is empty: pass an archive with AIS files", path=path)
        return [
            Source(name=f"{path}:{m.filename}", source_id=0, open=partial(_open_member, path, m.filename),
                   size_bytes=m.file_size, path=path)
            for m in members
        ]
    opener = _OPENERS.get(suffix, _open_plain)
    size = path.stat().st_size if opener is _open_plain else None
    return [Source(name=str(path), source_id=0, open=partial(opener, path), size_bytes=size, path=path)]


def expand_inputs(inputs: list[str | Path]) -> list[Source]:
    """All sources for the user's inputs, in a stable order (source_id assigned later)."""
    if not inputs:
        raise InputError("no input given: pass files, folders or globs of AIS data")
    sources: list[Source] = []
    seen: set[str] = set()
    for item in inputs:
        for path in _expand_one(str(item)):
            for source in _sources_of(path):
                if source.name not in seen:
                    seen.add(source.name)
                    sources.append(source)
    return sources


def content_sha256(source: Source) -> str:
    """SHA-256 of the decompressed bytes, streamed in 1 MiB chunks."""
    digest = hashlib.sha256()
    try:
        with source.open() as stream:
            while chunk := stream.read(_CHUNK_BYTES):
                digest.update(chunk)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read file ({exc}): check it is not truncated or corrupt", path=source.name) from exc
    return digest.hexdigest()


def head_bytes(source: Source, size: int = 4096) -> bytes:
    """The first ``size`` decompressed bytes (for format sniffing)."""
    try:
        with source.open() as stream:
            return stream.read(size)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read file ({exc}): check it is not truncated or corrupt", path=source.name) from exc
