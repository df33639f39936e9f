"""Run-length grouping on sorted frames: the shared step of every "for at least N hours" rule;
and the growing output buffer of the kernels that emit runs, pairs or hits."""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit

US_PER_H = 3_600_000_000


@njit(cache=True, nogil=True)
def grown(a, n):  # pragma: no cover - numba
    """``a`` (rows x capacity) with room for at least ``n`` columns, the filled ones kept: a
    kernel that cannot know its output size writes into it and doubles it when full."""
    if n <= a.shape[1]:
        return a
    b = np.empty((a.shape[0], max(n, 2 * a.shape[1])), a.dtype)
    b[:, : a.shape[1]] = a
    return b


def run_ids(keys: list[str], time_col: str, step_us: int, flag: pl.Expr | None = None) -> pl.Expr:
    """An id that changes whenever a key changes, the time jumps by more than ``step_us``
    or ``flag`` flips. The frame must be sorted by ``keys`` then ``time_col``."""
    t = pl.col(time_col).dt.epoch("us")
    brk = (t - t.shift(1)) > step_us
    for key in keys:
        brk = brk | (pl.col(key) != pl.col(key).shift(1))
    if flag is not None:
        brk = brk | (flag != flag.shift(1))
    return brk.fill_null(True).cum_sum().alias("run_id")


def hours_between(start: str, end: str) -> pl.Expr:
    return (pl.col(end) - pl.col(start)).dt.total_microseconds() / US_PER_H
