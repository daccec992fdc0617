"""Writing an import: checked outside the write path, inserted in short transactions.

An import may carry hundreds of thousands of blocks. Written in one
transaction, it held SQLite's single write lock (and so every other pool's
writers) for tens of seconds. Here it goes in steps, none of which makes
another pool wait for more than one short commit:

1. *Begin*: one short transaction locks the pool and lists the import in
   ``pending_imports``. From then on the pool's own allocations are refused
   (409 ``importing``): the import owns its free space until it is done.
2. *Plan*, on a read snapshot, outside any lock: earlier imports of the
   same blocks (idempotency keys), the pool's length rules, and overlap with
   live blocks, found with one sweep (``cidrkit.core.pairs``).
3. *Insert*, ``CHUNK`` rows per transaction, each row marked with the
   import's id. The rows are live allocations to the database's overlap
   backstop (trigger / exclusion constraint), so nothing else can take
   their space, but every reader skips them while the import is pending
   (``store.visible``).
4. *Publish*: one short transaction deletes the import's row from
   ``pending_imports`` (all its rows appear at once) and writes one audit
   entry for the whole import.

If any step fails the rows written so far are deleted, in short
transactions too; an import cut short by a crash is removed when the server
next starts (``database.abandon_pending_imports``). Either way no reader
ever saw any of it: the import is all or nothing.
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
from cidrkit.ipam.database import Database, storage_error
from cidrkit.ipam.errors import Conflict, InvalidRequest, NotFound
from cidrkit.ipam.model import Allocation, AllocationRequest, Pool, SkipKind
from cidrkit.ipam.schema import allocations, audit_log, pending_imports, pools, to_hex
from cidrkit.ipam.search import folded
from cidrkit.ipam.service import fingerprint
from cidrkit.ipam.store import (
    allocation_from,
    allocation_query,
    audit_row,
    bump_generation,
    claim_pools,
    importing_pools,
    live_blocks,
)

IMPORT_KEY = "import:"
# Rows per transaction: a few milliseconds of write lock, and far below SQLite's
# and PostgreSQL's limits on parameters per statement.
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
    """Import ``blocks`` into ``pool``, all or nothing; the plan and the new allocations.

    Raises ``Conflict`` (``importing``) while another import into the pool
    runs, and ``Conflict`` (``overlap``) if a block's space was taken after
    the plan was made (a child pool carved meanwhile); nothing is imported then.
    """
    import_id = _begin(db, pool)
    try:
        with db.read() as conn:
            plan = plan_import(conn, pool, blocks, tags)
        rows = _Rows(plan, pool, tags, import_id, db.dialect == "postgresql")
        statement = _statement("allocations", _COLUMNS, rows.postgres)
        for chunk in _chunks(rows.rows):
            write_chunk(db, pool, statement, chunk)
        with db.read() as conn:
            ids: dict[str, int] = dict(conn.execute(
                sa.select(allocations.c.idempotency_key, allocations.c.id)
                .where(allocations.c.import_id == import_id)).all())
        _publish(db, pool, import_id, actor, plan)
    except BaseException:
        discard_import(db, import_id)
        raise
    return plan, rows.allocations(ids)


def _begin(db: Database, pool: Pool) -> int:
    """List an import into ``pool`` as pending; its id."""
    with db.write() as conn:
        if not claim_pools(conn, [pool.name], dialect=db.dialect, shapes={}):
            raise NotFound(f"pool {pool.name!r} does not exist", field="pool")
        if importing_pools(conn, [pool.id]):
            raise Conflict(f"pool {pool.name!r} is importing already; retry when that "
                           "import has finished", code="importing", field="pool")
        return int(conn.execute(
            pending_imports.insert().values(pool_id=pool.id, started_at=datetime.now(UTC))
            .returning(pending_imports.c.id)).scalar_one())


def write_chunk(db: Database, pool: Pool, statement: str, chunk: Sequence[Any]) -> None:
    """Insert one chunk of a pending import's rows in a transaction of its own."""
    try:
        with db.write() as conn:
            bump_generation(conn, [pool.id])  # memory of the pool's space is stale now
            conn.exec_driver_sql(statement, list(chunk))
    except sa.exc.IntegrityError as exc:
        raise Conflict(f"pool {pool.name!r}: a block of the import was allocated while it "
                       "ran (a child pool?); nothing was imported, retry",
                       code="overlap", field="content") from exc
    except sa.exc.DBAPIError as exc:
        raise storage_error(exc) from exc


def _publish(db: Database, pool: Pool, import_id: int, actor: str, plan: ImportPlan) -> None:
    """Make every row of the import visible at once, in one short transaction."""
    with db.write() as conn:
        bump_generation(conn, [pool.id])
        gone = conn.execute(
            pending_imports.delete().where(pending_imports.c.id == import_id)).rowcount
        if gone != 1:
            # A server starting meanwhile took it for a crashed import's leftovers.
            raise Conflict(f"pool {pool.name!r}: the import was abandoned while it ran; "
                           "nothing was imported, retry", code="importing", field="pool")
        detail: dict[str, object] = {"import_id": import_id, "imported": len(plan.new),
                                     "existing": len(plan.existing),
                                     "skipped": len(plan.skipped)}
        conn.execute(audit_log.insert(), [audit_row(actor, "allocation.import", pool.name,
                                                    None, detail, datetime.now(UTC))])


def discard_import(db: Database, import_id: int) -> None:
    """Delete a pending import's rows, a chunk per transaction, then the import itself."""
    doomed = sa.select(allocations.c.id).where(allocations.c.import_id == import_id).limit(CHUNK)
    while True:
        with db.write() as conn:
            if not conn.execute(allocations.delete().where(allocations.c.id.in_(doomed))).rowcount:
                conn.execute(pending_imports.delete().where(pending_imports.c.id == import_id))
                return


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


_COLUMNS = ("pool_id", "prefix", "first_hex", "last_hex", "length", "state", "description",
            "owner", "tags", "idempotency_key", "batch_index", "request_hash", "child_pool_id",
            "created_at", "released_at", "import_id", "text_form", "description_folded")


class _Rows:
    """The rows of an import, rendered before any write transaction.

    Values go to the driver's ``executemany`` as they will be stored (the
    typed path paid a round of processing per value; SQLite's DateTime is
    text in this format, JSON is text on both databases, cast on PostgreSQL
    where the column needs it).
    """

    def __init__(self, plan: ImportPlan, pool: Pool, tags: dict[str, str], import_id: int,
                 postgres: bool) -> None:
        self.plan, self.pool, self.tags = plan, pool, tags
        self.postgres = postgres
        self.now = datetime.now(UTC)
        stamp: Any = self.now if postgres else self.now.replace(tzinfo=None).isoformat(" ")
        self.texts = [str(block.prefix) for block, _ in plan.new]
        tags_json = json.dumps(tags)
        self.rows = [(pool.id, text, to_hex(block.prefix.start), to_hex(block.prefix.end),
                      block.prefix.length, "allocated", block.description[:1000], "",
                      tags_json, f"{IMPORT_KEY}{text}", 0, digest, None, stamp, None, import_id,
                      text, folded(block.description[:1000]))
                     for (block, digest), text in zip(plan.new, self.texts, strict=True)]

    def allocations(self, ids: dict[str, int]) -> list[Allocation]:
        """The new allocations, given their ids by idempotency key."""
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
