"""RiskConfig: documented defaults, TOML overrides, refusal of unknown keys and impossible values."""

from __future__ import annotations

import pytest

from darkfleet.errors import ConfigError
from darkfleet.score import RiskConfig, load_risk_config


def test_defaults_without_file():
    assert load_risk_config() == RiskConfig()


def test_toml_overrides_only_named_weights(tmp_path):
    path = tmp_path / "darkfleet.toml"
    path.write_text("[risk]\ndark_sts_points = 30\nassociation_share = 0.5\n\n[encounter]\nmax_distance_m = 200\n")
    cfg = load_risk_config(path)
    assert (cfg.dark_sts_points, cfg.association_share) == (30.0, 0.5)
    assert cfg.spoofing_points == RiskConfig().spoofing_points


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[risk]\ndark_sts_pts = 3\n", "risk.dark_sts_pts"),
        ("[risk]\nspoofing_points = -1\n", "risk.spoofing_points"),
        ("[risk]\nassociation_share = 1.5\n", "risk.association_share"),
        ("[risk]\nencounter_points = \"high\"\n", "risk.encounter_points"),
    ],
)
def test_bad_values_name_the_key(tmp_path, text, key):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_risk_config(path)
    assert info.value.context["key"] == key


def test_missing_and_invalid_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_risk_config(tmp_path / "none.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[risk\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_risk_config(broken)
