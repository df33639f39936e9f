"""Pure partitioning plans for distributed engines: no cluster, no I/O, just frames.

* :func:`range_partitions` (one integer key, e.g. MMSI) and :func:`hash_partitions` (any
  keys) split a frame into parts that each hold complete groups of the key columns (rows
  keep their relative order inside a part).
* :func:`cell_tasks` groups space cells into square blocks, packs blocks into a few tasks
  of similar size, and gives every task the rows of its blocks plus a halo of neighbour
  cells, each row at most once per task. :func:`keep_owned` then drops the results a task
  found in its halo, so a pair on a block boundary is reported by exactly one task.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

# positions per MMSI-range partition of a run too large for memory: the per-vessel stages
# take about 400 bytes per position, so ~1 GB per partition
DEFAULT_PARTITION_ROWS = 2_500_000
# grid points per task of a big cell search (dense ports give many pairs per point)
CELL_TASK_ROWS = 250_000
HASH_SEED = 0x5EED  # fixed, so the same input always lands in the same partitions
_TASK = "_df_task"
_BY, _BX = "_df_block_y", "_df_block_x"
_BLOCK_SPAN = 1 << 24  # block columns per block row in a packed block id (|column| < 2**23)


def hash_partitions(frame: pl.DataFrame, by: str | Sequence[str], n_parts: int) -> list[pl.DataFrame]:
    """Non-empty parts of ``frame``; every group of ``by`` lies wholly in one part."""
    keys = [by] if isinstance(by, str) else list(by)
    if frame.height == 0 or n_parts <= 1:
        return [frame] if frame.height else []
    part = (pl.struct(keys).hash(seed=HASH_SEED) % n_parts).alias(_TASK)
    parts = frame.with_columns(part).partition_by(_TASK, maintain_order=True, include_key=False, as_dict=True)
    return [parts[key] for key in sorted(parts)]


def range_partitions(frame: pl.DataFrame, key: str, n_parts: int) -> list[pl.DataFrame]:
    """Non-empty parts holding consecutive ranges of an integer ``key`` (whole groups), balanced
    by row count and returned in key order.

    Where the frame can be cut into slices whose keys are all below the next slice's (always on
    a frame sorted by ``key``, e.g. positions by MMSI; also on one nearly sorted, e.g. points by
    MMSI whose segment ids interleave within a vessel) the parts are zero-copy slices; otherwise
    rows are routed by value range, keeping their relative order. Either way, results
    concatenated part by part stay sorted by ``key`` whenever ``fn`` sorts by it, so no global
    sort is needed afterwards."""
    if frame.height == 0:
        return []
    if n_parts <= 1:
        return [frame]
    keys = frame[key].to_numpy()
    targets = (np.arange(1, n_parts) * frame.height) // n_parts
    slices = _clean_cut_slices(frame, keys, targets, n_parts)
    if slices is not None:
        return slices
    splits = np.unique(np.partition(keys, targets)[targets])
    part = np.searchsorted(splits, keys, side="right")
    parts = frame.with_columns(pl.Series(_TASK, part)).partition_by(_TASK, maintain_order=True, include_key=False, as_dict=True)
    return [parts[k] for k in sorted(parts)]


def _clean_cut_slices(frame: pl.DataFrame, keys: np.ndarray, targets: np.ndarray,
                      n_parts: int) -> list[pl.DataFrame] | None:
    """Slices of ``frame`` cut at the first clean row at or after each target (a row before
    which every key is below every key from it on, so groups stay whole), or None when the
    clean rows cannot give parts of at most twice the even share (an unsorted frame). On a
    sorted frame every group start is clean and a lone big group is accepted as it is."""
    clean_rows = np.flatnonzero(np.maximum.accumulate(keys[:-1]) < np.minimum.accumulate(keys[::-1])[::-1][1:]) + 1
    if clean_rows.size == 0:
        return [frame] if (keys == keys[0]).all() else None
    cuts = np.unique(clean_rows[np.minimum(np.searchsorted(clean_rows, targets), len(clean_rows) - 1)])
    bounds = [0, *[int(c) for c in cuts if 0 < c < frame.height], frame.height]
    sorted_keys = clean_rows.size == np.count_nonzero(keys[1:] != keys[:-1])
    if not sorted_keys and max(np.diff(bounds)) > 2 * frame.height / n_parts:
        return None
    return [frame.slice(a, b - a) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


@dataclass(frozen=True)
class CellTask:
    """One unit of work of a cell search: its rows (core and halo) and the blocks it owns."""

    rows: pl.DataFrame
    blocks: pl.DataFrame  # columns _df_block_y, _df_block_x: the cores whose results it keeps


def _block(col: str, offset: int, block_cells: int) -> pl.Expr:
    # floor division keeps negative cells (southern and western hemispheres) in the right block
    return ((pl.col(col) + offset) // block_cells).cast(pl.Int64)


def _block_id(cell_cols: Sequence[str], block_cells: int, dy: int = 0, dx: int = 0) -> pl.Expr:
    """One int64 per block (row of blocks, then column) of the cell ``(dy, dx)`` cells away."""
    cy, cx = cell_cols
    return _block(cy, dy, block_cells) * _BLOCK_SPAN + _block(cx, dx, block_cells)


def cell_tasks(
    frame: pl.DataFrame, cell_cols: Sequence[str], n_tasks: int, block_cells: int = 5, halo: int = 1
) -> list[CellTask]:
    """Tasks covering every block of ``block_cells`` x ``block_cells`` cells, balanced by row count."""
    return list(iter_cell_tasks(frame, cell_cols, n_tasks, block_cells, halo))


def iter_cell_tasks(
    frame: pl.DataFrame, cell_cols: Sequence[str], n_tasks: int, block_cells: int = 5, halo: int = 1
) -> Iterator[CellTask]:
    """:func:`cell_tasks` one at a time: only one task's rows are copied out of ``frame`` at once."""
    if frame.height == 0:
        return
    if block_cells <= 2 * halo:
        raise ValueError(f"block_cells ({block_cells}) must exceed twice the halo ({halo})")
    packed = pack_blocks(frame, cell_cols, n_tasks, block_cells)
    # which task each row's core and halo blocks belong to, looked up once for the whole frame;
    # per task only four integer comparisons per row remain (no block lookup per task)
    corner_tasks = _corner_tasks(frame, cell_cols, packed, block_cells, halo)
    for task, blocks in enumerate(packed.partition_by(_TASK, include_key=False, maintain_order=True)):
        wanted = np.zeros(frame.height, dtype=bool)
        for tasks in corner_tasks:
            wanted |= tasks == task
        yield CellTask(frame.filter(pl.Series(wanted)), blocks)


