"""The exported sanctions list: OFAC legacy CSV layout and FollowTheMoney entities."""

from __future__ import annotations

import csv
import json
import re

import polars as pl


def test_ofac_csv_layout(tiny_dirs, tiny_frames):
    path = tiny_dirs["parquet"] / "sanctions" / "ofac_sdn.csv"
    rows = list(csv.reader(path.open(newline="")))
    sanctioned = tiny_frames["vessels"].filter(pl.col("sanctioned"))
    assert rows and all(len(r) == 12 for r in rows)
    assert not rows[0][0].isalpha()  # no header row, as OFAC publishes it
    vessels = [r for r in rows if r[2] == "vessel"]
    owners = [r for r in rows if r[2] == "-0- "]
    assert len(vessels) == sanctioned["hull_id"].n_unique()
    assert owners and all("Linked To:" in r[11] for r in owners)
    for r in vessels:
        imo = int(re.search(r"IMO (\d{7})", r[11]).group(1))
        mmsi = int(re.search(r"MMSI (\d{9})", r[11]).group(1))
        match = sanctioned.filter(pl.col("imo") == imo)
        assert match.height >= 1 and mmsi in match["mmsi"].to_list()
        assert r[4] == "-0- " and r[1] == match["name"][0]


def test_ftm_entities_link_vessels_owners_and_sanctions(tiny_dirs):
    lines = (tiny_dirs["parquet"] / "sanctions" / "sanctioned.ftm.json").read_text().splitlines()
    ents = [json.loads(line) for line in lines]
    by_id = {e["id"]: e for e in ents}
    assert {e["schema"] for e in ents} == {"Vessel", "Company", "Ownership", "Sanction"}
    for e in ents:
        if e["schema"] == "Ownership":
            assert by_id[e["properties"]["owner"][0]]["schema"] == "Company"
            assert by_id[e["properties"]["asset"][0]]["schema"] == "Vessel"
        if e["schema"] == "Vessel":
            assert re.fullmatch(r"IMO\d{7}", e["properties"]["imoNumber"][0])
