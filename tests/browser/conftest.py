"""A live server on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from bakery import create_app
from bakery.extensions import db
from tests.conftest import base_config

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_app(sqlite_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The app on a fresh SQLite copy (browser tests drive one engine; app tests cover both)."""
    path = tmp_path / "bakery.sqlite"
    shutil.copy(sqlite_template, path)
    app = create_app(base_config(f"sqlite:///{path}", tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_server(live_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve the app on 127.0.0.1 on a free port, in a thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(live_server):  # type: ignore[no-untyped-def]
    """A tablet-sized Chromium page that records every URL it requests."""
    if CHROMIUM is None:
        pytest.skip("no system Chromium installed (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
        tab = context.new_page()
        tab.requested = []  # type: ignore[attr-defined]
        tab.on("request", lambda request: tab.requested.append(request.url))  # type: ignore[attr-defined]
        tab.set_default_timeout(10_000)
        yield tab
        context.close()
        browser.close()
