"""Spaces over HTTP (/api/v1/spaces, ``space`` on pools), on SQLite and PostgreSQL:
status codes, error bodies naming the field and the collision, scopes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.tokens import create_token


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(database)) as http:
        yield http


def bearer(db: Database, pool: str | None, scope: str) -> dict[str, str]:
    secret = create_token(db, name=f"{pool}-{scope}", pool=pool, scope=scope)[1]
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin(database: Database) -> dict[str, str]:
    return bearer(database, None, "admin")


def test_the_issue_reproduction_is_now_a_409(client: TestClient, admin: dict[str, str]) -> None:
    made = client.post("/api/v1/pools", headers=admin,
                       json={"name": "prod", "prefixes": ["10.20.0.0/16"]})
    assert made.status_code == 201
    assert (made.json()["space"], made.json()["warnings"]) == ("global", [])
    for name, prefix in (("ov2", "10.20.0.0/24"), ("everything", "0.0.0.0/0")):
        refused = client.post("/api/v1/pools", headers=admin,
                              json={"name": name, "prefixes": [prefix]})
        assert refused.status_code == 409
        assert refused.json() == {"error": {
            "code": "overlap", "field": "prefixes[0]",
            "message": f"prefixes[0]: {prefix} overlaps 10.20.0.0/16 of pool 'prod' "
                       "in space 'global'"}}
    assert [p["name"] for p in client.get("/api/v1/pools", headers=admin).json()] == ["prod"]


def test_spaces_crud_and_connections(client: TestClient, admin: dict[str, str]) -> None:
    assert client.get("/api/v1/spaces", headers=admin).json()[0]["name"] == "global"
    created = client.post("/api/v1/spaces", headers=admin,
                          json={"name": "aws-prod", "description": "prod VPCs"})
    assert created.status_code == 201
    assert created.json()["connected"] == []
    client.post("/api/v1/spaces", headers=admin, json={"name": "dc"})
    assert client.post("/api/v1/spaces", headers=admin,
                       json={"name": "dc"}).json()["error"]["code"] == "exists"
    client.post("/api/v1/pools", headers=admin,
                json={"name": "vpcs", "prefixes": ["10.0.0.0/12"], "space": "aws-prod"})
    client.post("/api/v1/pools", headers=admin,
                json={"name": "racks", "prefixes": ["10.8.0.0/16"], "space": "dc"})
    url = "/api/v1/spaces/dc/connections/aws-prod"
    refused = client.put(url, headers=admin)
    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "overlap", "field": "other",
        "message": "cannot connect 'dc' and 'aws-prod': pool 'vpcs' 10.0.0.0/12 "
                   "(space 'aws-prod') overlaps pool 'racks' 10.8.0.0/16 (space 'dc')"}
    assert client.delete("/api/v1/pools/racks", headers=admin).status_code == 204
    assert client.put(url, headers=admin).status_code == 201
    assert client.put("/api/v1/spaces/aws-prod/connections/dc", headers=admin).status_code == 200
    detail = client.get("/api/v1/spaces/aws-prod", headers=admin).json()
    assert (detail["connected"], detail["pools"], detail["overlaps"]) == (["dc"], ["vpcs"], [])
    # Now connected: a dc pool overlapping aws-prod is refused, naming the space it hits.
    again = client.post("/api/v1/pools", headers=admin,
                        json={"name": "racks", "prefixes": ["10.8.0.0/16"], "space": "dc"})
    assert again.json()["error"]["message"] == (
        "prefixes[0]: 10.8.0.0/16 overlaps 10.0.0.0/12 of pool 'vpcs' in space 'aws-prod', "
        "connected to 'dc'")
    assert client.delete(url, headers=admin).status_code == 204
    assert client.delete(url, headers=admin).status_code == 404
    assert client.delete("/api/v1/spaces/aws-prod", headers=admin).status_code == 409
    assert client.delete("/api/v1/spaces/dc", headers=admin).status_code == 204
    assert client.get("/api/v1/spaces/dc", headers=admin).status_code == 404


@pytest.mark.parametrize(("method", "url", "body", "status", "field"), [
    ("post", "/api/v1/spaces", {"name": "has space"}, 422, "name"),
    ("post", "/api/v1/spaces", {"name": ""}, 422, "name"),
    ("post", "/api/v1/spaces", {"name": "ok", "colour": "red"}, 422, "colour"),
    ("post", "/api/v1/spaces", {"name": "ok", "description": "a\x00b"}, 422, "description"),
    ("post", "/api/v1/pools", {"name": "p", "prefixes": ["10.0.0.0/8"], "space": "bad name"},
     422, "space"),
    ("post", "/api/v1/pools", {"name": "p", "prefixes": ["10.0.0.0/8"], "space": "nowhere"},
     404, "space"),
    ("post", "/api/v1/pools", {"name": "p", "prefixes": ["10.0.0.0/8"], "warn_at": 0},
     422, "warn_at"),
    ("post", "/api/v1/pools", {"name": "p", "prefixes": ["10.0.0.0/8"], "warn_at": 101},
     422, "warn_at"),
    ("post", "/api/v1/pools", {"name": "p", "prefixes": ["10.0.0.0/8"], "warn_at": "lots"},
     422, "warn_at"),
    ("put", "/api/v1/spaces/global/connections/global", None, 422, "other"),
    ("put", "/api/v1/spaces/global/connections/nowhere", None, 404, "other"),
    ("put", "/api/v1/spaces/nowhere/connections/global", None, 404, "space"),
    ("get", "/api/v1/spaces/bad%20name", None, 422, "space"),
    ("get", "/api/v1/spaces?lenght=1", None, 422, "lenght"),
    ("delete", "/api/v1/spaces/global", None, 409, "space"),
    ("get", "/api/v1/pools/none/fragmentation", None, 404, "pool"),
])
def test_bad_input_names_the_field(client: TestClient, admin: dict[str, str], method: str,
                                   url: str, body: object, status: int, field: str) -> None:
    response = client.request(method.upper(), url, headers=admin, json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == field


def test_scopes(client: TestClient, database: Database, admin: dict[str, str]) -> None:
    client.post("/api/v1/pools", headers=admin, json={"name": "a", "prefixes": ["10.0.0.0/16"]})
    client.post("/api/v1/pools", headers=admin, json={"name": "b", "prefixes": ["10.1.0.0/16"]})
    pool_admin = bearer(database, "a", "admin")
    reader = bearer(database, None, "read")
    denied = client.post("/api/v1/spaces", headers=pool_admin, json={"name": "x"})
    assert denied.status_code == 403
    assert denied.json()["error"]["message"] == (
        "token 'a-admin' (admin on a) lacks admin scope on all pools")
    assert client.post("/api/v1/spaces", headers=reader, json={"name": "x"}).status_code == 403
    assert client.get("/api/v1/spaces", headers=pool_admin).status_code == 200
    # A pool-bound token sees only its own pool in a space.
    assert client.get("/api/v1/spaces/global", headers=pool_admin).json()["pools"] == ["a"]
    assert client.get("/api/v1/spaces/global", headers=reader).json()["pools"] == ["a", "b"]
    assert client.get("/api/v1/export/connections", headers=pool_admin).status_code == 403
    assert client.get("/api/v1/export/inventory", headers=reader).status_code == 200
    assert client.get("/api/v1/spaces").status_code == 401


def test_child_pool_space_over_http(client: TestClient, admin: dict[str, str]) -> None:
    client.post("/api/v1/spaces", headers=admin, json={"name": "edge"})
    client.post("/api/v1/pools", headers=admin,
                json={"name": "top", "prefixes": ["10.0.0.0/16"], "space": "edge"})
    child = client.post("/api/v1/pools", headers=admin,
                        json={"name": "kid", "parent": "top", "prefix_length": 24})
    assert (child.status_code, child.json()["space"]) == (201, "edge")
    wrong = client.post("/api/v1/pools", headers=admin, json={
        "name": "kid2", "parent": "top", "prefix_length": 24, "space": "global"})
    assert (wrong.status_code, wrong.json()["error"]["field"]) == (422, "space")
