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


def _doc_rows(text: str, header: str) -> dict[str, str]:
    """First cell (backticks stripped) -> the whole row, for the markdown table under ``header``."""
    table = text.split(header, 1)[1].split("\n\n", 1)[0]
    return {row.split("|")[1].strip().strip("`"): row for row in table.splitlines()[2:]}


def test_events_doc_names_every_column_and_every_details_key_the_detectors_write():
    import json
    import re

    import polars as pl
    import pytest

    from darkfleet import schema
    from darkfleet.detect.pipeline import run_detection

    simulate = pytest.importorskip("darkfleet.simulate").simulate
    text = (DOCS / "events.md").read_text()
    columns = _doc_rows(text, "| column | type | meaning |")
    for name in schema.EVENTS.names:
        assert any(name in key.replace("`", "").split(", ") for key in columns), f"column {name} not in docs/events.md"
    sim = simulate("tiny", 0)
    events = run_detection(sim.positions, sim.static).events
    types = _doc_rows(text, "| event_type | start / end | lat / lon | `details` keys |")
    undocumented = set()
    for event_type, details in events.select("event_type", "details").iter_rows():
        documented = set(re.findall(r"`(\w+)`", types[event_type].split("|")[4]))
        undocumented |= {(event_type, key) for key in json.loads(details) if key != "rule" and key not in documented}
    assert not undocumented, sorted(undocumented)
    assert set(events["event_type"].unique()) == set(types)  # the tiny scenario has every type
