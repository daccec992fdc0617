"""NetBox's pagination and the parameters clients add: default page of 50, ``next``
and ``previous`` links that lead through every object once, ``limit=0``, ``brief``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.limits import AttemptLimiter
from cidrkit.ipam.model import AllocationRequest
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.service import AllocationService
from cidrkit.ipam.tokens import create_token


@pytest.fixture
def client(database: Database) -> tuple[TestClient, dict[str, str]]:
    create_pool(database, PoolSpec("prod", ["10.0.0.0/16"]), actor="t")
    AllocationService(database).allocate("prod", [AllocationRequest(length=28)] * 120,
                                         actor="t")
    token = create_token(database, name="admin", pool=None, scope="admin")[1]
    app = create_app(database, batching=False, limiter=AttemptLimiter(limit=10**9))
    return TestClient(app), {"Authorization": f"Token {token}"}


def test_pages_lead_through_every_prefix_once(client: tuple[TestClient, dict[str, str]]) -> None:
    http, headers = client
    page = http.get("/api/ipam/prefixes/", headers=headers).json()
    assert page["count"] == 121 and len(page["results"]) == 50 and page["previous"] is None
    seen = [p["prefix"] for p in page["results"]]
    while page["next"]:
        page = http.get(page["next"], headers=headers).json()
        assert page["previous"] is not None
        seen.extend(p["prefix"] for p in page["results"])
    assert len(seen) == 121 == len(set(seen))
    assert seen[0] == "10.0.0.0/16"  # the container first, then its children in order
    everything = http.get("/api/ipam/prefixes/?limit=0", headers=headers).json()
    assert [p["prefix"] for p in everything["results"]] == seen
    assert everything["next"] is None


def test_brief_and_the_parameters_clients_add(client: tuple[TestClient, dict[str, str]]) -> None:
    http, headers = client
    brief = http.get("/api/ipam/prefixes/?brief=1&limit=1&exclude=config_context&format=json",
                     headers=headers).json()
    assert set(brief["results"][0]) == {"id", "url", "display", "family", "prefix",
                                        "description"}
    assert "offset=1" in brief["next"] and "brief=1" in brief["next"]
    narrow = http.get("/api/ipam/prefixes/?mask_length=28&within=10.0.0.0/24",
                      headers=headers).json()
    assert narrow["count"] == 16
    assert http.get("/api/ipam/prefixes/?q=10.0.7.", headers=headers).json()["count"] == 8
