"""Hand partitions to workers as Arrow IPC files, and the task bodies workers run.

A task that reads its input from a file can be re-run anywhere: when a worker dies, the
scheduler simply runs its tasks again on another worker. (Data scattered into a worker's
memory would die with it.) Paths may be local or any fsspec URL that every worker sees.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import polars as pl

FrameFn = Callable[[pl.DataFrame], pl.DataFrame]


class Staging:
    """A folder (local path or fsspec URL) holding the IPC files of one engine."""

    def __init__(self, root: str) -> None:
        import fsspec

        self.url = root
        self.fs, self.root = fsspec.core.url_to_fs(root)
        self.fs.makedirs(self.root, exist_ok=True)
        self._written: list[str] = []

    def put(self, frame: pl.DataFrame) -> str:
        """Write ``frame`` for a task; return its URL (deleted by :meth:`clear`)."""
        url = write_frame(self.url, frame)
        self._written.append(url)
        return url

    def take(self, url: str) -> pl.DataFrame:
        """Read a frame a task wrote, deleting the file once read."""
        frame = load(url)
        self._written.append(url)
        return frame

    def clear(self) -> None:
        """Delete the files of finished tasks (inputs, and results already read)."""
        import fsspec

        for url in self._written:
            fs, path = fsspec.core.url_to_fs(url)
            if fs.exists(path):
                fs.rm_file(path)
        self._written.clear()


def write_frame(root: str, frame: pl.DataFrame, compression: str = "uncompressed") -> str:
    """Write ``frame`` under ``root`` (uncompressed by default: read back at disk speed); return its URL."""
    name = f"{root.rstrip('/')}/{uuid.uuid4().hex}.arrow"
    if "://" not in name:
        frame.write_ipc(name, compression=compression)  # type: ignore[arg-type]
        return name
    import fsspec

    with fsspec.open(name, "wb") as handle:
        frame.write_ipc(handle, compression=compression)  # type: ignore[arg-type]
    return name


@dataclass(frozen=True)
class FilePart:
    """One frame of an Arrow IPC file holding several: consecutive record batches of it."""

    url: str
    first_batch: int
    n_batches: int


def write_parts(root: str, frames: dict[int, pl.DataFrame], compression: str = "lz4") -> dict[int, FilePart]:
    """Write frames of one schema into ONE Arrow IPC file under ``root``, each as its own record
    batches, and return where each is. (A file per frame is simpler, but a split into thousands
    of small files spends seconds just creating and deleting them.)"""
    import pyarrow as pa

    name = f"{root.rstrip('/')}/{uuid.uuid4().hex}.arrow"
    tables = {key: frame.to_arrow() for key, frame in frames.items()}
    if not tables:
        return {}
    parts: dict[int, FilePart] = {}
    options = pa.ipc.IpcWriteOptions(compression=None if compression == "uncompressed" else compression)
    with _sink(name) as sink, pa.ipc.new_file(sink, next(iter(tables.values())).schema, options=options) as writer:
        written = 0
        for key, table in tables.items():
            batches = table.to_batches()
            for batch in batches:
                writer.write_batch(batch)
            parts[key] = FilePart(name, written, len(batches))
            written += len(batches)
    return parts


def load_part(part: FilePart) -> pl.DataFrame:
    """Read one frame :func:`write_parts` wrote (only its own batches are read)."""
    return load_parts([part])


def load_parts(parts: Sequence[FilePart]) -> pl.DataFrame:
    """Frames :func:`write_parts` wrote, concatenated in the order given; each file is opened
    once however many of its parts are asked for."""
    import pyarrow as pa

    with ExitStack() as stack:
        readers: dict[str, Any] = {}
        batches = []
        for part in parts:
            if part.url not in readers:
                readers[part.url] = pa.ipc.open_file(stack.enter_context(_source(part.url)))
            reader = readers[part.url]
            batches.extend(reader.get_batch(i) for i in range(part.first_batch, part.first_batch + part.n_batches))
        schema = next(iter(readers.values())).schema if readers else None
        return pl.from_arrow(pa.Table.from_batches(batches, schema=schema))  # type: ignore[return-value]


@contextmanager
def _sink(url: str) -> Iterator[Any]:
    if "://" not in url:
        with open(url, "wb") as handle:
            yield handle
        return
    import fsspec

    with fsspec.open(url, "wb") as handle:
        yield handle


@contextmanager
def _source(url: str) -> Iterator[Any]:
    if "://" not in url:
        import pyarrow as pa

        with pa.OSFile(url, "rb") as handle:  # random access: only the batches asked for are read
            yield handle
        return
    import fsspec

    with fsspec.open(url, "rb") as handle:
        yield handle


def load(source: str | pl.DataFrame) -> pl.DataFrame:
    """A task's input: a staged file URL, or a frame shipped inside the task itself."""
    if isinstance(source, pl.DataFrame):
        return source
    if "://" not in source:
        return pl.read_ipc(source)
    import fsspec

    with fsspec.open(source, "rb") as handle:
        return pl.read_ipc(handle)


def _result(frame: pl.DataFrame, out_root: str | None) -> str | pl.DataFrame:
    # results travel back through the staging folder too: a file read beats pickling over a socket
    return write_frame(out_root, frame) if out_root else frame


def run_group_task(source: str | pl.DataFrame, fn: FrameFn, out_root: str | None = None) -> str | pl.DataFrame:
    """Body of a ``map_groups`` task."""
    return _result(fn(load(source)), out_root)


def run_cell_task(
    source: str | pl.DataFrame, blocks: pl.DataFrame, fn: FrameFn, cell_cols: Sequence[str], block_cells: int,
    out_root: str | None = None, sink: FrameFn | None = None,
) -> str | pl.DataFrame:
    """Body of a ``map_cells`` task: run ``fn`` on core + halo rows, keep what the core owns
    (passed through ``sink`` when given)."""
    from darkfleet.engine.partition import keep_owned

    owned = keep_owned(fn(load(source)), cell_cols, blocks, block_cells)
    return _result(sink(owned) if sink else owned, out_root)
