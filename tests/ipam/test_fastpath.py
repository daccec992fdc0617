"""The lean allocation and address routes answer exactly as the full FastAPI routes do.

The same requests go to two servers over two fresh databases, one with the
fast path and one without; status, content type and body bytes must match
(creation times aside), and the fast path must really have answered the
ordinary requests while handing the unusual ones on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cidrkit.ipam import fastpath
from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.model import PoolRules
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.tokens import create_token

URL = "/api/v1/pools/prod/allocations"
ADDRESSES = "/api/v1/pools/prod/addresses"
TIMESTAMP = re.compile(rb'"(created_at|released_at)":"[^"]+"')

# (path, json body or raw bytes, headers key, expected status, answered by the fast path)
CASES: list[tuple[str, Any, str, int, bool]] = [
    (URL, {"prefix_length": 24, "tags": {"env": "a"}}, "writer", 201, True),
    (URL, {"tags": {"env": "a"}, "idempotency_key": "k1", "owner": "net"}, "writer", 201, True),
    (URL, {"tags": {"env": "a"}, "idempotency_key": "k1", "owner": "net"}, "writer", 200, True),
    (URL, {"tags": {"env": "b"}, "idempotency_key": "k1"}, "writer", 422, True),
    (URL, {"prefix": "10.0.0.128/25", "tags": {"env": "a"}}, "writer", 409, True),
    (URL, {"prefix": "10.0.9.5/24", "tags": {"env": "a"}}, "writer", 422, True),
    (URL, {"prefix_length": 30, "tags": {"env": "a"}}, "writer", 422, True),
    (URL, {"prefix_length": 24}, "writer", 422, True),
    (URL, {"prefix_length": 17, "tags": {"env": "é\u2603"}}, "writer", 201, True),
    (URL, {"prefix_length": 17, "tags": {"env": "a"}}, "writer", 409, True),
    (URL, {"prefix_length": 24, "tags": {"env": "a"}}, "reader", 403, True),
    ("/api/v1/pools/nope/allocations", {"prefix_length": 24}, "writer", 404, True),
    (URL, {"prefix_length": 24, "tags": {"env": "a"}}, "nobody", 401, False),
    (URL, {"prefix_length": 24, "tags": {"env": "a"}}, "bogus", 401, True),
    (URL, {"prefix_length": 24, "colour": "blue"}, "writer", 422, False),
    (URL, {"prefix_length": "x"}, "writer", 422, False),
    (URL, b'{"prefix_length": 24', "writer", 422, False),
    (URL, b"\xff\xfe", "writer", 422, False),
    (URL + "?dry=1", {"prefix_length": 24, "tags": {"env": "a"}}, "writer", 422, False),
    ("/api/v1/pools/bad%20name/allocations", {"prefix_length": 24}, "writer", 422, False),
    (URL, {"prefix_length": 24, "tags": {"env": "c"}}, "writer", 201, True),
    (ADDRESSES, {}, "writer", 201, True),
    (ADDRESSES, {"count": 3, "idempotency_key": "a1", "dns_name": "web.example.com"},
     "writer", 201, True),
    (ADDRESSES, {"count": 3, "idempotency_key": "a1", "dns_name": "web.example.com"},
     "writer", 200, True),
    (ADDRESSES, {"count": 2, "idempotency_key": "a1"}, "writer", 422, True),
    (ADDRESSES, {"address": "10.0.0.5"}, "writer", 409, True),
    (ADDRESSES, {"address": "10.9.0.5"}, "writer", 422, True),
    (ADDRESSES, {"address": "10.0.100.9", "state": "reserved"}, "writer", 201, True),
    (ADDRESSES, {"address": "10.0.100.9", "count": 2}, "writer", 422, False),
    (ADDRESSES, {"allocation_id": 1, "count": 2}, "writer", 201, True),
    (ADDRESSES, {"allocation_id": 999}, "writer", 404, True),
    (ADDRESSES, {"count": 0}, "writer", 422, False),
    (ADDRESSES, {"count": 257}, "writer", 422, False),
    (ADDRESSES, {}, "reader", 403, True),
    (ADDRESSES, {}, "bogus", 401, True),
    (ADDRESSES + "?count=2", {}, "writer", 422, False),
    ("/api/v1/pools/nope/addresses", {}, "writer", 404, True),
]


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[TestClient, TestClient, dict[str, dict[str, str]]]]:
    """Two apps on identical databases, fast path on and off, and their tokens."""
    clients, databases = [], []
    headers: dict[str, dict[str, str]] = {}
    for name, fast in (("fast", True), ("full", False)):
        db = Database(f"sqlite:///{tmp_path / name}.sqlite3")
        db.upgrade()
        rules = PoolRules(default_length=24, max_length=28, required_tags=("env",))
        create_pool(db, PoolSpec("prod", ["10.0.0.0/16"], rules=rules), actor="test")
        # Token secrets differ between the databases; ids and names are the same.
        headers[name] = {
            "writer": create_token(db, name="w", pool=None, scope="write")[1],
            "reader": create_token(db, name="r", pool="prod", scope="read")[1],
        }
        databases.append(db)
        clients.append(TestClient(create_app(db, fast_path=fast)))
    with clients[0] as fast_client, clients[1] as full_client:
        yield fast_client, full_client, headers
    for db in databases:
        db.dispose()


def _send(client: TestClient, path: str, body: Any, token: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    content = body if isinstance(body, bytes) else None
    return client.post(path, headers=headers, content=content,
                       json=None if content is not None else body)


def test_fast_path_answers_like_the_full_route(
    pair: tuple[TestClient, TestClient, dict[str, dict[str, str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast_client, full_client, headers = pair
    answered: list[bool] = []
    original = fastpath.AllocateFastPath._answer

    async def spy(self: fastpath.AllocateFastPath, *args: Any) -> bool:
        result = await original(self, *args)
        answered.append(result)
        return result

    monkeypatch.setattr(fastpath.AllocateFastPath, "_answer", spy)
    for number, (path, body, who, status, by_fast_path) in enumerate(CASES):
        answered.clear()
        tokens = {"nobody": None, "bogus": "ckt_1_bogus"}
        responses = [
            _send(client, path, body, tokens.get(who, headers[name].get(who)))
            for client, name in ((fast_client, "fast"), (full_client, "full"))
        ]
        fast, full = responses
        assert (fast.status_code, full.status_code) == (status, status), (number, fast.text)
        assert fast.headers["content-type"] == full.headers["content-type"], number
        assert TIMESTAMP.sub(b"T", fast.content) == TIMESTAMP.sub(b"T", full.content), number
        assert answered == ([True] if by_fast_path else [False] if answered else []), number


def test_fast_path_bodies_are_exact(
    pair: tuple[TestClient, TestClient, dict[str, dict[str, str]]],
) -> None:
    fast_client, _, headers = pair
    made = _send(fast_client, URL, {"prefix_length": 26, "tags": {"env": "x"},
                                    "description": "vpc-a"}, headers["fast"]["writer"])
    assert made.status_code == 201
    body = made.json()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", body.pop("created_at"))
    assert body == {"id": 1, "pool": "prod", "prefix": "10.0.0.0/26", "state": "allocated",
                    "description": "vpc-a", "owner": "", "tags": {"env": "x"},
                    "idempotency_key": None, "released_at": None}
    refused = _send(fast_client, URL, {"prefix": "10.0.0.32/27", "tags": {"env": "x"}},
                    headers["fast"]["writer"])
    assert refused.status_code == 409
    assert refused.content == (
        b'{"error":{"code":"overlap","message":"prefix: 10.0.0.32/27 overlaps 10.0.0.0/26, '
        b"already allocated in pool 'prod'\",\"field\":\"prefix\"}}"
    )
