"""IP ranges over the HTTP API, on SQLite and PostgreSQL.

A free-standing range blocks prefix allocation, counts in utilisation and is
left out of the free-block lists; a range inside an allocation belongs to
it; ranges never overlap, never cross an allocation's edge, and the
database refuses what the service would refuse.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cidrkit.core import IPSet, Prefix, Range
from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.schema import allocations, ip_ranges, to_hex
from cidrkit.ipam.store import prefix_row
from cidrkit.ipam.tokens import create_token


@pytest.fixture
def http(database: Database) -> Iterator[TestClient]:
    secret = create_token(database, name="root", pool=None, scope="admin")[1]
    with TestClient(create_app(database)) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        created = client.post("/api/v1/pools", json={"name": "lan",
                                                     "prefixes": ["192.0.2.0/24"]})
        assert created.status_code == 201, created.text
        yield client


def _range(http: TestClient, start: str, end: str, **extra: Any) -> Any:
    return http.post("/api/v1/pools/lan/ranges", json={"start": start, "end": end, **extra})


def test_free_standing_range_blocks_allocation_and_counts_as_used(http: TestClient) -> None:
    made = _range(http, "192.0.2.0", "192.0.2.99", kind="dhcp", description="scope")
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["start"], body["end"], body["size"], body["kind"], body["allocation_id"]) == (
        "192.0.2.0", "192.0.2.99", "100", "dhcp", None)
    # 192.0.2.0/26 and .64/27 are under the range; .96/27 only partly; so the
    # first /26 that fits is .128 and no /25 fits at all.
    first = http.post("/api/v1/pools/lan/allocations", json={"prefix_length": 26,
                                                            "strategy": "first_fit"})
    assert first.json()["prefix"] == "192.0.2.128/26"
    assert http.post("/api/v1/pools/lan/allocations",
                     json={"prefix_length": 25}).json()["error"]["code"] == "exhausted"
    exact = http.post("/api/v1/pools/lan/allocations", json={"prefix": "192.0.2.96/27"})
    assert exact.status_code == 409
    assert "192.0.2.96/27 overlaps 192.0.2.96/30" in exact.json()["error"]["message"]
    usage = http.get("/api/v1/pools/lan").json()["utilisation"]
    assert (usage["ranged"], usage["allocated"], usage["free"]) == ("100", "64", "92")
    free = http.get("/api/v1/pools/lan/free").json()["blocks"]
    assert IPSet.parse(free) == IPSet.parse(["192.0.2.100-192.0.2.127", "192.0.2.192/26"])


def test_range_inside_an_allocation_belongs_to_it(http: TestClient) -> None:
    block = http.post("/api/v1/pools/lan/allocations", json={"prefix": "192.0.2.0/25"}).json()
    made = _range(http, "192.0.2.10", "192.0.2.20")
    assert made.status_code == 201
    assert made.json()["allocation_id"] == block["id"]
    # It lies in the allocation's space: the pool's utilisation is unchanged by it.
    assert http.get("/api/v1/pools/lan").json()["utilisation"]["ranged"] == "0"
    named = _range(http, "192.0.2.30", "192.0.2.40", allocation_id=block["id"])
    assert named.status_code == 201
    wrong = _range(http, "192.0.2.200", "192.0.2.210", allocation_id=block["id"])
    assert wrong.status_code == 422
    assert wrong.json()["error"] == {
        "code": "invalid", "field": "allocation_id",
        "message": f"allocation_id: 192.0.2.200-192.0.2.210 is not inside live allocation "
                   f"{block['id']} of pool 'lan'"}
    held = http.post(f"/api/v1/allocations/{block['id']}/release")
    assert held.status_code == 409
    assert held.json()["error"]["code"] == "in_use"
    for item in http.get("/api/v1/pools/lan/ranges").json():
        assert http.delete(f"/api/v1/ranges/{item['id']}").status_code == 204
    assert http.post(f"/api/v1/allocations/{block['id']}/release").status_code == 200


@pytest.mark.parametrize(("start", "end", "status", "field", "message"), [
    ("192.0.2.50", "192.0.2.60", 409, "start",
     "start: 192.0.2.50-192.0.2.60 overlaps range #1 (192.0.2.40-192.0.2.59, dhcp) of pool "
     "'lan'"),
    ("192.0.2.120", "192.0.2.130", 409, "start",
     "start: 192.0.2.120-192.0.2.130 crosses the edge of allocation #1 (192.0.2.128/25); a "
     "range lies wholly inside one allocation or outside all of them"),
    ("192.0.3.1", "192.0.3.9", 422, "start",
     "start: 192.0.3.1-192.0.3.9 is not inside pool 'lan' (192.0.2.0/24)"),
    ("192.0.2.9", "192.0.2.1", 422, "end",
     "end: 192.0.2.1 is before start 192.0.2.9 (did you mean 192.0.2.1-192.0.2.9?)"),
    ("192.0.2.1", "2001:db8::1", 422, "end",
     "end: 2001:db8::1 is IPv6 but start 192.0.2.1 is IPv4"),
    ("192.0.2.1/32", "192.0.2.5", 422, "start", None),
    ("192.0.2.01", "192.0.2.5", 422, "start", None),
    ("192.0.2.1", "192.0.2.5\n", 422, "end", None),
])
def test_bad_ranges_name_the_field(http: TestClient, start: str, end: str, status: int,
                                   field: str, message: str | None) -> None:
    assert _range(http, "192.0.2.40", "192.0.2.59").status_code == 201
    assert http.post("/api/v1/pools/lan/allocations",
                     json={"prefix": "192.0.2.128/25"}).status_code == 201
    answer = _range(http, start, end)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["field"] == field
    if message is not None:
        assert error["message"] == message
    assert len(http.get("/api/v1/pools/lan/ranges").json()) == 1


def test_range_over_a_live_address_is_refused(http: TestClient) -> None:
    taken = http.post("/api/v1/pools/lan/addresses", json={"address": "192.0.2.77"})
    assert taken.status_code == 201
    answer = _range(http, "192.0.2.70", "192.0.2.80")
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == (
        f"start: 192.0.2.70-192.0.2.80 covers address #{taken.json()['addresses'][0]['id']} "
        "(192.0.2.77), held in pool 'lan'; release it first")


def test_patch_get_delete_and_audit(http: TestClient) -> None:
    made = _range(http, "192.0.2.1", "192.0.2.9").json()
    patched = http.patch(f"/api/v1/ranges/{made['id']}",
                         json={"kind": "reserved", "description": "printers"})
    assert (patched.json()["kind"], patched.json()["description"]) == ("reserved", "printers")
    assert http.get(f"/api/v1/ranges/{made['id']}").json() == patched.json()
    assert http.patch(f"/api/v1/ranges/{made['id']}", json={"kind": "pool"}).status_code == 422
    assert http.patch(f"/api/v1/ranges/{made['id']}", json={"start": "192.0.2.2"}
                      ).json()["error"]["field"] == "start"
    assert http.delete(f"/api/v1/ranges/{made['id']}").status_code == 204
    assert http.get(f"/api/v1/ranges/{made['id']}").status_code == 404
    assert http.delete(f"/api/v1/ranges/{made['id']}").status_code == 404
    actions = [e["action"] for e in http.get("/api/v1/audit", params={"pool": "lan"}).json()]
    assert actions[:3] == ["range.delete", "range.update", "range.create"]


def test_pool_bound_token_cannot_see_other_pools_ranges(http: TestClient,
                                                        database: Database) -> None:
    made = _range(http, "192.0.2.1", "192.0.2.9").json()
    assert http.post("/api/v1/pools", json={"name": "other",
                                            "prefixes": ["198.51.100.0/24"]}).status_code == 201
    secret = create_token(database, name="o", pool="other", scope="admin")[1]
    headers = {"Authorization": f"Bearer {secret}"}
    assert http.get(f"/api/v1/ranges/{made['id']}", headers=headers).status_code == 404
    assert http.delete(f"/api/v1/ranges/{made['id']}", headers=headers).status_code == 404
    assert http.get("/api/v1/pools/lan/ranges", headers=headers).status_code == 403
    reader = create_token(database, name="r", pool="lan", scope="read")[1]
    denied = http.delete(f"/api/v1/ranges/{made['id']}",
                         headers={"Authorization": f"Bearer {reader}"})
    assert denied.status_code == 403


def test_pool_with_ranges_is_deleted_with_them(http: TestClient) -> None:
    assert _range(http, "192.0.2.1", "192.0.2.9").status_code == 201
    assert http.delete("/api/v1/pools/lan").status_code == 204
    assert http.get("/api/v1/pools/lan/ranges").status_code == 404


def _insert_allocation(conn: sa.Connection, pool_id: int, prefix: str) -> None:
    conn.execute(allocations.insert(), {
        "pool_id": pool_id, **prefix_row(Prefix.parse(prefix)), "state": "allocated",
        "description": "", "owner": "", "tags": {}, "idempotency_key": None, "batch_index": 0,
        "request_hash": None, "child_pool_id": None, "created_at": datetime.now(UTC),
        "released_at": None})


def _insert_range(conn: sa.Connection, pool_id: int, span: str,
                  allocation_id: int | None = None) -> None:
    parsed = Range.parse(span)
    conn.execute(ip_ranges.insert(), {
        "pool_id": pool_id, "allocation_id": allocation_id, "version": 4,
        "first_hex": to_hex(parsed.start), "last_hex": to_hex(parsed.end), "kind": "dhcp",
        "description": "", "created_at": datetime.now(UTC)})


@pytest.mark.parametrize("write", [
    lambda c: _insert_range(c, 1, "192.0.2.5-192.0.2.15"),           # overlaps a range
    lambda c: _insert_range(c, 1, "192.0.2.120-192.0.2.130"),        # crosses the allocation
    lambda c: _insert_range(c, 1, "192.0.2.20-192.0.2.30", 1),       # not in its allocation
    lambda c: _insert_allocation(c, 1, "192.0.2.0/28"),              # covers a range
])
def test_the_database_itself_refuses_what_the_service_refuses(
        http: TestClient, database: Database, write: Any) -> None:
    assert _range(http, "192.0.2.1", "192.0.2.9").status_code == 201
    assert http.post("/api/v1/pools/lan/allocations",
                     json={"prefix": "192.0.2.128/25"}).status_code == 201
    with pytest.raises(sa.exc.IntegrityError), database.write() as conn:
        write(conn)
    assert len(http.get("/api/v1/pools/lan/ranges").json()) == 1
