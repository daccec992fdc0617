"""Concurrent writers cannot put two overlapping pools in one space or in connected
spaces, on SQLite and PostgreSQL: through the application (one pool created, every
other refused naming it) and behind its back, where only the database's own lock
and checks stand in the way."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa

from cidrkit.core import Prefix
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import Conflict
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.schema import pool_prefixes, pools, spaces
from cidrkit.ipam.spaces import connect_spaces, create_space, existing_overlaps
from cidrkit.ipam.store import prefix_row

WRITERS = 8


def _race(work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` in WRITERS threads released together; each result or exception."""
    barrier = threading.Barrier(WRITERS)
    results: list[object] = [None] * WRITERS

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as exc:  # collected and judged by the test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _connected_spaces(database: Database) -> list[str]:
    names = [f"s{i}" for i in range(WRITERS)]
    for name in names:
        create_space(database, name, actor="t")
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            connect_spaces(database, a, b, actor="t")
    return names


def test_racing_pool_creations_in_connected_spaces(database: Database) -> None:
    names = _connected_spaces(database)
    results = _race(lambda i: create_pool(
        database, PoolSpec(f"p{i}", [f"10.0.{i}.0/24" if i % 2 else "10.0.0.0/16"],
                           space=names[i]), actor="t"))
    made = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(made) + len(refused) == WRITERS, results
    assert len(made) >= 1 and all(r.code == "overlap" for r in refused)
    with database.read() as conn:
        assert existing_overlaps(conn) == []


def test_racing_raw_inserts_only_the_database_stands_in_the_way(database: Database) -> None:
    """No application check here: on PostgreSQL only the trigger's advisory lock keeps
    two transactions from both seeing "no overlap" and committing."""
    names = _connected_spaces(database)
    now = datetime.now(UTC)
    prefix = Prefix.parse("10.9.0.0/16")

    def insert(i: int) -> None:
        with database.write() as conn:
            space_id = conn.execute(sa.select(spaces.c.id).where(spaces.c.name == names[i])
                                    ).scalar_one()
            pool_id = conn.execute(pools.insert().returning(pools.c.id), {
                "name": f"raw{i}", "version": 4, "required_tags": [], "description": "",
                "created_at": now, "space_id": space_id}).scalar_one()
            conn.execute(pool_prefixes.insert(), {"pool_id": pool_id, **prefix_row(prefix),
                                                  "space_id": space_id, "top_level": True})
            time.sleep(0.2)  # hold the transaction open: the others check meanwhile

    results = _race(insert)
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == WRITERS - 1, results
    assert all(isinstance(r, sa.exc.IntegrityError) for r in failures), failures
    with database.read() as conn:
        assert existing_overlaps(conn) == []
        assert conn.execute(sa.select(sa.func.count()).select_from(pool_prefixes)
                            ).scalar_one() == 1
