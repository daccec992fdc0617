"""The requests the Terraform provider's ``netbox_available_prefix`` makes (read from
e-breuninger/terraform-provider-netbox: create, then a full ``PUT`` of the writable
prefix, read, destroy), replayed; and scopes seen through the NetBox routes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.limits import AttemptLimiter
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.tokens import create_token

PARENT = 2049  # the first prefix of pool id 1


@pytest.fixture
def setup(database: Database) -> Iterator[tuple[TestClient, Database, str]]:
    create_pool(database, PoolSpec("prod", ["10.0.0.0/16"]), actor="t")
    create_pool(database, PoolSpec("lab", ["10.9.0.0/16"]), actor="t")
    token = create_token(database, name="tf", pool=None, scope="admin")[1]
    yield (TestClient(create_app(database, batching=False,
                                 limiter=AttemptLimiter(limit=10**9))), database, token)


def test_netbox_available_prefix_lifecycle(setup: tuple[TestClient, Database, str]) -> None:
    http, _, token = setup
    headers = {"Authorization": f"Token {token}"}
    made = http.post(f"/api/ipam/prefixes/{PARENT}/available-prefixes/", headers=headers,
                     json={"prefix_length": 24})
    assert made.status_code == 201
    prefix_id = made.json()["id"]
    # resourceNetboxPrefixUpdate: the whole WritablePrefix; unset relations are null.
    body = {"prefix": "10.0.0.0/24", "status": "active", "description": "app subnet",
            "is_pool": False, "mark_utilized": False, "vrf": None, "tenant": None,
            "site": None, "vlan": None, "role": None, "tags": [{"name": "env=prod"}]}
    put = http.put(f"/api/ipam/prefixes/{prefix_id}/", headers=headers, json=body)
    assert put.status_code == 200, put.text
    read = http.get(f"/api/ipam/prefixes/{prefix_id}/", headers=headers).json()
    assert read["description"] == "app subnet"
    assert read["status"] == {"value": "active", "label": "Active"}
    assert [t["name"] for t in read["tags"]] == ["env=prod"]
    assert read["vrf"] is None and read["tenant"] is None
    # A plan that sets a tenant, or another status, is refused by name, not ignored.
    for field, value in (("tenant", 4), ("status", "deprecated"), ("prefix", "10.0.1.0/24")):
        refused = http.put(f"/api/ipam/prefixes/{prefix_id}/", headers=headers,
                           json={**body, field: value})
        assert refused.status_code == 400
        assert list(refused.json()) == [field]
    assert http.delete(f"/api/ipam/prefixes/{prefix_id}/", headers=headers).status_code == 204
    # Read after destroy: 404, which the provider takes as "gone".
    assert http.get(f"/api/ipam/prefixes/{prefix_id}/", headers=headers).status_code == 404
    assert http.delete(f"/api/ipam/prefixes/{prefix_id}/", headers=headers).status_code == 404


def test_scopes_hold_on_the_netbox_routes(setup: tuple[TestClient, Database, str]) -> None:
    http, database, _ = setup
    reader = create_token(database, name="r", pool="prod", scope="read")[1]
    writer = create_token(database, name="w", pool="prod", scope="write")[1]
    as_reader = {"Authorization": f"Token {reader}"}
    as_writer = {"Authorization": f"Token {writer}"}
    listed = http.get("/api/ipam/prefixes/", headers=as_reader).json()
    assert [p["prefix"] for p in listed["results"]] == ["10.0.0.0/16"]  # not lab's
    lab = PARENT + 2 * 1024  # pool id 2
    assert http.get(f"/api/ipam/prefixes/{lab}/", headers=as_reader).status_code == 404
    refused = http.post(f"/api/ipam/prefixes/{PARENT}/available-prefixes/", headers=as_reader,
                        json={"prefix_length": 24})
    assert refused.status_code == 403
    assert refused.json()["detail"]
    made = http.post(f"/api/ipam/prefixes/{PARENT}/available-prefixes/", headers=as_writer,
                     json={"prefix_length": 24})
    assert made.status_code == 201
    # Deleting a pool needs admin; a VRF needs admin on all pools.
    assert http.delete(f"/api/ipam/prefixes/{PARENT}/", headers=as_writer).status_code == 403
    assert http.post("/api/ipam/vrfs/", headers=as_writer,
                     json={"name": "blue"}).status_code == 403
    # Bulk operations on a list are not offered.
    assert http.patch("/api/ipam/prefixes/", headers=as_writer, json=[]).status_code == 405
    assert http.delete("/api/ipam/prefixes/", headers=as_writer).status_code == 405
