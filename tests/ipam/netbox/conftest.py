"""A real ``cidrkit serve`` on loopback with a pool, for NetBox clients to talk to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cidrkit.ipam.database import Database
from tests.ipam.conftest import Server, start_server


@pytest.fixture
def server(database: Database, tmp_path: Path) -> Iterator[Server]:
    """The server over the test's database (SQLite and PostgreSQL)."""
    running = start_server(database.url, tmp_path / "server.log")
    try:
        yield running
    finally:
        running.stop()


def make_pool(server: Server, token: str, name: str, *prefixes: str, **extra: object) -> None:
    """Create a pool through cidrkit's own API."""
    answer = httpx.post(f"{server.url}/api/v1/pools", headers={"Authorization": f"Bearer {token}"},
                        json={"name": name, "prefixes": list(prefixes), **extra})
    assert answer.status_code == 201, answer.text
