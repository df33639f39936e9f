"""Headless Chromium (Debian package, driven by Playwright) and a live server on loopback.

Installed by scripts/install-browser.sh; tests skip with the reason when either is missing.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from darkfleet.report.sample import write_sample_db

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "img"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed: bash scripts/install-browser.sh")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed: bash scripts/install-browser.sh")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class PageRecorder:
    """A page that records console errors and every request, and refuses non-local ones."""

    def __init__(self, browser, allowed_hosts: set[str]) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

        def guard(route):
            url = urlparse(route.request.url)
            if url.scheme in ("file", "data") or (url.hostname in allowed_hosts):
                route.continue_()
            else:  # the test must show the page works with the network cut off
                self.blocked.append(route.request.url)
                route.abort()

        self.context.route("**/*", guard)

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def recorder(browser):
    rec = PageRecorder(browser, {"127.0.0.1"})
    yield rec
    rec.close()


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "scene.duckdb"
    write_sample_db(path)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(sample_store):
    uvicorn = pytest.importorskip("uvicorn")
    from darkfleet.serve import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(sample_store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture()
def screenshot():
    """Save a page screenshot under docs/img (the README shows them)."""

    def save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        page.screenshot(path=str(path))
        return path

    return save
