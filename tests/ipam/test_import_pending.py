"""Imports written in short transactions stay all or nothing.

An import inserts its rows a chunk per transaction as a *pending* import,
then publishes them with one short statement. These tests stop it between
chunks (by wrapping ``bulkimport.write_chunk``) to look at the database the
way every other client would: nothing of the import is visible, the pool's
own allocations are refused, other pools allocate freely (no lock is held
across chunks), and a failure or a crash at any chunk leaves nothing behind
once cleaned up.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

import pytest
import sqlalchemy as sa

from cidrkit.ipam import bulkimport
from cidrkit.ipam.database import Database, abandon_pending_imports, make_ready
from cidrkit.ipam.errors import Conflict, NotFound
from cidrkit.ipam.importers import import_allocations
from cidrkit.ipam.model import AllocationRequest, Pool
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.schema import allocations, pending_imports
from cidrkit.ipam.service import AllocationService
from cidrkit.ipam.store import get_allocation, list_allocations, live_blocks_by_state, read_audit
from tests.ipam.conftest import REPO

LINES = 95  # ten chunks of ten, the last one short
CHUNK = 10


def _inventory(count: int) -> str:
    return "".join(f"10.1.{i}.0/24\n" for i in range(count))


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulkimport, "CHUNK", CHUNK)


def _setup(database: Database) -> tuple[AllocationService, Pool]:
    big = create_pool(database, PoolSpec("big", ["10.0.0.0/8"]), actor="t")
    create_pool(database, PoolSpec("other", ["172.16.0.0/12"]), actor="t")
    service = AllocationService(database)
    # One block that was there before: readers must see exactly it, and no more.
    service.allocate("big", [AllocationRequest(length=24)], actor="t")
    return service, big


def _import(service: AllocationService, pool: Pool) -> Any:
    return import_allocations(service, pool, format="inventory", content=_inventory(LINES),
                              filename="big.txt", actor="t")


def _stop_at(monkeypatch: pytest.MonkeyPatch, chunk: int,
             action: Callable[[], None]) -> list[int]:
    """Run ``action`` (outside any transaction) just before chunk number ``chunk``."""
    real = bulkimport.write_chunk
    seen: list[int] = []

    def wrapped(db: Database, pool: Pool, statement: str, rows: Sequence[Any]) -> None:
        if len(seen) == chunk:
            action()
        seen.append(len(rows))
        real(db, pool, statement, rows)

    monkeypatch.setattr(bulkimport, "write_chunk", wrapped)
    return seen


def _pending_rows(database: Database) -> list[int]:
    with database.read() as conn:
        return list(conn.execute(sa.select(allocations.c.id)
                                 .where(allocations.c.import_id.is_not(None))).scalars())


def _pending_imports(database: Database) -> int:
    with database.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(pending_imports))
                   .scalar_one())


def _what_readers_see(database: Database, pool: Pool) -> tuple[int, int]:
    with database.read() as conn:
        _, total = list_allocations(conn, pool)
        return total, len(live_blocks_by_state(conn, pool))


def test_mid_import_readers_see_nothing_and_other_pools_allocate(
        database: Database, small_chunks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    service, big = _setup(database)
    observed: dict[str, Any] = {}

    def look() -> None:
        pending = _pending_rows(database)
        observed["pending"] = len(pending)
        observed["readers"] = _what_readers_see(database, big)
        with database.read() as conn, pytest.raises(NotFound):
            get_allocation(conn, pending[0])
        # Another pool's allocation completes while the import is still running.
        observed["other"] = service.allocate("other", [AllocationRequest(length=24)],
                                             actor="t").allocations[0].prefix
        with pytest.raises(Conflict) as refused:
            service.allocate("big", [AllocationRequest(length=24)], actor="t")
        observed["refused"] = (refused.value.code, refused.value.field)

    seen = _stop_at(monkeypatch, 5, look)
    report = _import(service, big)
    assert seen == [CHUNK] * 9 + [LINES - 9 * CHUNK]
    assert observed == {"pending": 5 * CHUNK, "readers": (1, 1),
                        "other": observed["other"], "refused": ("importing", "pool")}
    assert str(observed["other"]).startswith("172.")
    assert len(report.imported) == LINES
    assert _what_readers_see(database, big) == (1 + LINES, 1 + LINES)
    assert _pending_imports(database) == 0
    with database.read() as conn:
        imported = {a.prefix for a in report.imported}
        assert {get_allocation(conn, a.id).prefix for a in report.imported} == imported
        entry = read_audit(conn, pool="big", limit=1)[0]
    assert (entry.action, entry.detail["imported"]) == ("allocation.import", LINES)
    # The pool takes allocations again once the import is published.
    service.allocate("big", [AllocationRequest(length=24)], actor="t")


@pytest.mark.parametrize("chunk", [0, 1, 5, 9])
def test_a_failure_at_any_chunk_leaves_nothing(
        database: Database, small_chunks: None, monkeypatch: pytest.MonkeyPatch,
        chunk: int) -> None:
    service, big = _setup(database)

    def fail() -> None:
        raise RuntimeError("injected failure")

    _stop_at(monkeypatch, chunk, fail)
    with pytest.raises(RuntimeError, match="injected failure"):
        _import(service, big)
    assert _pending_rows(database) == []
    assert _pending_imports(database) == 0
    assert _what_readers_see(database, big) == (1, 1)
    monkeypatch.undo()
    assert len(_import(service, big).imported) == LINES


def test_a_block_taken_meanwhile_fails_the_whole_import(
        database: Database, small_chunks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Carving a child pool is not an allocation, so it is not refused while the
    # import runs; the database's overlap backstop catches the collision.
    service, big = _setup(database)

    def carve() -> None:
        create_pool(database, PoolSpec("child", ["10.1.80.0/22"], parent="big"), actor="t")

    _stop_at(monkeypatch, 3, carve)
    with pytest.raises(Conflict) as failed:
        _import(service, big)
    assert (failed.value.code, failed.value.field) == ("overlap", "content")
    assert "nothing was imported" in failed.value.message
    assert _pending_rows(database) == [] and _pending_imports(database) == 0
    assert _what_readers_see(database, big) == (2, 2)  # the earlier block and the child


_CRASHING_IMPORT = """
import os, sys
from cidrkit.ipam import bulkimport
from cidrkit.ipam.database import Database
from cidrkit.ipam.importers import import_allocations
from cidrkit.ipam.service import AllocationService
from cidrkit.ipam.store import get_pool

