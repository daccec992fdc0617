"""Many clients against a real server: never the same space twice.

16 clients x 20 requests for a /24 from a /16 (256 /24s): exactly 256 succeed,
the other 64 are 409, no 5xx, and no two allocations overlap; on SQLite and
PostgreSQL, with batching (the default) and with one request per transaction.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from cidrkit.core import IPSet, Prefix
from cidrkit.ipam.database import Database
from tests.ipam.conftest import start_server
from tests.ipam.load import run_clients


def assert_disjoint(prefixes: list[Prefix]) -> None:
    """No two prefixes share an address (checked with the core's set algebra)."""
    assert IPSet(prefixes).size == sum(p.size for p in prefixes)


@pytest.mark.parametrize("max_batch", ["64", "1"])
def test_sixteen_clients_never_overlap(
    database: Database, admin_token: str, tmp_path: Path, max_batch: str
) -> None:
    server = start_server(database.url, tmp_path / "server.log",
                          extra=("--max-batch", max_batch))
    try:
        headers = {"Authorization": f"Bearer {admin_token}"}
        created = httpx.post(f"{server.url}/api/v1/pools", headers=headers,
                             json={"name": "load", "prefixes": ["10.20.0.0/16"]})
        assert created.status_code == 201
        result = run_clients(server.url, admin_token, "load", clients=16, requests_each=20,
                             length=24)
        assert result.errors == []
        assert dict(result.statuses) == {201: 256, 409: 64}
        prefixes = [Prefix.parse(p) for p in result.acknowledged.values()]
        assert_disjoint(prefixes)
        assert IPSet(prefixes) == IPSet([Prefix.parse("10.20.0.0/16")])
        listed = httpx.get(f"{server.url}/api/v1/pools/load/allocations",
                           params={"limit": 1000}, headers=headers).json()
        assert listed["total"] == 256
        assert sorted(a["prefix"] for a in listed["allocations"]) == sorted(
            str(p) for p in prefixes)
    finally:
        server.stop()
