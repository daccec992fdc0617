"""Writing an import: every block checked outside the write lock, then one short insert.

An import may carry hundreds of thousands of blocks. Checking them one by
one inside the pool's write transaction (as ordinary requests are) held
every other writer back for seconds, and one statement naming them all
exceeded the databases' parameter limits. Here the checks run first, on a
read snapshot: earlier imports of the same blocks (idempotency keys), the
pool's length rules, and overlap with live blocks, found with one sweep
(``cidrkit.core.pairs``). The write transaction then takes the pool's lock
and, if nobody wrote to the pool since the snapshot (its generation is
unchanged), only inserts, in chunks; otherwise it checks again under the
lock. The import stays one transaction: all of its blocks or none.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cidrkit.core import Prefix
from cidrkit.core.pairs import overlapping_pairs
from cidrkit.ipam.allocator import check_length
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import InvalidRequest, NotFound
from cidrkit.ipam.model import Allocation, AllocationRequest, Pool, SkipKind
from cidrkit.ipam.schema import allocations, pools, to_hex
from cidrkit.ipam.service import fingerprint
from cidrkit.ipam.store import (
    allocation_from,
    allocation_query,
    claim_pools,
    live_blocks,
)

IMPORT_KEY = "import:"
# Rows per INSERT statement: far below SQLite's and PostgreSQL's parameter limits.
CHUNK = 2000


@dataclass(frozen=True, slots=True)
class Block:
    """One block to import: prefix, description and where it was found."""

    prefix: Prefix
    description: str
    origin: str


@dataclass
class ImportPlan:
    """What an import will do, decided against one state of the pool."""

    generation: int
    new: list[tuple[Block, str]] = field(default_factory=list)  # block, request digest
    existing: list[Allocation] = field(default_factory=list)
    skipped: list[tuple[Block, str, SkipKind]] = field(default_factory=list)


def plan_import(conn: Connection, pool: Pool, blocks: Sequence[Block],
                tags: dict[str, str]) -> ImportPlan:
    """Decide each block's fate against the pool as ``conn`` sees it.

    ``blocks`` must be pairwise disjoint (the importer keeps supernets and
    reports what lies inside them).
    """
    generation = conn.execute(
        sa.select(pools.c.generation).where(pools.c.id == pool.id)
    ).scalar_one_or_none()
    if generation is None:
        raise NotFound(f"pool {pool.name!r} does not exist", field="pool")
    plan = ImportPlan(generation)
    earlier = _earlier_imports(conn, pool)
    candidates: list[tuple[Block, str]] = []
    for block in blocks:
        digest = fingerprint([_request(block, tags)])
        key = f"{IMPORT_KEY}{block.prefix}"
        if key in earlier:
            found, previous = earlier[key]
            if previous == digest:
                plan.existing.append(found)
            else:
                plan.skipped.append((block, f"idempotency_key: {key!r} was already used in "
                                     f"pool {pool.name!r} for a different request", "invalid"))
            continue
        try:
            check_length(pool, block.prefix.length, "prefix")
        except InvalidRequest as exc:
            plan.skipped.append((block, exc.message, "invalid"))
            continue
        candidates.append((block, digest))
    live = live_blocks(conn, pool)
    spans: list[Prefix] = [*live, *(b.prefix for b, _ in candidates)]
    hit: dict[int, Prefix] = {}
    for first, second in overlapping_pairs(spans):
        low, high = sorted((first, second))
        if low < len(live) <= high:
            hit.setdefault(high - len(live), live[low])
    for index, (block, digest) in enumerate(candidates):
        other = hit.get(index)
        if other is None:
            plan.new.append((block, digest))
        else:
            plan.skipped.append((block, f"prefix: {block.prefix} overlaps {other}, already "
                                 f"allocated in pool {pool.name!r}", "overlap"))
    return plan


def apply_import(db: Database, pool: Pool, blocks: Sequence[Block], tags: dict[str, str],
                 actor: str) -> tuple[ImportPlan, list[Allocation]]:
    """Plan on a snapshot, then insert under the pool's lock; the plan and the new rows."""
    postgres = db.dialect == "postgresql"
    with db.read() as conn:
        plan = plan_import(conn, pool, blocks, tags)
    rows = _Rows(plan, pool, tags, actor, postgres)
    with db.write() as conn:
        locked = claim_pools(conn, [pool.name], dialect=db.dialect, shapes={})
        if not locked:
            raise NotFound(f"pool {pool.name!r} does not exist", field="pool")
        if locked[0].generation != plan.generation:
            # Someone wrote to the pool meanwhile: decide again, now under its lock.
            plan = plan_import(conn, locked[0], blocks, tags)
            rows = _Rows(plan, pool, tags, actor, postgres)
        ids = rows.insert(conn)
    return plan, rows.allocations(ids)


