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
            page.wait_for_url("**/pools/web?created=1")
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


def _offline_page(browser: object, blocked: list[str]) -> object:
    """A page that may load only from loopback: everything else is aborted and noted."""
    page = browser.new_page()  # type: ignore[attr-defined]

    def only_loopback(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if urlsplit(url).hostname in ("127.0.0.1", None):
            route.continue_()  # type: ignore[attr-defined]
        else:
            blocked.append(url)
            route.abort()  # type: ignore[attr-defined]

    page.route("**/*", only_loopback)
    return page


def test_api_docs_work_with_no_network(server: Server) -> None:
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    blocked: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            page = _offline_page(browser, blocked)
            page.goto(server.url + "/docs")  # type: ignore[attr-defined]
            page.wait_for_selector(".opblock", timeout=20000)  # type: ignore[attr-defined]
            paths = page.locator(".opblock-summary-path").all_inner_texts()  # type: ignore[attr-defined]
            assert len(paths) >= 14
            assert any("/api/v1/pools/{pool}/allocations" in p.replace("\u200b", "")
                       for p in paths)
        finally:
            browser.close()
    assert blocked == []


def test_the_page_as_its_users_want_it(sqlite_db: Database, server: Server) -> None:
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    token = create_token(sqlite_db, name="web-admin", pool=None, scope="admin")[1]
    blocked: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            page = _offline_page(browser, blocked)
            page.on("dialog", lambda dialog: dialog.accept())  # type: ignore[attr-defined]
            page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
            page.goto(server.url + "/")  # type: ignore[attr-defined]
            icon = page.evaluate(  # type: ignore[attr-defined]
                "fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)")
            assert icon == 200
            page.fill("#token", token)  # type: ignore[attr-defined]
            page.click("#login")  # type: ignore[attr-defined]
            form = page.locator("#new-pool")  # type: ignore[attr-defined]
            form.locator("input[name=name]").fill("big")
            form.locator("input[name=prefixes]").fill("10.60.0.0/16")
            form.locator("button").click()
            page.wait_for_url("**/pools/big?created=1")  # type: ignore[attr-defined]
            assert page.inner_text("#notice") == "Pool big created."  # type: ignore[attr-defined]

            # An error keeps what was typed: /27 stays /27, the owner stays.
            page.fill("#prefix_length", "27")  # type: ignore[attr-defined]
            page.fill("#owner", "team-net")  # type: ignore[attr-defined]
            page.fill("#tags", "=broken")  # type: ignore[attr-defined]
            page.click("#allocate-submit")  # type: ignore[attr-defined]
            assert page.inner_text("#error").startswith("tags:")  # type: ignore[attr-defined]
            assert page.input_value("#prefix_length") == "27"  # type: ignore[attr-defined]
            assert page.input_value("#owner") == "team-net"  # type: ignore[attr-defined]
            page.fill("#tags", "env=prod")  # type: ignore[attr-defined]
            page.fill("#prefix_length", "26")  # type: ignore[attr-defined]
            page.click("#allocate-submit")  # type: ignore[attr-defined]
            page.wait_for_selector("#notice")  # type: ignore[attr-defined]
            assert page.inner_text("#notice") == "Allocated allocation #1."  # type: ignore[attr-defined]

            # A /26 in a /16 is visible on the map and listed under it.
            width = page.locator(".map-bar .seg.allocated").bounding_box()["width"]  # type: ignore[attr-defined]
            assert width >= 3
            assert page.locator("#small-blocks li").all_inner_texts() == [  # type: ignore[attr-defined]
                "10.60.0.0/26 allocated #1 team-net"]
            free = page.locator("#free-blocks li").all_inner_texts()  # type: ignore[attr-defined]
            assert free[:2] == ["10.60.0.64/26", "10.60.0.128/25"]
            # Nothing overflows a phone's width: wide tables scroll in their box.
            overflow = page.evaluate(  # type: ignore[attr-defined]
                "document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0
            details = page.locator("#audit tbody tr td:nth-child(7)").all_inner_texts()  # type: ignore[attr-defined]
            assert "prefixes: 10.60.0.0/16 · parent: none" in details
            assert not any("[" in d or "None" in d for d in details)

            # A child pool from the parent's free space, then deleting it.
            page.goto(server.url + "/")  # type: ignore[attr-defined]
            form = page.locator("#new-pool")  # type: ignore[attr-defined]
            form.locator("input[name=name]").fill("kid")
            page.select_option("#parent", "big")  # type: ignore[attr-defined]
            page.fill("#pool_prefix_length", "20")  # type: ignore[attr-defined]
            form.locator("button").click()
            page.wait_for_url("**/pools/kid?created=1")  # type: ignore[attr-defined]
            assert "inside big" in page.inner_text("main")  # type: ignore[attr-defined]
            page.click("#delete-pool button")  # type: ignore[attr-defined]
            page.wait_for_url("**/?deleted=kid")  # type: ignore[attr-defined]
            assert page.inner_text("#notice") == "Pool kid deleted."  # type: ignore[attr-defined]
            assert page.locator("#pools tr[data-pool=kid]").count() == 0  # type: ignore[attr-defined]
        finally:
            browser.close()
    assert blocked == []
