"""Single-address allocation over the HTTP API, on SQLite and PostgreSQL.

Next free address of a pool or of an allocation, skipping what the pool's
usable-address model reserves, the gateway and every range; exact
addresses; all-or-none counts; idempotency keys; release and update; and
the database refusing a second holder of an address.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.schema import ip_addresses, to_hex
from cidrkit.ipam.tokens import create_token

POOL = "/api/v1/pools/net/addresses"


@pytest.fixture
def http(database: Database) -> Iterator[TestClient]:
    secret = create_token(database, name="root", pool=None, scope="admin")[1]
    with TestClient(create_app(database)) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        yield client


def _pool(http: TestClient, prefixes: list[str], model: str = "rfc", name: str = "net") -> None:
    answer = http.post("/api/v1/pools", json={"name": name, "prefixes": prefixes,
                                              "usable_model": model})
    assert answer.status_code == 201, answer.text
    assert answer.json()["usable_model"] == model


def _take(http: TestClient, url: str = POOL, **body: Any) -> list[str]:
    answer = http.post(url, json=body)
    assert answer.status_code == 201, answer.text
    return [a["address"] for a in answer.json()["addresses"]]


@pytest.mark.parametrize(("model", "prefix", "first", "last"), [
    # rfc: network .0, gateway .1 and broadcast .255 skipped
    ("rfc", "192.0.2.0/24", ["192.0.2.2", "192.0.2.3"], "192.0.2.254"),
    # AWS: the first four and the last
    ("aws", "10.0.0.0/24", ["10.0.0.4", "10.0.0.5"], "10.0.0.254"),
    ("azure", "10.0.0.0/24", ["10.0.0.4", "10.0.0.5"], "10.0.0.254"),
    # GCP: the first two and the last two
    ("gcp", "10.0.0.0/24", ["10.0.0.2", "10.0.0.3"], "10.0.0.253"),
    ("none", "10.0.0.0/24", ["10.0.0.0", "10.0.0.1"], "10.0.0.255"),
    # IPv6 rfc: the Subnet-Router anycast address and the gateway ::1
    ("rfc", "2001:db8::/120", ["2001:db8::2", "2001:db8::3"], "2001:db8::ff"),
    # point-to-point: both addresses
    ("rfc", "192.0.2.0/31", ["192.0.2.0", "192.0.2.1"], "192.0.2.1"),
])
def test_next_free_skips_what_the_model_and_the_gateway_hold(
        http: TestClient, model: str, prefix: str, first: list[str], last: str) -> None:
    _pool(http, [prefix], model)
    assert _take(http, count=2) == first
    available = http.get(f"{POOL}/available", params={"limit": 256}).json()["addresses"]
    everything = first + available
    assert everything[-1] == last
    if available:
        assert _take(http, count=len(available)) == available
    exhausted = http.post(POOL, json={})
    assert exhausted.status_code == 409
    assert exhausted.json()["error"] == {
        "code": "exhausted", "field": "count",
        "message": "count: pool 'net' has 0 free address(es), 1 wanted"}


def test_ranges_allocations_and_held_addresses_are_skipped(http: TestClient) -> None:
    _pool(http, ["192.0.2.0/24"])
    assert http.post("/api/v1/pools/net/ranges",
                     json={"start": "192.0.2.2", "end": "192.0.2.9"}).status_code == 201
    block = http.post("/api/v1/pools/net/allocations", json={"prefix": "192.0.2.16/28"}).json()
    assert _take(http, address="192.0.2.12") == ["192.0.2.12"]
    assert _take(http, count=6) == ["192.0.2.10", "192.0.2.11", "192.0.2.13", "192.0.2.14",
                                    "192.0.2.15", "192.0.2.32"]
    # From the allocation: its own network, gateway and broadcast are skipped.
    assert _take(http, count=2, allocation_id=block["id"]) == ["192.0.2.18", "192.0.2.19"]
    inside = http.post("/api/v1/pools/net/ranges", json={"start": "192.0.2.20",
                                                         "end": "192.0.2.25"}).json()
    assert inside["allocation_id"] == block["id"]
    assert _take(http, allocation_id=block["id"]) == ["192.0.2.26"]
    listed = http.get(POOL, params={"allocation_id": block["id"]}).json()
    assert [a["address"] for a in listed["addresses"]] == ["192.0.2.18", "192.0.2.19",
                                                           "192.0.2.26"]
    usage = http.get("/api/v1/pools/net").json()["utilisation"]
    # 8 in the range, 7 single addresses taken from the pool itself, 16 allocated.
    assert (usage["ranged"], usage["addresses"], usage["allocated"]) == ("8", "7", "16")
    assert usage["free"] == str(256 - 8 - 7 - 16)


@pytest.mark.parametrize(("body", "status", "code", "message"), [
    ({"address": "192.0.2.0"}, 422, "invalid",
     "address: 192.0.2.0 is reserved in 192.0.2.0/24 under the pool's 'rfc' usable-address "
     "model"),
    ({"address": "192.0.2.255"}, 422, "invalid",
     "address: 192.0.2.255 is reserved in 192.0.2.0/24 under the pool's 'rfc' usable-address "
     "model"),
    ({"address": "198.51.100.7"}, 422, "invalid",
     "address: 198.51.100.7 is not inside pool 'net' (192.0.2.0/24)"),
    ({"address": "192.0.2.5"}, 409, "overlap",
     "address: 192.0.2.5 is inside range #1 (dhcp) of pool 'net'"),
    ({"address": "192.0.2.40"}, 409, "overlap",
     "address: 192.0.2.40 is already held (address #1) in pool 'net'"),
    ({"address": "192.0.2.130"}, 409, "overlap",
     "address: 192.0.2.130 is inside allocation #1 (192.0.2.128/25); take it from that "
     "allocation (allocation_id)"),
    ({"address": "192.0.2.5", "allocation_id": 1}, 422, "invalid",
     "address: 192.0.2.5 is not inside allocation 1 (192.0.2.128/25)"),
    ({"address": "192.0.2.05"}, 422, "invalid", None),
    ({"address": "192.0.2.5/32"}, 422, "invalid", None),
    ({"address": "192.0.2.50", "count": 2}, 422, "invalid",
     "count: give an exact address or a count, not both"),
    ({"allocation_id": 99}, 404, "not_found",
     "allocation_id: allocation 99 is not in pool 'net'"),
])
def test_bad_requests_name_the_field(http: TestClient, body: dict[str, Any], status: int,
                                     code: str, message: str | None) -> None:
    _pool(http, ["192.0.2.0/24"])
    assert http.post("/api/v1/pools/net/ranges",
                     json={"start": "192.0.2.2", "end": "192.0.2.9"}).status_code == 201
    assert http.post("/api/v1/pools/net/allocations",
                     json={"prefix": "192.0.2.128/25"}).status_code == 201
    assert _take(http, address="192.0.2.40") == ["192.0.2.40"]
    answer = http.post(POOL, json=body)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    field = "allocation_id" if code == "not_found" else next(iter(body))
    assert error["field"] == (field if "count" not in body else "count")
    if message is not None:
        assert error["message"] == message
    assert http.get(POOL).json()["total"] == 1


def test_the_gateway_is_taken_only_when_named(http: TestClient) -> None:
    _pool(http, ["192.0.2.0/29"])
    assert _take(http, count=5) == [f"192.0.2.{i}" for i in range(2, 7)]
    assert http.post(POOL, json={}).status_code == 409
    assert _take(http, address="192.0.2.1", description="gateway") == ["192.0.2.1"]
    again = http.post(POOL, json={"address": "192.0.2.1"})
    assert again.status_code == 409


def test_count_is_all_or_nothing(http: TestClient) -> None:
    _pool(http, ["192.0.2.0/29"])  # .2 to .6 are free
    assert _take(http, count=3) == ["192.0.2.2", "192.0.2.3", "192.0.2.4"]
    refused = http.post(POOL, json={"count": 3})
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == (
        "count: pool 'net' has 2 free address(es), 3 wanted")
    assert http.get(POOL).json()["total"] == 3
    assert _take(http, count=2) == ["192.0.2.5", "192.0.2.6"]


def test_idempotency_key_replays_or_conflicts(http: TestClient) -> None:
    _pool(http, ["192.0.2.0/24"])
    body = {"count": 3, "idempotency_key": "vm-42", "description": "web"}
    first = http.post(POOL, json=body)
    assert first.status_code == 201
    again = http.post(POOL, json=body)
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert [a["id"] for a in again.json()["addresses"]] == [
        a["id"] for a in first.json()["addresses"]]
    changed = http.post(POOL, json={**body, "count": 2})
    assert changed.status_code == 422
    assert changed.json()["error"] == {
        "code": "idempotency_mismatch", "field": "idempotency_key",
        "message": "idempotency_key: 'vm-42' was already used in pool 'net' for a different "
                   "request"}
    assert http.get(POOL).json()["total"] == 3


def test_release_update_and_reuse(http: TestClient) -> None:
    _pool(http, ["192.0.2.0/24"])
    made = http.post(POOL, json={"dns_name": "web1.example.com"}).json()["addresses"][0]
    url = f"/api/v1/addresses/{made['id']}"
    patched = http.patch(url, json={"state": "reserved", "description": "d", "tags": {"a": "b"},
                                    "owner": "ops", "dns_name": "web-1.example.com."})
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["state"], body["description"], body["tags"], body["owner"],
            body["dns_name"]) == ("reserved", "d", {"a": "b"}, "ops", "web-1.example.com.")
    assert http.patch(url, json={"dns_name": "bad name"}).json()["error"]["field"] == "dns_name"
    assert http.patch(url, json={"state": "released"}).status_code == 422
    released = http.post(f"{url}/release")
    assert released.json()["state"] == "released"
    assert http.post(f"{url}/release").json() == released.json()
    assert http.patch(url, json={"description": "x"}).json()["error"]["code"] == "released"
    assert _take(http) == ["192.0.2.2"]  # free again
    history = http.get(POOL, params={"address": "192.0.2.2"}).json()
    assert [a["state"] for a in history["addresses"]] == ["released", "allocated"]
    actions = [e["action"] for e in http.get("/api/v1/audit", params={"pool": "net"}).json()]
    assert actions[:4] == ["address.create", "address.release", "address.update",
                           "address.create"]


def test_pool_addresses_block_prefixes_and_pool_deletion(http: TestClient) -> None:
    _pool(http, ["192.0.2.0/24"])
    address = http.post(POOL, json={"address": "192.0.2.130"}).json()["addresses"][0]
    clash = http.post("/api/v1/pools/net/allocations", json={"prefix": "192.0.2.128/25"})
    assert clash.status_code == 409
    got = http.post("/api/v1/pools/net/allocations", json={"prefix_length": 25}).json()
    assert got["prefix"] == "192.0.2.0/25"
    http.post(f"/api/v1/allocations/{got['id']}/release")
    assert http.delete("/api/v1/pools/net").json()["error"]["code"] == "in_use"
    http.post(f"/api/v1/addresses/{address['id']}/release")
    assert http.delete("/api/v1/pools/net").status_code == 204


def test_allocation_holding_addresses_cannot_be_released(http: TestClient) -> None:
    _pool(http, ["192.0.2.0/24"])
    block = http.post("/api/v1/pools/net/allocations", json={"prefix": "192.0.2.0/28"}).json()
    held = _take(http, allocation_id=block["id"])
    assert held == ["192.0.2.2"]
    refused = http.post(f"/api/v1/allocations/{block['id']}/release")
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == (
        f"allocation {block['id']} (192.0.2.0/28) still holds 0 range(s) and 1 live "
        "address(es); delete and release them first")


def test_child_pool_space_gives_addresses_only_through_the_child(http: TestClient) -> None:
    _pool(http, ["10.0.0.0/16"], name="parent")
    assert http.post("/api/v1/pools", json={"name": "kid", "parent": "parent",
                                            "prefix_length": 24}).status_code == 201
    carved = http.get("/api/v1/pools/parent/allocations").json()["allocations"][0]
    refused = http.post("/api/v1/pools/parent/addresses", json={"allocation_id": carved["id"]})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "in_use"
    assert _take(http, "/api/v1/pools/kid/addresses") == ["10.0.0.2"]


def test_ipv6_pool_hands_out_canonical_text(http: TestClient) -> None:
    _pool(http, ["2001:db8:0:1::/64"], "aws")
    assert _take(http, count=2) == ["2001:db8:0:1::4", "2001:db8:0:1::5"]
    assert _take(http, address="2001:DB8:0:1:0:0:0:ff") == ["2001:db8:0:1::ff"]


def test_the_database_refuses_a_second_holder(http: TestClient, database: Database) -> None:
    _pool(http, ["192.0.2.0/24"])
    assert _take(http) == ["192.0.2.2"]
    with pytest.raises(sa.exc.IntegrityError), database.write() as conn:
        conn.execute(ip_addresses.insert(), {
            "pool_id": 1, "allocation_id": None, "version": 4, "addr_hex": to_hex(0xC0000202),
            "state": "allocated", "description": "", "dns_name": "", "owner": "", "tags": {},
            "idempotency_key": None, "batch_index": 0, "request_hash": None,
            "created_at": datetime.now(UTC), "released_at": None})
    assert http.get(POOL).json()["total"] == 1


@pytest.mark.parametrize(("query", "field"), [
    ("limit=0", "limit"), ("limit=257", "limit"), ("allocation_id=0", "allocation_id"),
    ("allocation_id=x", "allocation_id"), ("lmit=3", "lmit"), ("limit=1&limit=2", "limit"),
])
def test_available_refuses_bad_queries(http: TestClient, query: str, field: str) -> None:
    _pool(http, ["192.0.2.0/24"])
    answer = http.get(f"{POOL}/available?{query}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field


@pytest.mark.parametrize(("query", "field"), [
    ("address=10.0.0.1%0A", "address"), ("address=10.0.0.0/8", "address"),
    ("state=gone", "state"), ("limit=0", "limit"), ("offset=-1", "offset"),
])
def test_address_list_refuses_bad_filters(http: TestClient, query: str, field: str) -> None:
    _pool(http, ["192.0.2.0/24"])
    answer = http.get(f"{POOL}?{query}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