def _request(block: Block, tags: dict[str, str]) -> AllocationRequest:
    return AllocationRequest(prefix=block.prefix, description=block.description[:1000],
                             tags=dict(tags))


def _earlier_imports(conn: Connection, pool: Pool) -> dict[str, tuple[Allocation, str | None]]:
    query = allocation_query().where(
        allocations.c.pool_id == pool.id,
        allocations.c.idempotency_key.like(f"{IMPORT_KEY}%"),
        allocations.c.batch_index == 0,
    )
    return {row.idempotency_key: (allocation_from(row), row.request_hash)
            for row in conn.execute(query)}


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


_AUDIT_COLUMNS = ("at", "actor", "action", "pool_name", "allocation_id", "detail")
_COLUMNS = ("pool_id", "prefix", "first_hex", "last_hex", "length", "state", "description",
            "owner", "tags", "idempotency_key", "batch_index", "request_hash", "child_pool_id",
            "created_at", "released_at")


class _Rows:
    """The rows of an import, rendered before the write lock is taken.

    Values go to the driver's ``executemany`` as they will be stored (the
    typed path paid a round of processing per value, most of the time the
    pool's lock was held; SQLite's DateTime is text in this format, JSON is
    text on both databases, cast on PostgreSQL where the column needs it).
    """

    def __init__(self, plan: ImportPlan, pool: Pool, tags: dict[str, str], actor: str,
                 postgres: bool) -> None:
        self.plan, self.pool, self.tags, self.actor = plan, pool, tags, actor
        self.postgres = postgres
        self.now = datetime.now(UTC)
        self.stamp: Any = self.now if postgres else self.now.replace(tzinfo=None).isoformat(" ")
        self.texts = [str(block.prefix) for block, _ in plan.new]
        tags_json = json.dumps(tags)
        self.rows = [(pool.id, text, to_hex(block.prefix.start), to_hex(block.prefix.end),
                      block.prefix.length, "allocated", block.description[:1000], "",
                      tags_json, f"{IMPORT_KEY}{text}", 0, digest, None, self.stamp, None)
                     for (block, digest), text in zip(plan.new, self.texts, strict=True)]
        self.details = [json.dumps({"prefix": text, "state": "allocated",
                                    "idempotency_key": f"{IMPORT_KEY}{text}"})
                        for text in self.texts]

    def insert(self, conn: Connection) -> dict[str, int]:
        """Insert the rows and their audit entries; the new ids by idempotency key.

        The ids are read back in one query: under the pool's lock only this
        transaction adds rows to the pool, so the rows above the previous
        highest id with an import key are ours.
        """
        if not self.rows:
            return {}
        floor = conn.execute(sa.select(sa.func.max(allocations.c.id))).scalar() or 0
        for chunk in _chunks(self.rows):
            conn.exec_driver_sql(_statement("allocations", _COLUMNS, self.postgres),
                                 list(chunk))
        ids: dict[str, int] = dict(conn.execute(
            sa.select(allocations.c.idempotency_key, allocations.c.id).where(
                allocations.c.pool_id == self.pool.id, allocations.c.id > floor,
                allocations.c.idempotency_key.like(f"{IMPORT_KEY}%"))
        ).all())
        audits = [(self.stamp, self.actor, "allocation.create", self.pool.name,
                   ids[f"{IMPORT_KEY}{text}"], detail)
                  for text, detail in zip(self.texts, self.details, strict=True)]
        for chunk in _chunks(audits):
            conn.exec_driver_sql(_statement("audit_log", _AUDIT_COLUMNS, self.postgres),
                                 list(chunk))
        return ids

    def allocations(self, ids: dict[str, int]) -> list[Allocation]:
        """The new allocations, once ``insert`` has given their ids."""
        return [Allocation(id=ids[f"{IMPORT_KEY}{text}"], pool=self.pool.name,
                           prefix=block.prefix, state="allocated",
                           description=block.description[:1000], tags=dict(self.tags),
                           idempotency_key=f"{IMPORT_KEY}{text}", created_at=self.now)
                for (block, _), text in zip(self.plan.new, self.texts, strict=True)]


def _statement(table: str, columns: Sequence[str], postgres: bool) -> str:
    """A parameterised INSERT in the driver's own placeholder style (values as text,
    cast on PostgreSQL where the column's type needs it)."""
    casts = {"prefix": "::cidr", "tags": "::json", "detail": "::json"}
    marks = [f"%s{casts.get(c, '')}" if postgres else "?" for c in columns]
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(marks)})"
