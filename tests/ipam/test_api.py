"""The HTTP API in-process: auth, status codes, error bodies naming fields, imports."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.tokens import create_token, revoke_token


@pytest.fixture
def client(sqlite_db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_db)) as http:
        yield http


@pytest.fixture
def admin(sqlite_db: Database) -> dict[str, str]:
    secret = create_token(sqlite_db, name="root", pool=None, scope="admin")[1]
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def prod(client: TestClient, admin: dict[str, str]) -> str:
    body = {"name": "prod", "prefixes": ["10.0.0.0/16"], "default_length": 24,
            "required_tags": ["env"]}
    assert client.post("/api/v1/pools", json=body, headers=admin).status_code == 201
    return "prod"


def bearer(db: Database, pool: str | None, scope: str) -> dict[str, str]:
    secret = create_token(db, name=f"{pool}-{scope}", pool=pool, scope=scope)[1]
    return {"Authorization": f"Bearer {secret}"}


def test_tokens_401_and_403(client: TestClient, sqlite_db: Database, prod: str) -> None:
    url = "/api/v1/pools/prod/allocations"
    body = {"tags": {"env": "x"}}
    assert client.post(url, json=body).json() == {"error": {
        "code": "unauthorized", "field": "authorization",
        "message": "missing API token (send 'Authorization: Bearer <token>')"}}
    for bad in ("nonsense", "ckt_1_wrong", "ckt_99_x"):
        response = client.post(url, json=body, headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, bad
    reader = bearer(sqlite_db, "prod", "read")
    denied = client.post(url, json=body, headers=reader)
    assert denied.status_code == 403
    assert denied.json()["error"]["message"] == (
        "token 'prod-read' (read on prod) lacks write scope on pool 'prod'")
    assert client.get(url, headers=reader).status_code == 200
    other = bearer(sqlite_db, "other", "admin")
    assert client.get(url, headers=other).status_code == 403
    assert client.get("/api/v1/pools", headers=other).json() == []
    writer = bearer(sqlite_db, "prod", "write")
    assert client.post(url, json=body, headers=writer).status_code == 201
    assert client.delete("/api/v1/pools/prod", headers=writer).status_code == 403
    token_id = int(writer["Authorization"].split("_")[1])
    revoke_token(sqlite_db, token_id)
    client.app.state.ipam.verifier._cache.clear()  # type: ignore[attr-defined]
    assert client.post(url, json=body, headers=writer).status_code == 401


def test_allocate_replay_release_and_errors(client: TestClient, admin: dict[str, str],
                                            prod: str) -> None:
    url = "/api/v1/pools/prod/allocations"
    first = client.post(url, json={"tags": {"env": "a"}, "idempotency_key": "k"}, headers=admin)
    assert first.status_code == 201
    assert first.json()["prefix"] == "10.0.0.0/24"
    again = client.post(url, json={"tags": {"env": "a"}, "idempotency_key": "k"}, headers=admin)
    assert (again.status_code, again.json()) == (200, first.json())
    cases = [
        ({"prefix": "10.0.0.5/24", "tags": {"env": "a"}}, 422, "prefix",
         "prefix: '10.0.0.5/24': host bits set; did you mean 10.0.0.0/24?"),
        ({"prefix_length": 24}, 422, "tags", "tags: pool 'prod' requires tag(s) env"),
        ({"prefix_length": "x"}, 422, "prefix_length",
         "prefix_length: Input should be a valid integer, unable to parse string as an integer"),
        ({"prefix_length": 24, "colour": 1}, 422, "colour",
         "colour: Extra inputs are not permitted"),
        ({"prefix": "10.0.0.0/24", "tags": {"env": "a"}}, 409, "prefix",
         "prefix: 10.0.0.0/24 overlaps 10.0.0.0/24, already allocated in pool 'prod'"),
        ({"prefix_length": 8, "tags": {"env": "a"}}, 422, "prefix_length",
         "prefix_length: /8 is outside what pool 'prod' hands out (/16 to /32)"),
        ({"description": "a\x00b"}, 422, "description",
         "description: Value error, must not contain NUL characters"),
        ({"tags": {"env": "a"}, "idempotency_key": "k", "owner": "z"}, 422, "idempotency_key",
         "idempotency_key: 'k' was already used in pool 'prod' for a different request"),
    ]
    for body, status, field, message in cases:
        response = client.post(url, json=body, headers=admin)
        assert response.status_code == status, body
        assert response.json()["error"]["field"] == field, body
        assert response.json()["error"]["message"] == message, body
    assert client.post("/api/v1/pools/nope/allocations", json={},
                       headers=admin).status_code == 404
    garbage = client.post(url, content=b"{not json", headers={
        **admin, "Content-Type": "application/json"})
    assert garbage.status_code == 422
    released = client.post(f"/api/v1/allocations/{first.json()['id']}/release", headers=admin)
    assert released.json()["state"] == "released"
    assert client.post("/api/v1/allocations/999/release", headers=admin).status_code == 404
    assert client.get("/api/v1/allocations/0", headers=admin).status_code == 422


def test_batch_free_and_utilisation(client: TestClient, admin: dict[str, str]) -> None:
    body = {"name": "v6", "prefixes": ["2001:db8::/48"], "min_length": 56}
    assert client.post("/api/v1/pools", json=body, headers=admin).status_code == 201
    batch = client.post("/api/v1/pools/v6/allocations/batch", headers=admin, json={
        "items": [{"prefix_length": 56}, {"prefix_length": 64, "strategy": "first_fit"}]})
    assert batch.status_code == 201
    assert [a["prefix"] for a in batch.json()["allocations"]] == [
        "2001:db8::/56", "2001:db8:0:100::/64"]
    refused = client.post("/api/v1/pools/v6/allocations/batch", headers=admin, json={
        "items": [{"prefix_length": 56}, {"prefix_length": 40}]})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "items[1].prefix_length"
    free = client.get("/api/v1/pools/v6/free", params={"length": 64, "limit": 2},
                      headers=admin).json()
    assert free == {"pool": "v6", "length": 64, "total": str(2**16 - 256 - 1), "offset": "0",
                    "blocks": ["2001:db8:0:101::/64", "2001:db8:0:102::/64"]}
    usage = client.get("/api/v1/pools/v6/utilisation", headers=admin).json()["utilisation"]
    assert usage == {"total": str(2**80), "allocated": str(2**72 + 2**64), "reserved": "0",
                     "free": str(2**80 - 2**72 - 2**64), "allocations": 2,
                     "percent": round(100 * (2**72 + 2**64) / 2**80, 4),
                     "total_64s": "65536", "used_64s": "257", "ranged": "0", "addresses": "0"}
    huge = client.get("/api/v1/pools/v6/free", params={"length": 128, "limit": 5000},
                      headers=admin)
    assert huge.status_code == 422
    assert huge.json()["error"]["field"] == "limit"


def test_pool_delete_refused_while_in_use(client: TestClient, admin: dict[str, str],
                                          prod: str) -> None:
    made = client.post("/api/v1/pools/prod/allocations", json={"tags": {"env": "a"}},
                       headers=admin).json()
    refused = client.delete("/api/v1/pools/prod", headers=admin)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "in_use"
    client.post(f"/api/v1/allocations/{made['id']}/release", headers=admin)
    assert client.delete("/api/v1/pools/prod", headers=admin).status_code == 204
    assert client.get("/api/v1/pools/prod", headers=admin).status_code == 404
    audit = client.get("/api/v1/audit", headers=admin).json()
    assert [e["action"] for e in audit][:4] == [
        "pool.delete", "allocation.release", "allocation.create", "pool.create"]


def test_import_lock_file_and_inventory(client: TestClient, admin: dict[str, str],
                                        prod: str) -> None:
    # prod holds 10.0.0.0/16 in global: a pool around it lives in a space of its own.
    client.post("/api/v1/spaces", headers=admin, json={"name": "lab"})
    client.post("/api/v1/pools", headers=admin, json={"name": "plain", "space": "lab",
                                                      "prefixes": ["10.0.0.0/8"]})
    lock = json.dumps({"cidrkit-plan-lock": 1, "blocks": {
        "prod/vpc": "10.1.0.0/16", "prod/vpc/app": "10.1.0.0/20", "edge": "192.0.2.0/24",
        "typo": "10.2.0.1/16", "again": "10.1.0.0/16", "prod/vpc/ipv6": "2001:db8::/56"}})
    url = "/api/v1/pools/plain/import"
    report = client.post(url, headers=admin, json={"content": lock,
                                                   "filename": "plan.lock"}).json()
    assert report["format"] == "lock"
    assert [(a["prefix"], a["description"]) for a in report["imported"]] == [
        ("10.1.0.0/16", "prod/vpc")]
    assert sorted((s["kind"], s["origin"], s["reason"]) for s in report["skipped"]) == [
        ("duplicate", "plan.lock#/blocks/again", "listed more than once (first as 'prod/vpc')"),
        ("inside", "plan.lock#/blocks/prod~1vpc~1app",
         "inside 10.1.0.0/16 (prod/vpc), imported as one block"),
        ("malformed", "plan.lock#/blocks/typo",
         "'10.2.0.1/16': host bits set; did you mean 10.2.0.0/16?"),
        ("outside", "plan.lock#/blocks/edge", "outside pool 'plain' (10.0.0.0/8)"),
        ("outside", "plan.lock#/blocks/prod~1vpc~1ipv6", "outside pool 'plain' (10.0.0.0/8)"),
    ]
    again = client.post(url, headers=admin, json={"format": "lock", "content": lock,
                                                  "filename": "plan.lock"}).json()
    assert again["imported"] == [] and [a["prefix"] for a in again["existing"]] == [
        "10.1.0.0/16"]
    inventory = "10.3.0.0/16 # legacy dc\n10.4.0.0/16\nnot-a-prefix\n"
    report = client.post(url, headers=admin, json={"content": inventory,
                                                   "filename": "dc.txt"}).json()
    assert report["format"] == "inventory"
    assert [a["prefix"] for a in report["imported"]] == ["10.3.0.0/16", "10.4.0.0/16"]
    overlapping = client.post(url, headers=admin, json={
        "format": "inventory", "content": "10.3.1.0/24\n", "filename": "more.txt"}).json()
    assert [(s["kind"], s["reason"]) for s in overlapping["skipped"]] == [
        ("overlap", "prefix: 10.3.1.0/24 overlaps 10.3.0.0/16, already allocated in pool "
                    "'plain'")]


def test_import_refuses_what_the_planner_would_refuse(client: TestClient,
                                                      admin: dict[str, str], prod: str) -> None:
    url = "/api/v1/pools/prod/import"
    not_a_lock = client.post(url, headers=admin, json={
        "format": "lock", "content": '{"blocks": {"a": "10.0.0.0/24"}}', "filename": "p.lock"})
    assert not_a_lock.status_code == 422
    assert not_a_lock.json()["error"] == {
        "code": "invalid", "field": "content",
        "message": "content: p.lock: error: not a cidrkit plan lock (format 1)\n"
                   "  hint: delete it to plan from scratch"}
    lock = json.dumps({"cidrkit-plan-lock": 1, "blocks": {"a": "10.0.1.0/24"}})
    untagged = client.post(url, headers=admin, json={"content": lock, "filename": "p.lock"})
    assert untagged.status_code == 422
    assert untagged.json()["error"]["message"] == "tags: pool 'prod' requires tag(s) env"
    tagged = client.post(url, headers=admin, json={"content": lock, "filename": "p.lock",
                                                   "tags": {"env": "prod"}}).json()
    assert [(a["prefix"], a["tags"]) for a in tagged["imported"]] == [
        ("10.0.1.0/24", {"env": "prod"})]
    unknown = client.post(url, headers=admin, json={"content": lock, "filename": "p.lock",
                                                    "under": ["b"], "tags": {"env": "x"}})
    assert unknown.json()["error"] == {
        "code": "invalid", "field": "under",
        "message": "under: no block of p.lock is at or below 'b'"}


def test_openapi_documents_every_error_status(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    allocate = spec["paths"]["/api/v1/pools/{pool}/allocations"]["post"]
    assert set(allocate["responses"]) == {"200", "201", "401", "403", "404", "409", "413",
                                          "422", "429", "503", "507"}
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
