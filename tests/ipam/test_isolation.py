"""One user's bad write never fails the others', and the database's limits are
answered with reasons: batch isolation, disk full, read-only, TRUNCATE, id reuse."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import IpamError
from cidrkit.ipam.model import AllocationRequest
from cidrkit.ipam.pools import PoolSpec, create_pool, delete_pool
from cidrkit.ipam.service import AllocateOp, AllocateResult, AllocationService
from cidrkit.ipam.tokens import create_token


def _pools(db: Database, count: int) -> list[str]:
    names = [f"p{i}" for i in range(count)]
    for i, name in enumerate(names):
        create_pool(db, PoolSpec(name, [f"10.{i}.0.0/16"]), actor="t")
    return names


def test_a_poisoned_request_fails_alone_in_its_batch(database: Database) -> None:
    """A row the database refuses (a CHECK violation everywhere; NUL on PostgreSQL)
    shares a transaction with 32 valid requests in other pools: only it fails."""
    names = _pools(database, 33)
    service = AllocationService(database)
    ops = [AllocateOp(name, (AllocationRequest(length=24),), "t") for name in names[1:]]
    poisons = [AllocateOp(names[0], (AllocationRequest(length=24, state="bogus"),), "t")]  # type: ignore[arg-type]
    if database.dialect == "postgresql":
        poisons.append(AllocateOp(names[0], (AllocationRequest(length=24, owner="a\x00b"),),
                                  "t"))
    for poison in poisons:
        outcomes = service.execute([*ops[:16], poison, *ops[16:]])
        assert isinstance(outcomes[16], IpamError) and outcomes[16].status < 500
        valid = outcomes[:16] + outcomes[17:]
        assert all(isinstance(o, AllocateResult) for o in valid), valid
    with database.read() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM allocations")).scalar()
    assert count == 32 * len(poisons)


def test_a_poisoned_web_form_beside_concurrent_api_writes(database: Database) -> None:
    """The reported failure end to end: a write-scope user posts the web form with a
    NUL owner while 32 allocations into another pool run; all 32 succeed."""
    create_pool(database, PoolSpec("A", ["10.20.0.0/16"]), actor="t")
    create_pool(database, PoolSpec("B", ["10.21.0.0/16"]), actor="t")
    writer = create_token(database, name="w", pool=None, scope="write")[1]
    statuses: list[int] = []
    with TestClient(create_app(database), follow_redirects=False) as client:
        page = client.get("/")
        csrf = page.text.split('name="csrf" value="')[1][:64]
        client.post("/login", data={"token": writer, "csrf": csrf})
        csrf = client.get("/").text.split('name="csrf" value="')[1][:64]
        headers = {"authorization": f"Bearer {writer}"}

        def allocate() -> None:
            answer = client.post("/api/v1/pools/A/allocations", headers=headers,
                                 json={"prefix_length": 28})
            statuses.append(answer.status_code)

        threads = [threading.Thread(target=allocate) for _ in range(32)]
        for thread in threads:
            thread.start()
        for owner in ("a\x00b", "o" * 300):
            poisoned = client.post("/pools/B/allocate",
                                   data={"prefix_length": "24", "owner": owner, "csrf": csrf})
            assert poisoned.status_code == 422
        for thread in threads:
            thread.join()
    assert statuses == [201] * 32


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Database]:
    """A SQLite database whose file may not grow past a few pages (a full disk)."""
    db = Database(str(tmp_path / "full.sqlite3"))
    db.upgrade()

    def cap(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA max_page_count = 60")

    sa.event.listen(db.engine, "connect", cap)
    db.dispose()
    yield db
    db.dispose()


def test_a_full_disk_is_507_with_a_reason_and_reads_go_on(tiny_disk: Database) -> None:
    create_pool(tiny_disk, PoolSpec("big", ["10.0.0.0/8"]), actor="t")
    token = create_token(tiny_disk, name="w", pool=None, scope="admin")[1]
    headers = {"authorization": f"Bearer {token}"}
    statuses: list[int] = []
    with TestClient(create_app(tiny_disk)) as client:
        for _ in range(400):
            answer = client.post("/api/v1/pools/big/allocations", headers=headers,
                                 json={"prefix_length": 30, "description": "d" * 900})
            statuses.append(answer.status_code)
            if answer.status_code != 201:
                break
        assert statuses[-1] == 507, statuses[-5:]
        assert answer.json()["error"]["code"] == "storage_full"
        assert "disk is full" in answer.json()["error"]["message"]
        created = statuses.count(201)
        listing = client.get("/api/v1/pools/big/allocations?limit=1000", headers=headers)
        assert listing.status_code == 200 and listing.json()["total"] == created
        # The server keeps answering; a batch through the full route says the same.
        again = client.post("/api/v1/pools/big/allocations/batch", headers=headers,
                            json={"items": [{"prefix_length": 30, "description": "d" * 900}]})
        assert again.status_code == 507
        assert client.get("/healthz").status_code == 200


def test_a_read_only_database_is_503_read_only(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite3"
    writable = Database(str(path))
    writable.upgrade()
    create_pool(writable, PoolSpec("p", ["10.0.0.0/16"]), actor="t")
    token = create_token(writable, name="w", pool=None, scope="admin")[1]
    writable.dispose()
    read_only = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    with TestClient(create_app(read_only)) as client:
        headers = {"authorization": f"Bearer {token}"}
        answer = client.post("/api/v1/pools/p/allocations", headers=headers,
                             json={"prefix_length": 24})
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "read_only"
        made = client.post("/api/v1/pools", headers=headers,
                           json={"name": "q", "prefixes": ["10.1.0.0/16"]})
        assert made.status_code == 503 and made.json()["error"]["code"] == "read_only"
        assert client.get("/api/v1/pools/p", headers=headers).status_code == 200


def test_the_audit_log_refuses_truncate(pg_url: str) -> None:
    db = Database(pg_url)
    db.upgrade()
    create_token(db, name="x", pool=None, scope="read")
    try:
        for statement in ("TRUNCATE audit_log", "DELETE FROM audit_log",
                          "UPDATE audit_log SET actor = 'x'"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.write() as conn:
                conn.exec_driver_sql(statement)
        with db.read() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar() == 1
    finally:
        db.dispose()


def test_allocation_ids_are_never_reused(database: Database) -> None:
    service = AllocationService(database)
    create_pool(database, PoolSpec("gone", ["10.0.0.0/16"]), actor="t")
    made = service.allocate("gone", [AllocationRequest(length=24)] * 3, actor="t")
    highest = max(a.id for a in made.allocations)
    for allocation in made.allocations:
        service.release(allocation.id, actor="t")
    delete_pool(database, "gone", actor="t")
    create_pool(database, PoolSpec("next", ["10.0.0.0/16"]), actor="t")
    fresh = service.allocate("next", [AllocationRequest(length=24)], actor="t")
    assert fresh.allocations[0].id > highest


def test_another_pools_allocation_is_not_found_like_a_missing_one(sqlite_db: Database) -> None:
    create_pool(sqlite_db, PoolSpec("A", ["10.0.0.0/16"]), actor="t")
    create_pool(sqlite_db, PoolSpec("B", ["10.1.0.0/16"]), actor="t")
    service = AllocationService(sqlite_db)
    in_b = service.allocate("B", [AllocationRequest(length=24)], actor="t").allocations[0]
    token = create_token(sqlite_db, name="a", pool="A", scope="write")[1]
    headers = {"authorization": f"Bearer {token}"}
    with TestClient(create_app(sqlite_db, batching=False)) as client:
        for method, suffix in (("GET", ""), ("POST", "/release")):
            hidden = client.request(method, f"/api/v1/allocations/{in_b.id}{suffix}",
                                    headers=headers)
            missing = client.request(method, f"/api/v1/allocations/{in_b.id + 100}{suffix}",
                                     headers=headers)
            assert hidden.status_code == missing.status_code == 404
            assert hidden.json()["error"]["message"].replace(str(in_b.id), "N") == \
                missing.json()["error"]["message"].replace(str(in_b.id + 100), "N")


def test_unknown_ids_cost_what_wrong_secrets_cost(sqlite_db: Database) -> None:
    """No timing oracle: an unknown id and a wrong secret take the same path,
    the same number of queries (cached alike) and a digest each."""
    from cidrkit.ipam.errors import Unauthorized
    from cidrkit.ipam.tokens import TokenVerifier

    token = create_token(sqlite_db, name="a", pool=None, scope="read")[0]
    verifier = TokenVerifier(sqlite_db)
    queries: list[str] = []
    sa.event.listen(sqlite_db.engine, "before_cursor_execute",
                    lambda *args: queries.append(args[2]))
    counts = []
    for presented in (f"ckt_{token.id}_wrong", "ckt_777_wrong"):
        for _ in range(3):
            before = len(queries)
            with pytest.raises(Unauthorized, match="unknown or revoked API token"):
                verifier.verify(presented)
            counts.append(len(queries) - before)
    assert counts == [counts[0], 0, 0, counts[0], 0, 0] and counts[0] > 0
