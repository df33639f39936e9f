"""MMSI classification and flag state from the shipped ITU MID table."""

import numpy as np
import pytest

from darkfleet.mmsi import classify, describe, flag_state, is_invalid, mid_table


@pytest.mark.parametrize(
    ("mid", "iso2"),
    [(219, "DK"), (220, "DK"), (636, "LR"), (637, "LR"), (538, "MH"), (273, "RU"), (422, "IR"), (775, "VE"),
     (352, "PA"), (355, "PA"), (357, "PA"), (370, "PA"), (373, "PA"), (477, "HK"), (201, "AL"), (232, "GB"),
     (366, "US"), (412, "CN"), (563, "SG"), (511, "PW"), (667, "SL"), (572, "TV"), (341, "KN"), (620, "KM")],
)
def test_mid_table_sample(mid, iso2):
    assert mid_table()[mid][0] == iso2


def test_mid_table_is_complete_enough():
    table = mid_table()
    assert 280 <= len(table) <= 300
    assert min(table) == 201 and max(table) == 775
    assert all(200 <= mid < 800 for mid in table)


def test_classes_follow_itu_structure():
    mmsi = np.array([219000000, 2190067, 21900670, 111219500, 821912345, 982191234, 992191234,
                     970123456, 972000001, 974000001, 123456789, 0, 999999999, 1193046, 1_000_000_000, -5])
    assert classify(mmsi).tolist() == [
        "ship", "base_station", "group", "sar_aircraft", "handheld", "craft_associated", "aid_to_navigation",
        "sart", "mob", "epirb", "invalid", "invalid", "invalid", "invalid", "invalid", "invalid"]
    assert is_invalid(mmsi).sum() == 6


def test_flag_state_uses_the_mid_of_each_pattern():
    iso2, country = flag_state(np.array([538004030, 2190067, 111273100, 992191234, 970123456, 200000000]))
    assert iso2.tolist() == ["MH", "DK", "RU", "DK", None, None]
    assert country[0] == "Marshall Islands"


def test_describe_scalar():
    assert describe(636012345) == {"class": "ship", "flag": "LR", "country": "Liberia"}
