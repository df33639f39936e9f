"""Dark STS reach uses each vessel's class speed, from its latest known static ship type."""

import json
from datetime import timedelta

import polars as pl

from darkfleet.config import DarkStsConfig
from darkfleet.detect.dark_sts import _gap_frame
from det_tracks import T0, static_rows


def test_class_speed_tanker_high_speed_craft_and_others():
    details = json.dumps({"start_lat": 55.0, "start_lon": 16.0, "end_lat": 55.1, "end_lon": 16.2, "duration_h": 10.0,
                          "likely_disabling": True})
    gaps = pl.DataFrame({"mmsi": [1, 2, 3, 4, 5], "start_utc": [T0] * 5, "end_utc": [T0 + timedelta(hours=10)] * 5,
                         "details": [details] * 5})
    static = pl.from_arrow(static_rows([
        {"mmsi": 1, "timestamp_utc": T0, "ship_type": 84},
        {"mmsi": 2, "timestamp_utc": T0, "ship_type": 80},
        {"mmsi": 2, "timestamp_utc": T0 + timedelta(hours=1), "ship_type": 41},  # latest type wins
        {"mmsi": 3, "timestamp_utc": T0, "ship_type": 25},
        {"mmsi": 4, "timestamp_utc": T0, "ship_type": 80},
        {"mmsi": 4, "timestamp_utc": T0 + timedelta(hours=1), "ship_type": 0},  # "not available" keeps the tanker
    ]))
    config = DarkStsConfig(tanker_max_speed_kn=15.0, hsc_max_speed_kn=38.0, max_speed_kn=21.0)
    speeds = dict(_gap_frame(gaps, static, config).select("mmsi", "v_kn").iter_rows())
    assert speeds == {1: 15.0, 2: 38.0, 3: 38.0, 4: 15.0, 5: 21.0}
