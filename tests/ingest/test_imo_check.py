"""IMO check digit, vectorised and scalar."""

import numpy as np

from darkfleet.imo import imo_check_digit_ok, imo_valid


def test_real_imo_numbers_pass():
    # EAGLE (NOAA sample), FRIO, STOC MARCIA, LOTUS (DMA labelled cases), ASTINA (DMA aisdk)
    real = np.array([8207721, 9596985, 9390305, 9297137, 9320063, 9074729])
    assert imo_check_digit_ok(real).all()


def test_wrong_digit_and_out_of_range_fail():
    values = np.array([8207722, 9596980, 0, -1, 999999, 10_000_000, 538004030])
    assert not imo_check_digit_ok(values).any()


def test_scalar_helper():
    assert imo_valid(9187629)
    assert not imo_valid(9187620)
    assert not imo_valid(None)
