from pathlib import Path

from darkfleet.config import DetectConfig, _field_comments, describe, settings_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_detection_doc_settings_reference_is_generated_from_the_config():
    text = (DOCS / "detection.md").read_text()
    assert settings_markdown() in text, "regenerate docs/detection.md from darkfleet.config.settings_markdown()"
    for citation in ("Miller et al. 2018", "Welch et al. 2022", "Kroodsma et al. 2018"):
        assert citation in text


def test_every_setting_says_what_it_means_or_where_its_default_comes_from():
    undocumented = [f"{s['section']}.{item['key']}" for s in describe()
                    for item in s["settings"] if not _field_comments(type(getattr(DetectConfig(), s["section"])))
                    .get(item["key"])]
    assert not undocumented, "add a trailing comment (meaning / source) in darkfleet.config"
