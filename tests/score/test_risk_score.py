"""The risk score: each factor's points from the config, caps, explanation adds up, association."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl
import pytest

from darkfleet import schema
from darkfleet.score import RiskConfig, score_vessels
from darkfleet.score.hubs import STS_HUBS
from darkfleet.screen import Registry, screen
from darkfleet.screen.registry import VESSEL, Entry, ListVersion, SanctionsList

T0 = datetime(2025, 3, 1, tzinfo=UTC)
OPEN_SEA = (20.0, -30.0)  # mid-Atlantic: far from every STS hub


def _events(rows: list[dict]) -> pl.DataFrame:
    base = {"other_mmsi": None, "start_utc": T0, "end_utc": T0, "lat": OPEN_SEA[0], "lon": OPEN_SEA[1],
            "confidence": 1.0, "in_port": False, "details": "{}"}
    full = [{**base, "event_id": f"e{i}", **r} for i, r in enumerate(rows)]
    return pl.from_arrow(schema.conform(pl.DataFrame(full).to_arrow(), schema.EVENTS))


def _factors(table) -> dict[int, dict[str, float]]:
    frame = pl.from_arrow(table)
    return {row["mmsi"]: {f["factor"]: f["points"] for f in json.loads(row["risk_factors"])} for row in frame.iter_rows(named=True)}


def _scores(table) -> dict[int, float]:
    return dict(zip(table.column("mmsi").to_pylist(), table.column("risk_score").to_pylist(), strict=True))


VESSELS = pl.DataFrame({
    "mmsi": [636013272, 538000001, 538000002, 538000003, 257000001],
    "imo": [9187629, 9074729, 9187628, None, 9283760],  # 9187628: bad check digit
    "name": ["ARTAVIL", "PARTNER", "BADIMO", "DARK ONE", "CLEAN"],
    "ship_type": [80, 80, 70, 84, 70],
    "build_year": [1998, 2015, None, 2004, 2020],
})


def test_each_factor_uses_its_configured_points():
    cfg = RiskConfig()
    events = _events([
        {"event_type": "dark_sts", "mmsi": 538000003, "other_mmsi": 538000001},
        {"event_type": "gap", "mmsi": 538000003, "details": json.dumps({"likely_disabling": True})},
        {"event_type": "gap", "mmsi": 257000001, "details": json.dumps({"likely_disabling": False})},
        {"event_type": "spoofing", "mmsi": 538000002, "details": json.dumps({"kind": "circle"})},
        {"event_type": "identity_change", "mmsi": 538000002, "details": json.dumps({"field": "name"})},
        {"event_type": "identity_change", "mmsi": 538000002, "details": json.dumps({"field": "flag"})},
        {"event_type": "draught_change", "mmsi": 538000003},
        {"event_type": "draught_change", "mmsi": 257000001, "in_port": True},
    ])
    factors = _factors(score_vessels(VESSELS, events, config=cfg, today=date(2026, 1, 1)))
    dark, partner, badimo, clean = factors[538000003], factors[538000001], factors[538000002], factors[257000001]
    assert dark["dark_sts"] == partner["dark_sts"] == cfg.dark_sts_points
    assert dark["likely_disabling_gap"] == cfg.disabling_gap_points
    assert dark["draught_change_at_sea"] == cfg.draught_change_points
    age_years = 2026 - 2004
    assert cfg.old_vessel_age_years <= age_years < cfg.very_old_vessel_age_years
    assert dark["vessel_age"] == cfg.old_vessel_points
    assert badimo == {"spoofing": cfg.spoofing_points, "identity_change": cfg.identity_change_points,
                      "flag_change": cfg.flag_change_points, "invalid_imo": cfg.invalid_imo_points,
                      "flag_of_convenience": cfg.flag_of_convenience_points}  # MID 538: Marshall Islands
    assert clean == {}  # a gap not judged deliberate and an in-port draught change add nothing


def test_caps_and_explanation_sum_to_score():
    cfg = RiskConfig()
    events = _events([{"event_type": "spoofing", "mmsi": 257000001} for _ in range(10)])
    table = score_vessels(VESSELS, events, config=cfg)
    assert _factors(table)[257000001] == {"spoofing": cfg.spoofing_max_points}
    for row in pl.from_arrow(table).iter_rows(named=True):
        total = sum(f["points"] for f in json.loads(row["risk_factors"]))
        assert row["risk_score"] == pytest.approx(min(100.0, total))
        assert 0.0 <= row["risk_score"] <= 100.0


def test_encounters_weigh_more_for_tankers_and_at_sts_hubs():
    cfg = RiskConfig()
    hub_lat, hub_lon = STS_HUBS["laconian_gulf"]
    events = _events([
        {"event_type": "encounter", "mmsi": 257000001, "other_mmsi": 538000001},  # open sea: cargo + tanker
        {"event_type": "encounter", "mmsi": 538000002, "other_mmsi": 538000003, "lat": hub_lat + 0.1, "lon": hub_lon},
    ])
    factors = _factors(score_vessels(VESSELS, events, config=cfg))
    assert factors[257000001]["encounter_at_sea"] == cfg.encounter_points
    assert factors[538000001]["encounter_at_sea"] == cfg.encounter_points * cfg.encounter_tanker_factor
    assert factors[538000002]["encounter_at_sea"] == cfg.encounter_points + cfg.encounter_hub_points
    assert factors[538000003]["encounter_at_sea"] == cfg.encounter_points * cfg.encounter_tanker_factor + cfg.encounter_hub_points


def test_sanctions_hit_and_guilt_by_association():
    cfg = RiskConfig()
    registry = Registry([SanctionsList(ListVersion("t", "T", "t.csv", "test"), [Entry("t:1", VESSEL, "ARTAVIL", imo=9187629)])])
    matches = screen(registry, VESSELS)
    events = _events([{"event_type": "encounter", "mmsi": 538000001, "other_mmsi": 636013272}])
    table = score_vessels(VESSELS, events, matches, config=cfg)
    factors, scores = _factors(table), _scores(table)
    listed = factors[636013272]
    assert listed["sanctions_listed"] == cfg.sanctions_hit_points
    own = scores[636013272]
    partner = factors[538000001]
    assert partner["met_sanctioned_vessel"] == pytest.approx(min(cfg.association_max_points, round(own * cfg.association_share, 1)))
    # the listed vessel does not inherit anything back from the partner it met
    assert "met_sanctioned_vessel" not in listed
    row = pl.from_arrow(table).filter(pl.col("mmsi") == 538000001).row(0, named=True)
    evidence = next(f["evidence"] for f in json.loads(row["risk_factors"]) if f["factor"] == "met_sanctioned_vessel")
    assert evidence["partner_mmsi"] == 636013272 and evidence["share"] == cfg.association_share
    sanctions = json.loads(pl.from_arrow(table).filter(pl.col("mmsi") == 636013272)["sanctions"][0])
    assert sanctions[0]["entry_id"] == "t:1" and sanctions[0]["list_version"] == "t@undated"


def test_output_is_the_vessels_schema_with_event_only_vessels():
    events = _events([{"event_type": "encounter", "mmsi": 257000001, "other_mmsi": 999000001}])
    table = score_vessels(VESSELS, events)
    assert table.schema == schema.VESSELS
    assert 999000001 in table.column("mmsi").to_pylist()
    assert table.num_rows == VESSELS.height + 1
    scores = table.column("risk_score").to_pylist()
    assert scores == sorted(scores, reverse=True)  # ranked


def test_review_level_match_counts_in_proportion_to_its_score():
    cfg = RiskConfig()
    registry = Registry([SanctionsList(ListVersion("t", "T", "t.csv", "test"), [Entry("t:1", VESSEL, "CLEANER")])])
    matches = screen(registry, VESSELS)  # "CLEAN" is a look-alike of "CLEANER", no identifier agrees
    row = matches.row(0, named=True)
    assert (row["mmsi"], row["level"]) == (257000001, "review")
    factors = _factors(score_vessels(VESSELS, None, matches, config=cfg))
    assert factors[257000001]["sanctions_review"] == pytest.approx(round(cfg.sanctions_review_points * row["score"] / 100, 1))
