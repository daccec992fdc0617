"""Ranges and single addresses on the pool page in a real headless Chromium.

Add a DHCP range and take addresses through the page's forms, see both on the
map in their own colours, delete and release them with the page's buttons
(which ask for confirmation), and see the map free again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cidrkit.ipam.database import Database
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.tokens import create_token
from tests.ipam.conftest import Server, start_server
from tests.ipam.test_browser import LAUNCH_ARGS, chromium_path

SEGMENTS = "s => s.map(e => e.dataset.kind + ' ' + e.dataset.prefix)"


@pytest.fixture
def server(sqlite_db: Database, tmp_path: Path) -> Iterator[Server]:
    create_pool(sqlite_db, PoolSpec("lan", ["192.0.2.0/24"]), actor="t")
    running = start_server(sqlite_db.url, tmp_path / "server.log")
    yield running
    running.stop()


def test_ranges_and_addresses_on_the_page(sqlite_db: Database, server: Server) -> None:
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    token = create_token(sqlite_db, name="web", pool=None, scope="admin")[1]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            page.goto(server.url + "/")
            page.fill("#token", token)
            page.click("#login")
            page.goto(server.url + "/pools/lan")

            page.fill("#range_start", "192.0.2.128")
            page.fill("#range_end", "192.0.2.255")
            page.select_option("#range_kind", "dhcp")
            page.fill("#range_description", "clients")
            page.click("#add-range-submit")
            page.wait_for_url("**/pools/lan?range_added=1")
            assert "Added range #1." in page.inner_text("main")
            assert page.locator("#ranges tbody tr").evaluate_all(
                "r => r.map(e => e.dataset.start + '-' + e.dataset.end)") == [
                "192.0.2.128-192.0.2.255"]

            page.fill("#address_count", "2")
            page.fill("#address_dns_name", "printer.example")
            page.click("#take-address-submit")
            page.wait_for_url("**/pools/lan?address_taken=1")
            assert page.locator("#addresses tbody tr").evaluate_all(
                "r => r.map(e => e.dataset.address)") == ["192.0.2.2", "192.0.2.3"]
            drawn = page.locator(".map-bar .seg").evaluate_all(SEGMENTS)
            assert "range-dhcp 192.0.2.128/25" in drawn
            assert "address 192.0.2.2/32" in drawn and "address 192.0.2.3/32" in drawn
            colours = page.locator(".map-bar .seg").evaluate_all(
                "s => s.map(e => getComputedStyle(e).backgroundColor)")
            kinds = [d.split()[0] for d in drawn]
            by_kind = {k: c for k, c in zip(kinds, colours, strict=True)}
            assert len({by_kind["range-dhcp"], by_kind["address"], by_kind["free"]}) == 3

            # Bad input: the form comes back with the message and what was typed.
            page.fill("#range_start", "192.0.2.200")
            page.fill("#range_end", "192.0.2.100")
            page.click("#add-range-submit")
            assert page.inner_text("#error").startswith("end: 192.0.2.100 is before start")
            assert page.input_value("#range_start") == "192.0.2.200"

            page.goto(server.url + "/pools/lan")
            page.locator("#ranges form.release button").click()
            page.wait_for_url("**/pools/lan?range_deleted=1")
            for _ in range(2):
                page.locator("#addresses form.release button").first.click()
                page.wait_for_url("**/pools/lan?address_released=*")
            assert page.locator(".map-bar .seg").evaluate_all(SEGMENTS) == [
                "free 192.0.2.0/24"]
        finally:
            browser.close()
