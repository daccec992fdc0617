"""A 400,000-line import on both databases: all of it, in one transaction, while
other pools keep allocating (their writes wait at most for the insert itself).
Re-importing the same file is tested on small files (test_api, test_cli)."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.tokens import create_token

LINES = 400_000


def _inventory(count: int) -> str:
    # Disjoint /29s of 10.0.0.0/8, in an order that is not address order.
    return "".join(f"10.{(i >> 13) & 255}.{(i >> 5) & 255}.{(i & 31) * 8}/29\n"
                   for i in reversed(range(count)))


def test_a_400000_line_import(database: Database) -> None:
    create_pool(database, PoolSpec("big", ["10.0.0.0/8"]), actor="t")
    create_pool(database, PoolSpec("other", ["172.16.0.0/12"]), actor="t")
    token = create_token(database, name="w", pool=None, scope="write")[1]
    headers = {"authorization": f"Bearer {token}"}
    content = _inventory(LINES)
    beside: list[int] = []
    with TestClient(create_app(database)) as client:
        def allocate_elsewhere() -> None:
            for _ in range(20):
                answer = client.post("/api/v1/pools/other/allocations", headers=headers,
                                     json={"prefix_length": 24})
                beside.append(answer.status_code)

        others = threading.Thread(target=allocate_elsewhere)
        others.start()
        answer = client.post("/api/v1/pools/big/import", headers=headers,
                             json={"content": content, "filename": "big.txt",
                                   "format": "inventory"})
        others.join()
        assert answer.status_code == 200, answer.text[:300]
        report = answer.json()
        assert len(report["imported"]) == LINES and report["skipped"] == []
        ids = [a["id"] for a in report["imported"]]
        assert len(set(ids)) == LINES
        usage = client.get("/api/v1/pools/big", headers=headers).json()["utilisation"]
        assert (usage["allocations"], usage["allocated"]) == (LINES, str(LINES * 8))
    assert beside == [201] * 20
