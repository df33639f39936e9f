"""Pins the public API re-exported from ``darkfleet``: a change here is a deliberate API change."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import darkfleet

API_DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_public_names_are_pinned():
    assert sorted(darkfleet.__all__) == sorted(
        [
            "ConfigError",
            "DarkfleetError",
            "EventType",
            "InputError",
            "MissingExtraError",
            "NotFoundError",
            "StoreError",
            "StrictModeError",
            "__version__",
            "read",
            "ingest",
            "simulate",
            "write_scenario",
            "SimResult",
            "run_detection",
            "DetectResult",
            "run_detection_partitioned",
            "evaluate_frames",
            "DetectConfig",
            "load_config",
            "get_engine",
            "screen",
            "load_list",
            "load_registry",
            "score_vessels",
            "RiskConfig",
            "write_report",
            "build_report",
            "create_app",
        ]
    )
    for name in darkfleet.__all__:
        assert hasattr(darkfleet, name), name
    assert sorted(dir(darkfleet)) == sorted(darkfleet.__all__)


def test_public_names_are_the_real_objects_not_subpackages():
    from darkfleet.config import DetectConfig
    from darkfleet.screen.screening import screen
    from darkfleet.simulate.api import simulate

    import darkfleet.screen.lists  # noqa: F401  importing a subpackage must not shadow its function

    assert darkfleet.screen is screen and darkfleet.simulate is simulate and darkfleet.DetectConfig is DetectConfig
    assert callable(darkfleet.ingest) and callable(darkfleet.read)
    with pytest.raises(AttributeError):
        darkfleet.no_such_name  # noqa: B018


def _fresh_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_darkfleet_is_cheap_and_loads_no_optional_extra():
    heavy = ["fastapi", "uvicorn", "dask", "distributed", "pyarrow", "polars", "duckdb", "numba"]
    loaded = _fresh_python(f"import sys, darkfleet; print([m for m in {heavy!r} if m in sys.modules])")
    assert loaded == "[]"
    # using a name loads what it needs, and only that
    loaded = _fresh_python("import sys, darkfleet; darkfleet.load_config(); "
                           "print(sorted(m for m in ('fastapi', 'dask') if m in sys.modules))")
    assert loaded == "[]"


def test_a_missing_extra_is_named():
    # fastapi made unimportable in a fresh interpreter stands in for an install without [serve]
    out = _fresh_python(
        "import sys; sys.modules['fastapi'] = None\n"
        "import darkfleet\n"
        "try:\n    darkfleet.create_app\nexcept darkfleet.MissingExtraError as exc:\n"
        "    print(exc.context['extra'], exc.context['package'])\n"
    )
    assert out == "serve fastapi"


def test_errors_share_one_base_and_know_their_status():
    assert issubclass(darkfleet.InputError, darkfleet.DarkfleetError)
    err = darkfleet.InputError("empty file", path="x.csv", line_no=3)
    assert str(err) == "x.csv:3: empty file"
    assert err.to_json()["status"] == 422
    assert err.exit_code == 2


def test_the_python_api_example_in_the_docs_runs(tmp_path):
    text = API_DOC.read_text(encoding="utf-8")
    section = text[text.index("## Python API"):]
    example = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "risk_score" in done.stdout and "dark_sts" in done.stdout and "precision" in done.stdout
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "events.parquet", "events.geojson", "events.csv", "segments.parquet", "summary.json"}
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "window.DARKFLEET_DATA" in html


def test_the_python_api_example_in_the_readme_runs(tmp_path):
    text = (API_DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Python API"):]
    example = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "window.DARKFLEET_DATA" in (tmp_path / "report.html").read_text(encoding="utf-8")
