"""The web page in a real headless Chromium (Debian's package, driven by Playwright).

Log in with a token, create a pool, allocate, see the map change, release.
Runs when /usr/bin/chromium (or $CIDRKIT_TEST_CHROMIUM) exists; skips otherwise,
except under CI=true, where a missing browser fails the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cidrkit.ipam.database import Database
from cidrkit.ipam.tokens import create_token
from tests.ipam.conftest import Server, start_server

LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def chromium_path() -> str:
    path = os.environ.get("CIDRKIT_TEST_CHROMIUM", "/usr/bin/chromium")
    if Path(path).exists():
        return path
    message = f"browser test needs Chromium at {path} (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)


@pytest.fixture
def server(sqlite_db: Database, tmp_path: Path) -> Iterator[Server]:
    running = start_server(sqlite_db.url, tmp_path / "server.log")
    yield running
    running.stop()


def test_login_create_allocate_release(sqlite_db: Database, server: Server) -> None:
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    token = create_token(sqlite_db, name="web-admin", pool=None, scope="admin")[1]
    outside: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()

            def watch(request: object) -> None:
                host = urlsplit(request.url).hostname  # type: ignore[attr-defined]
                if host not in ("127.0.0.1", None):
                    outside.append(request.url)  # type: ignore[attr-defined]

            page.on("request", watch)
            page.on("dialog", lambda dialog: dialog.accept())
            page.goto(server.url + "/")
            page.fill("#token", "wrong")
            page.click("#login")
            assert "malformed API token" in page.inner_text("#error")
            page.fill("#token", token)
            page.click("#login")
            assert page.locator("#pools").is_visible()

            form = page.locator("#new-pool")
            form.locator("input[name=name]").fill("web")
            form.locator("input[name=prefixes]").fill("10.50.0.0/24")
            form.locator("input[name=default_length]").fill("26")
            form.locator("button").click()
            page.wait_for_url("**/pools/web")
            assert page.locator(".map-bar .seg").evaluate_all(
                "s => s.map(e => e.dataset.kind + ' ' + e.dataset.prefix)") == [
                "free 10.50.0.0/24"]

            page.fill("#description", "build farm")
            page.click("#allocate-submit")
            page.wait_for_selector("#allocations tr[data-prefix='10.50.0.0/26']")
            segments = page.locator(".map-bar .seg").evaluate_all(
                "s => s.map(e => [e.dataset.kind, e.dataset.prefix, e.style.width])")
            assert segments == [
                ["allocated", "10.50.0.0/26", "25%"],
                ["free", "10.50.0.64/26", "25%"],
                ["free", "10.50.0.128/25", "50%"],
            ]
            page.hover(".seg.allocated")
            assert "10.50.0.0/26 allocated #1 build farm" in page.inner_text("#map-detail")

            page.fill("#prefix_length", "")
            page.fill("#prefix", "10.50.0.0/27")
            page.click("#allocate-submit")
            assert "overlaps 10.50.0.0/26" in page.inner_text("#error")

            page.click("#allocations tr[data-prefix='10.50.0.0/26'] form.release button")
            page.wait_for_selector("#allocations tr.released[data-prefix='10.50.0.0/26']")
            assert page.locator(".map-bar .seg").evaluate_all(
                "s => s.map(e => e.dataset.kind)") == ["free"]
            audit = page.locator("#audit tbody tr td:nth-child(4)").all_inner_texts()
            assert audit == ["allocation.release", "allocation.create", "pool.create"]
        finally:
            browser.close()
    assert outside == [], f"the page fetched from outside: {outside}"
