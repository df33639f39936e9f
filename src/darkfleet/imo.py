"""IMO ship identification numbers: the check digit, vectorised.

An IMO number has seven digits; the last is the check digit: the sum of the first six
digits weighted 7, 6, 5, 4, 3, 2, taken modulo 10 (e.g. 9074729: 9*7+0*6+7*5+4*4+7*3+2*2
= 139, check digit 9). Ships broadcast garbage here often (0, 1234567, their MMSI), so
readers keep the number and record validity in ``imo_valid`` instead of dropping it.
"""

from __future__ import annotations

import numpy as np

_WEIGHTS = np.array([7, 6, 5, 4, 3, 2], dtype=np.int64)
_POWERS = 10 ** np.arange(6, 0, -1, dtype=np.int64)  # selects the six leading digits


def imo_check_digit_ok(imo: np.ndarray) -> np.ndarray:
    """True where ``imo`` is a seven-digit number (1000000-9999999) with a valid check digit.

    Accepts any integer array-like; nulls should be passed as a value outside the range
    (e.g. -1 or 0), which yields False.
    """
    values = np.asarray(imo, dtype=np.int64)
    in_range = (values >= 1_000_000) & (values <= 9_999_999)
    digits = (values[..., None] // _POWERS) % 10  # shape (..., 6): the leading six digits
    expected = (digits * _WEIGHTS).sum(axis=-1) % 10
    return in_range & (expected == values % 10)


def imo_valid(imo: int | None) -> bool:
    """Scalar form of :func:`imo_check_digit_ok`; ``None`` is not valid."""
    if imo is None:
        return False
    return bool(imo_check_digit_ok(np.array([imo]))[0])
