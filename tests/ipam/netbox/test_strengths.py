"""What cidrkit adds for NetBox clients: a retry with an ``Idempotency-Key`` gets the
first attempt's blocks, a list body is all or nothing, ``Bearer`` works beside
``Token``, and a ``Token`` client may send as large a body as a ``Bearer`` one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.limits import MAX_ANONYMOUS_BODY, AttemptLimiter
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.tokens import create_token

CARVE = "/api/ipam/prefixes/2049/available-prefixes/"


@pytest.fixture
def client(database: Database) -> Iterator[tuple[TestClient, str]]:
    create_pool(database, PoolSpec("prod", ["10.0.0.0/16"]), actor="t")
    token = create_token(database, name="admin", pool=None, scope="admin")[1]
    yield TestClient(create_app(database, batching=False,
                                limiter=AttemptLimiter(limit=10**9))), token


def _prefixes(client: TestClient, token: str) -> list[str]:
    listed = client.get("/api/ipam/prefixes/?status=active&limit=0",
                        headers={"Authorization": f"Token {token}"}).json()
    return [p["prefix"] for p in listed["results"]]


def test_idempotency_key_replays_instead_of_allocating_again(
        client: tuple[TestClient, str]) -> None:
    http, token = client
    headers = {"Authorization": f"Token {token}", "Idempotency-Key": "build-42"}
    first = http.post(CARVE, headers=headers, json=[{"prefix_length": 24}, {"prefix_length": 25}])
    assert first.status_code == 201
    again = http.post(CARVE, headers=headers, json=[{"prefix_length": 24}, {"prefix_length": 25}])
    assert again.status_code == 200
    assert [p["id"] for p in again.json()] == [p["id"] for p in first.json()]
    assert _prefixes(http, token) == ["10.0.0.0/24", "10.0.1.0/25"]
    other = http.post(CARVE, headers=headers, json={"prefix_length": 26})
    assert other.status_code == 422
    assert other.json() == {
        "detail": "idempotency_key: 'build-42' was already used in pool 'prod' for a different "
                  "request", "code": "idempotency_mismatch", "field": "idempotency_key"}
    assert _prefixes(http, token) == ["10.0.0.0/24", "10.0.1.0/25"]


def test_a_list_is_all_or_nothing(client: tuple[TestClient, str]) -> None:
    http, token = client
    headers = {"Authorization": f"Token {token}"}
    refused = http.post(CARVE, headers=headers,
                        json=[{"prefix_length": 17}, {"prefix_length": 17},
                              {"prefix_length": 24}])
    assert refused.status_code == 409
    assert "[2].prefix_length" in refused.json()["detail"]
    assert _prefixes(http, token) == []


def test_bearer_and_token_are_the_same_token(client: tuple[TestClient, str]) -> None:
    http, token = client
    for scheme in ("Token", "Bearer", "token", "BEARER"):
        answer = http.get("/api/ipam/prefixes/", headers={"Authorization": f"{scheme} {token}"})
        assert answer.status_code == 200, scheme


def test_a_token_client_may_send_a_large_body(client: tuple[TestClient, str]) -> None:
    http, token = client
    items = [{"prefix_length": 28, "description": "d" * 200} for _ in range(100)]
    for scheme in ("Token", "Bearer"):
        body = http.post(CARVE, headers={"Authorization": f"{scheme} {token}"}, json=items)
        assert len(body.request.content) > MAX_ANONYMOUS_BODY
        assert body.status_code == 201, (scheme, body.text[:200])
    anonymous = http.post(CARVE, json=items)
    assert anonymous.status_code == 413
