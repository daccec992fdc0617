"""The pool page's ranges and addresses: listed, on the map, added, deleted, taken,
released; bad form values refused with the API's message and the typed values kept."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.tokens import create_token
from tests.ipam.test_web import log_in


@pytest.fixture
def page(database: Database) -> Iterator[tuple[TestClient, str]]:
    create_pool(database, PoolSpec("lan", ["192.0.2.0/24"]), actor="t")
    secret = create_token(database, name="web", pool=None, scope="admin")[1]
    with TestClient(create_app(database), follow_redirects=False) as http:
        yield http, log_in(http, secret)


def test_ranges_and_addresses_round_trip_through_the_page(
        page: tuple[TestClient, str]) -> None:
    http, csrf = page
    added = http.post("/pools/lan/ranges", data={"start": "192.0.2.10", "end": "192.0.2.19",
                                                 "kind": "dhcp", "description": "wifi",
                                                 "csrf": csrf})
    assert added.status_code == 303
    assert added.headers["location"] == "/pools/lan?range_added=1"
    taken = http.post("/pools/lan/addresses", data={"count": "2", "dns_name": "a.example",
                                                    "csrf": csrf})
    assert taken.headers["location"] == "/pools/lan?address_taken=1"
    shown = http.get("/pools/lan?address_taken=1").text
    assert "Took address #1." in shown
    assert re.search(r'<tr data-id="1" data-start="192.0.2.10" data-end="192.0.2.19"', shown)
    assert 'data-address="192.0.2.2"' in shown and 'data-address="192.0.2.3"' in shown
    # On the map: the range as its cover of prefixes, the addresses as /32s.
    for prefix, kind in (("192.0.2.10/31", "range-dhcp"), ("192.0.2.12/30", "range-dhcp"),
                         ("192.0.2.16/30", "range-dhcp"), ("192.0.2.2/32", "address")):
        assert f'data-prefix="{prefix}" data-kind="{kind}"' in shown
    assert "10 in ranges, 2 single address(es) taken from the pool" in shown
    assert http.post("/ranges/1/delete", data={"csrf": csrf}).headers["location"] == (
        "/pools/lan?range_deleted=1")
    assert http.post("/addresses/1/release", data={"csrf": csrf}).headers["location"] == (
        "/pools/lan?address_released=1")
    after = http.get("/pools/lan").text
    assert "No ranges." in after
    assert 'data-address="192.0.2.2"' not in after


@pytest.mark.parametrize(("path", "form", "message"), [
    ("/pools/lan/ranges", {"start": "192.0.2.9", "end": "192.0.2.1"},
     "end: 192.0.2.1 is before start 192.0.2.9 (did you mean 192.0.2.1-192.0.2.9?)"),
    ("/pools/lan/ranges", {"start": "192.0.2.1", "end": "192.0.2.9", "kind": "pool"},
     "kind: Input should be 'dhcp', 'reserved' or 'populated'"),
    ("/pools/lan/addresses", {"count": "²"}, "count: '²' is not a whole number"),
    ("/pools/lan/addresses", {"count": "0"}, "count: Input should be greater than or equal to 1"),
    ("/pools/lan/addresses", {"address": "192.0.2.255"},
     "address: 192.0.2.255 is reserved in 192.0.2.0/24 under the pool's 'rfc' "
     "usable-address model"),
    ("/pools/lan/addresses", {"dns_name": "not a name"}, "dns_name: Value error, "),
    ("/pools/lan/addresses", {"allocation_id": "x"}, "allocation_id: 'x' is not a whole number"),
])
def test_bad_forms_are_refused_with_the_values_kept(page: tuple[TestClient, str], path: str,
                                                     form: dict[str, str], message: str) -> None:
    http, csrf = page
    answer = http.post(path, data={**form, "csrf": csrf})
    assert 400 <= answer.status_code < 500
    error = re.search(r'id="error">([^<]*)<', answer.text)
    assert error is not None
    assert error.group(1).startswith(message.replace("'", "&#39;")), error.group(1)
    typed = [v for k, v in form.items() if k != "kind"]  # a select shows its options
    for value in typed:
        assert f'value="{value}"' in answer.text, value


def test_forms_without_the_csrf_token_are_refused(page: tuple[TestClient, str]) -> None:
    http, _ = page
    for path in ("/pools/lan/ranges", "/pools/lan/addresses", "/ranges/1/delete",
                 "/addresses/1/release"):
        assert http.post(path, data={"start": "192.0.2.1", "end": "192.0.2.2"}
                         ).status_code == 403, path
    assert "No ranges." in http.get("/pools/lan").text
