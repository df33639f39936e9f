"""Where to split a chunk of lines into pieces that decode independently in threads.

A piece decodes on its own exactly when nothing is pending where it starts: no open
multipart group, no unused metadata. Just after a line that completes a single-fragment
VDM/VDO sentence that is almost always true, so piece bounds are moved back to such a
line. The reader still checks each piece's cut and re-reads the rest when the guess fails.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_BANG = 33
_SEARCH_LINES = 1000  # how far back to look for a good bound before taking the plain one


@njit(cache=True)
def _ends_single_sentence(buf, a, e):
    """True when the last sentence of line ``buf[a:e]`` reads ``!xxVDM,1,1,`` (or VDO)."""
    k = e - 1
    while k >= a and buf[k] != _BANG:
        k -= 1
    if k < a or e - k < 11:
        return False
    return (buf[k + 3] == 86 and buf[k + 4] == 68 and (buf[k + 5] == 77 or buf[k + 5] == 79)
            and buf[k + 6] == 44 and buf[k + 7] == 49 and buf[k + 8] == 44 and buf[k + 9] == 49
            and buf[k + 10] == 44)


@njit(cache=True)
def piece_bounds(buf, starts, ends, n_pieces):
    """Increasing line indexes ``[0, ..., n]`` cutting the lines into at most ``n_pieces`` pieces."""
    n = starts.shape[0]
    out = np.empty(n_pieces + 1, np.int64)
    out[0] = 0
    m = 1
    for q in range(1, n_pieces):
        target = n * q // n_pieces
        bound = target
        for i in range(target, max(out[m - 1], target - _SEARCH_LINES), -1):
            if _ends_single_sentence(buf, starts[i - 1], ends[i - 1]):
                bound = i
                break
        if bound > out[m - 1]:
            out[m] = bound
            m += 1
    out[m] = n
    return out[: m + 1]
