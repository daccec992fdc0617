"""A 400,000-line import on both databases: all of it or nothing, while other
pools keep allocating. The import is held at its middle chunk until another
pool's allocations through the API have completed, which they could not if
the import held the write lock across its chunks; readers meanwhile see none
of it. Re-importing the same file is tested on small files (test_api, test_cli)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cidrkit.ipam import bulkimport
from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.model import Pool
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.store import list_allocations
from cidrkit.ipam.tokens import create_token

LINES = 400_000
BESIDE = 20


def _inventory(count: int) -> str:
    # Disjoint /29s of 10.0.0.0/8, in an order that is not address order.
    return "".join(f"10.{(i >> 13) & 255}.{(i >> 5) & 255}.{(i & 31) * 8}/29\n"
                   for i in reversed(range(count)))


def test_a_400000_line_import(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    big = create_pool(database, PoolSpec("big", ["10.0.0.0/8"]), actor="t")
    create_pool(database, PoolSpec("other", ["172.16.0.0/12"]), actor="t")
    token = create_token(database, name="w", pool=None, scope="write")[1]
    headers = {"authorization": f"Bearer {token}"}
    content = _inventory(LINES)
    beside: list[int] = []
    beside_done = threading.Event()
    midway: dict[str, Any] = {}
    real = bulkimport.write_chunk
    chunks: list[int] = []

    def write_chunk(db: Database, pool: Pool, statement: str, rows: Sequence[Any]) -> None:
        if len(chunks) == LINES // bulkimport.CHUNK // 2:
            midway["others_done"] = beside_done.wait(timeout=300)
            with db.read() as conn:
                midway["visible"] = list_allocations(conn, big)[1]
        chunks.append(len(rows))
        real(db, pool, statement, rows)

    monkeypatch.setattr(bulkimport, "write_chunk", write_chunk)
    with TestClient(create_app(database)) as client:
        def allocate_elsewhere() -> None:
            while not chunks and not beside_done.is_set():  # start once the import writes
                beside_done.wait(0.01)
            for _ in range(BESIDE):
                answer = client.post("/api/v1/pools/other/allocations", headers=headers,
                                     json={"prefix_length": 24})
                beside.append(answer.status_code)
            beside_done.set()

        others = threading.Thread(target=allocate_elsewhere)
        others.start()
        answer = client.post("/api/v1/pools/big/import", headers=headers,
                             json={"content": content, "filename": "big.txt",
                                   "format": "inventory"})
        beside_done.set()  # never leave the other thread waiting if the import failed early
        others.join()
        assert answer.status_code == 200, answer.text[:300]
        report = answer.json()
        assert len(report["imported"]) == LINES and report["skipped"] == []
        ids = [a["id"] for a in report["imported"]]
        assert len(set(ids)) == LINES
        usage = client.get("/api/v1/pools/big", headers=headers).json()["utilisation"]
        assert (usage["allocations"], usage["allocated"]) == (LINES, str(LINES * 8))
    assert midway == {"others_done": True, "visible": 0}
    assert beside == [201] * BESIDE
    assert sum(chunks) == LINES