bulkimport.CHUNK = 10
real = bulkimport.write_chunk
written = []

def write_then_die(db, pool, statement, rows):
    real(db, pool, statement, rows)
    written.append(rows)
    if len(written) == 4:
        os._exit(9)  # no cleanup, no rollback handler: as abrupt as kill -9

bulkimport.write_chunk = write_then_die
db = Database(sys.argv[1])
with db.read() as conn:
    pool = get_pool(conn, "big")
content = "".join(f"10.1.{i}.0/24\\n" for i in range(95))
import_allocations(AllocationService(db), pool, format="inventory", content=content,
                   filename="big.txt", actor="t")
"""


def test_a_crash_mid_import_shows_nothing_and_start_up_removes_it(database: Database) -> None:
    service, big = _setup(database)
    crashed = subprocess.run([sys.executable, "-c", _CRASHING_IMPORT, database.url],
                             cwd=REPO, capture_output=True, text=True, timeout=120)
    assert crashed.returncode == 9, crashed.stderr
    assert len(_pending_rows(database)) == 4 * CHUNK
    # Nobody sees any of it, and the pool is still held by the dead import.
    assert _what_readers_see(database, big) == (1, 1)
    with pytest.raises(Conflict) as busy:
        _import(service, big)
    assert busy.value.code == "importing"

    restarted = Database(database.url)
    try:
        make_ready(restarted, recover=True)
    finally:
        restarted.dispose()
    assert _pending_rows(database) == [] and _pending_imports(database) == 0
    assert _what_readers_see(database, big) == (1, 1)
    assert abandon_pending_imports(database) == 0
    assert len(_import(service, big).imported) == LINES
    assert _what_readers_see(database, big) == (1 + LINES, 1 + LINES)


def test_make_ready_keeps_pending_imports_unless_recovering(database: Database,
                                                             small_chunks: None,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    # Other commands (token, db) open the database while a server may be importing.
    service, big = _setup(database)
    monkeypatch.setattr(bulkimport, "discard_import", lambda db, import_id: None)

    def die() -> None:
        raise KeyboardInterrupt

    _stop_at(monkeypatch, 2, die)
    with pytest.raises(KeyboardInterrupt):
        _import(service, big)
    make_ready(database)
    assert len(_pending_rows(database)) == 2 * CHUNK
    assert abandon_pending_imports(database) == 1
    assert _pending_rows(database) == []


def test_the_migration_goes_down_and_up_keeping_allocations(database: Database) -> None:
    from alembic import command

    from cidrkit.ipam.database import _alembic_config

    service, big = _setup(database)
    with database.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0002")
    with database.read() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM allocations")).scalar_one() == 1
    database.upgrade()
    assert _what_readers_see(database, big) == (1, 1)
    assert len(_import(service, big).imported) == LINES
