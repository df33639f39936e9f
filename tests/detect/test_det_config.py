import pytest

from darkfleet.config import DetectConfig, describe, load_config
from darkfleet.errors import ConfigError


def test_toml_overrides_and_presets(tmp_path):
    path = tmp_path / "strict.toml"
    path.write_text("[encounter]\nmax_distance_m = 300\n[loitering]\nmin_duration_h = 6\n")
    config = load_config(path)
    assert config.encounter.max_distance_m == 300.0
    assert config.loitering.min_duration_h == 6.0
    assert config.gap == DetectConfig().gap
    sts = load_config(preset="tanker_sts").encounter
    assert (sts.max_distance_m, sts.max_median_speed_kn, sts.max_heading_diff_deg) == (200.0, 1.0, 30.0)
    assert config.digest() != DetectConfig().digest()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[encounter]\nmax_distanse_m = 300\n", "encounter.max_distanse_m"),
        ("[encounters]\nmax_distance_m = 300\n", "encounters"),
        ("[encounter]\nmax_distance_m = -5\n", "encounter.max_distance_m"),
        ("[gap]\nmin_gap_h = 0\n", "gap.min_gap_h"),
        ("[gap]\nmin_reception_fraction = 2\n", "gap.min_reception_fraction"),
        ("[loitering]\nmax_speed_kn = 'slow'\n", "loitering.max_speed_kn"),
        # values the stages divide by, counts, ratios and list vocabularies
        ("[gap]\nreception_cell_deg = 0\n", "gap.reception_cell_deg"),
        ("[spoofing]\ngrid_quantum_deg = 0\n", "spoofing.grid_quantum_deg"),
        ("[dark_sts]\ntanker_max_speed_kn = 0\n", "dark_sts.tanker_max_speed_kn"),
        ("[spoofing]\ngrid_min_reports = -3\n", "spoofing.grid_min_reports"),
        ("[spoofing]\ngrid_min_dt_spread = 0.5\n", "spoofing.grid_min_dt_spread"),
        ("[dark_sts]\nmin_coincidence = 2\n", "dark_sts.min_coincidence"),
        ("[identity_change]\nfields = ['name', 'nmae']\n", "identity_change.fields"),
        ("[encounter]\nmax_heading_diff_deg = 400\n", "encounter.max_heading_diff_deg"),
        ("[draught_change]\ncarried_static_lag_h = -1\n", "draught_change.carried_static_lag_h"),
    ],
)
def test_unknown_keys_and_impossible_values_are_refused_by_name(tmp_path, text, key):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.context["key"] == key
    assert key in str(info.value) and str(path) in str(info.value)


def test_zero_turns_off_a_tolerance_where_that_means_something(tmp_path):
    path = tmp_path / "off.toml"
    path.write_text("[draught_change]\ncarried_static_lag_h = 0\n[encounter]\nmax_heading_diff_deg = 180\n")
    config = load_config(path)
    assert config.draught_change.carried_static_lag_h == 0 and config.encounter.max_heading_diff_deg == 180


def test_broken_toml_and_unknown_preset(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[encounter\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(path)
    with pytest.raises(ConfigError, match="unknown preset"):
        load_config(preset="fast")


def test_every_stage_is_self_describing():
    sections = {s["section"]: s for s in describe()}
    assert {"encounter", "loitering", "gap", "dark_sts", "spoofing", "identity_change", "draught_change", "port_visit"} <= set(sections)
    enc = {k["key"]: k["default"] for k in sections["encounter"]["settings"]}
    assert enc["max_distance_m"] == 500.0 and enc["min_duration_h"] == 2.0
    assert "Miller" in sections["encounter"]["doc"]


def test_a_list_setting_accepts_a_subset_of_its_vocabulary(tmp_path):
    path = tmp_path / "names.toml"
    path.write_text("[identity_change]\nfields = ['name', 'imo']\n")
    assert load_config(path).identity_change.fields == ("name", "imo")
