from pathlib import Path

from darkfleet.config import settings_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_detection_doc_settings_reference_is_generated_from_the_config():
    text = (DOCS / "detection.md").read_text()
    assert settings_markdown() in text, "regenerate docs/detection.md from darkfleet.config.settings_markdown()"
    for citation in ("Miller et al. 2018", "Welch et al. 2022", "Kroodsma et al. 2018"):
        assert citation in text
