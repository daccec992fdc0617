"""Spaces and capacity on the web page, in a real headless Chromium: the spaces list,
a pool created in a space, the 409 naming the collision, the capacity warning and
the fragmentation report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cidrkit.ipam.database import Database
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.spaces import connect_spaces, create_space
from cidrkit.ipam.tokens import create_token
from tests.ipam.conftest import Server, start_server
from tests.ipam.test_browser import LAUNCH_ARGS, chromium_path


@pytest.fixture
def server(sqlite_db: Database, tmp_path: Path) -> Iterator[Server]:
    running = start_server(sqlite_db.url, tmp_path / "server.log")
    yield running
    running.stop()


def test_spaces_and_capacity_warnings_on_the_page(sqlite_db: Database, server: Server) -> None:
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    token = create_token(sqlite_db, name="web-admin", pool=None, scope="admin")[1]
    create_space(sqlite_db, "aws", description="prod VPCs", actor="t")
    create_space(sqlite_db, "dc", actor="t")
    connect_spaces(sqlite_db, "aws", "dc", actor="t")
    create_pool(sqlite_db, PoolSpec("vpcs", ["10.0.0.0/16"], space="aws"), actor="t")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            page.goto(server.url + "/")
            page.fill("#token", token)
            page.click("#login")
            rows = page.locator("#spaces-table tbody tr").evaluate_all(
                "rs => rs.map(r => [...r.cells].map(c => c.innerText.trim()))")
            assert rows == [["aws", "dc", "vpcs", "prod VPCs"],
                            ["dc", "aws", "", ""],
                            ["global", "", "", "the default space"]]

            # dc is connected to aws: a pool overlapping vpcs is refused, naming it.
            form = page.locator("#new-pool")
            form.locator("input[name=name]").fill("racks")
            form.locator("input[name=prefixes]").fill("10.0.8.0/24")
            form.locator("select[name=space]").select_option("dc")
            form.locator("input[name=warn_at]").fill("50")
            form.locator("button").click()
            assert page.inner_text("#error") == (
                "prefixes[0]: 10.0.8.0/24 overlaps 10.0.0.0/16 of pool 'vpcs' in space "
                "'aws', connected to 'dc'")
            # What was typed is kept: fix the prefix and submit again.
            assert form.locator("select[name=space]").input_value() == "dc"
            form.locator("input[name=prefixes]").fill("10.1.0.0/24")
            form.locator("button").click()
            page.wait_for_url("**/pools/racks?created=1")
            assert page.inner_text("#space") == "Space dc · warns at 50% used"
            assert page.locator(".capacity-warning").count() == 0

            page.fill("#prefix", "10.1.0.0/25")
            page.click("#allocate-submit")
            page.wait_for_url("**/pools/racks?allocated=*")
            warning = page.locator("p.capacity-warning")
            assert warning.inner_text() == ("⚠ pool 'racks' is 50.0% used, at or above its "
                                            "warning threshold of 50%")
            assert page.inner_text("#largest-free") == "10.1.0.128/25"
            assert page.locator("#free-by-length tbody tr").all_inner_texts() == ["/25\t1"]
            page.goto(server.url + "/")
            assert page.locator("tr[data-pool=racks] .space").inner_text() == "dc"
            assert "is 50.0% used" in page.locator(
                "tr[data-pool=racks] .capacity-warning").inner_text()
        finally:
            browser.close()