def _corner_tasks(frame: pl.DataFrame, cell_cols: Sequence[str], packed: pl.DataFrame, block_cells: int,
                  halo: int) -> list[np.ndarray]:
    """Per row, the task owning the block of each corner of the square of ``halo`` cells around
    its cell (-1 where no task owns it). With blocks wider than twice the halo, the blocks those
    4 corners fall in are every block the square touches: the row belongs to exactly their tasks."""
    block_ids = packed[_BY] * _BLOCK_SPAN + packed[_BX]
    corners = frame.select(
        _block_id(cell_cols, block_cells, dy, dx)
        .replace_strict(block_ids, packed[_TASK], default=-1, return_dtype=pl.Int32).alias(f"_{i}")
        for i, (dy, dx) in enumerate((dy, dx) for dy in (-halo, halo) for dx in (-halo, halo))
    )
    return [corners[c].to_numpy() for c in corners.columns]


def pack_blocks(frame: pl.DataFrame, cell_cols: Sequence[str], n_tasks: int, block_cells: int) -> pl.DataFrame:
    """Blocks holding rows (columns _df_block_y, _df_block_x) and the task each is packed into
    (_df_task), tasks of similar row counts."""
    cy, cx = cell_cols
    sizes = (
        frame.select(_block(cy, 0, block_cells).alias(_BY), _block(cx, 0, block_cells).alias(_BX))
        .group_by(_BY, _BX).len().sort("len", _BY, _BX, descending=[True, False, False])
    )
    # greedy longest-processing-time packing: one Python step per block, not per row
    loads = [0] * max(1, min(n_tasks, sizes.height))
    owner: list[int] = []
    for size in sizes["len"].to_list():
        task = loads.index(min(loads))
        loads[task] += size
        owner.append(task)
    return sizes.select(_BY, _BX).with_columns(pl.Series(_TASK, owner, dtype=pl.Int64)).sort(_TASK, maintain_order=True)


def keep_owned(result: pl.DataFrame, cell_cols: Sequence[str], blocks: pl.DataFrame, block_cells: int) -> pl.DataFrame:
    """Rows of ``result`` whose owning cell lies in the core of one of ``blocks`` (result order)."""
    if result.height == 0:
        return result
    ids = (blocks[_BY] * _BLOCK_SPAN + blocks[_BX]).implode()
    return result.filter(_block_id(cell_cols, block_cells).is_in(ids))
