"""Allocating and releasing blocks, many requests per transaction.

``AllocationService.execute`` applies a list of operations in one write
transaction: it locks the pools involved and bumps their generation in one
statement (``store.claim_pools``: a row lock on PostgreSQL; on SQLite
``BEGIN IMMEDIATE`` already holds the database's write lock), loads their
live blocks (or reuses them from memory when the generation shows nobody
else wrote), plans every request in memory with ``PoolSpace`` and then
writes all rows and audit entries at once. One failing request (exhausted
pool, overlap, bad rule) only fails itself. The database's overlap backstop
(exclusion constraint / trigger) turns any bug or foreign writer into an
error instead of a duplicate; if it fires, the batch is retried one
operation per transaction so only the culprit fails.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cidrkit.core import IPSet, Prefix
from cidrkit.ipam.address_plan import AddressOp, AddressPlan
from cidrkit.ipam.addresses import HELD, AddressItem, AddressResult
from cidrkit.ipam.addresses import fingerprint as address_fingerprint
from cidrkit.ipam.allocator import PoolSpace
from cidrkit.ipam.database import Database, storage_error
from cidrkit.ipam.errors import (
    Conflict,
    InvalidRequest,
    IpamError,
    NotFound,
    idempotency_mismatch,
)
from cidrkit.ipam.model import Allocation, AllocationRequest, Pool
from cidrkit.ipam.occupancy import allocation_contents
from cidrkit.ipam.schema import allocations, audit_log, pools
from cidrkit.ipam.search import folded
from cidrkit.ipam.store import (
    PoolKey,
    PoolShape,
    allocation_from,
    allocation_query,
    audit_row,
    claim_pools,
    importing_pools,
    live_blocks,
    pool_key,
    prefix_row,
)


@dataclass(frozen=True, slots=True)
class AllocateOp:
    """Allocate ``requests`` in ``pool`` (all or none), optionally idempotent.

    ``batch`` only changes error field names (``items[2].prefix_length``).
    """

    pool: str
    requests: tuple[AllocationRequest, ...]
    actor: str
    idempotency_key: str | None = None
    batch: bool = False


@dataclass(frozen=True, slots=True)
class ReleaseOp:
    """Release a live allocation (releasing a released one is a no-op)."""

    allocation_id: int
    actor: str


@dataclass(frozen=True, slots=True)
class AllocateResult:
    """The allocations of one request; ``replayed`` when an idempotency key matched."""

    allocations: tuple[Allocation, ...]
    replayed: bool = False


Operation = AllocateOp | ReleaseOp | AddressOp
Outcome = AllocateResult | Allocation | AddressResult | IpamError


def fingerprint(requests: Sequence[AllocationRequest]) -> str:
    """A digest of what was asked, to tell a retry from a reused idempotency key."""
    canonical = [
        [
            r.length,
            None if r.prefix is None else str(r.prefix),
            r.strategy,
            r.state,
            r.description,
            r.owner,
            sorted(r.tags.items()),
        ]
        for r in requests
    ]
    return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()


class AllocationService:
    """Applies allocation and release operations to one database.

    It remembers each pool's live blocks after its own commits, tagged with
    the pool's ``generation``; a later transaction that finds the generation
    unchanged (read under the pool lock) reuses them instead of reloading
    every block. Any other writer bumps the generation, so the memory is
    never trusted when it could be stale. Pools are keyed by id *and*
    creation time, so a pool re-created under a reused id is a stranger.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._spaces: dict[PoolKey, tuple[int, list[Prefix], IPSet]] = {}
        self._shapes: dict[PoolKey, PoolShape] = {}
        self._lock = threading.Lock()

    def execute(self, ops: Sequence[Operation]) -> list[Outcome]:
        """Apply ``ops`` in one transaction; one outcome per op, in order.

        Outcomes are results or ``IpamError`` values, never raised. When the
        database refuses the transaction, each op is retried alone, so only the
        one at fault fails (a full or read-only database fails them all, each
        with its 507/503 error).
        """
        try:
            with self.db.write() as conn:
                batch = _Batch(conn, self.db.dialect, self._cached, self._shapes)
                outcomes = batch.run(ops)
        except sa.exc.StatementError as exc:
            self._forget()
            if len(ops) > 1:
                # One request's bad row (or the overlap backstop) must not fail the
                # others that shared its transaction: each is retried on its own.
                return [self._alone(op) for op in ops]
            return [_refusal(exc)]
        except BaseException:
            self._forget()
            raise
        with self._lock:
            for key, (generation, space) in batch.committed_spaces().items():
                self._spaces[key] = (generation, list(space.used), space.taken)
        for pool, generation, held in batch.addresses.committed_held().values():
            HELD.remember(self.db.engine, pool, generation, held)
        return outcomes

    def _alone(self, op: Operation) -> Outcome:
        try:
            return self.execute([op])[0]
        except sa.exc.StatementError as exc:  # a value the driver could not even send
            return _refusal(exc)

    def _forget(self) -> None:
        # After a failed transaction nothing in memory is known to match the database.
        with self._lock:
            self._spaces.clear()
            self._shapes.clear()

    def _cached(self, pool: Pool) -> PoolSpace | None:
        with self._lock:
            entry = self._spaces.get(pool_key(pool))
        if entry is None or entry[0] != pool.generation:
            return None
        return PoolSpace(pool, entry[1], entry[2])

    def allocate(
        self,
        pool: str,
        requests: Sequence[AllocationRequest],
        *,
        actor: str,
        idempotency_key: str | None = None,
    ) -> AllocateResult:
        """Allocate in one transaction of its own; raise the op's error if it failed."""
        op = AllocateOp(pool, tuple(requests), actor, idempotency_key, batch=len(requests) > 1)
        outcome = self.execute([op])[0]
        if isinstance(outcome, IpamError):
            raise outcome
        assert isinstance(outcome, AllocateResult)
        return outcome

    def release(self, allocation_id: int, *, actor: str) -> Allocation:
        """Release in one transaction of its own; raise the op's error if it failed."""
        outcome = self.execute([ReleaseOp(allocation_id, actor)])[0]
        if isinstance(outcome, IpamError):
            raise outcome
        assert isinstance(outcome, Allocation)
        return outcome

    def allocate_addresses(self, pool: str, items: Sequence[AddressItem], *, actor: str,
                           allocation_id: int | None = None,
                           idempotency_key: str | None = None) -> AddressResult:
        """Take one address per item (all or none) in one transaction of its own; raise
        the op's error if it failed."""
        op = AddressOp(pool, tuple(items), actor, allocation_id, idempotency_key)
        outcome = self.execute([op])[0]
        if isinstance(outcome, IpamError):
            raise outcome
        assert isinstance(outcome, AddressResult)
        return outcome


class _Batch:
    """The state of one write transaction while it plans its operations."""

    def __init__(
        self,
        conn: Connection,
        dialect: str,
        cached: Callable[[Pool], PoolSpace | None],
        shapes: dict[PoolKey, PoolShape],
    ) -> None:
        self.conn = conn
        self.dialect = dialect
        self.cached = cached
        self.shapes = shapes
        self.now = datetime.now(UTC)
        self.spaces: dict[int, PoolSpace] = {}
        self.inserts: list[tuple[int, dict[str, Any], str]] = []  # (op index, row, actor)
        self.releases: list[tuple[int, Allocation, str]] = []
        self.released: dict[int, Allocation] = {}  # by id, as released in this batch
        self.addresses = AddressPlan(conn, self.now)

    def run(self, ops: Sequence[Operation]) -> list[Outcome]:
        release_ids = [op.allocation_id for op in ops if isinstance(op, ReleaseOp)]
        names = {op.pool for op in ops if isinstance(op, AllocateOp | AddressOp)}
        names |= set(self._pools_of(release_ids).values())
        locked = claim_pools(self.conn, names, dialect=self.dialect, shapes=self.shapes)
        self.pools = {p.name: p for p in locked}
        self.importing = importing_pools(self.conn, [p.id for p in locked])
        # Read release targets only now: the pool lock makes their state stable.
        targets = self._release_targets(release_ids)
        existing = self._existing_keys(ops)
        self.addresses.prepare([op for op in ops if isinstance(op, AddressOp)], self.pools)
        outcomes: list[Outcome | None] = [None] * len(ops)
        same_as: dict[int, int] = {}
        # Keys are per pool and per kind: addresses and allocations keep their own.
        batch_keys: dict[tuple[str, str, str], tuple[int, str]] = {}
        for index, op in enumerate(ops):
            try:
                if isinstance(op, ReleaseOp):
                    outcomes[index] = self._release(index, op, targets)
                    continue
                if isinstance(op, AddressOp):
                    self._take_addresses(index, op, outcomes, same_as, batch_keys)
                    continue
                pool = self._pool(op.pool)
                digest = fingerprint(op.requests)
                key = (op.pool, op.idempotency_key) if op.idempotency_key else None
                if key is not None and key in existing:
                    previous, previous_digest = existing[key]
                    _check_digest(op, previous_digest, digest)
                    outcomes[index] = AllocateResult(tuple(previous), replayed=True)
                    continue
                if key is not None and ("prefix", *key) in batch_keys:
                    first, first_digest = batch_keys["prefix", *key]
                    _check_digest(op, first_digest, digest)
                    same_as[index] = first
                    continue
                self._allocate(index, op, pool, digest)
                if key is not None:
                    batch_keys["prefix", *key] = (index, digest)
            except IpamError as error:
                outcomes[index] = error
        self._write(outcomes)
        for index, first in same_as.items():
            done = outcomes[first]
            if isinstance(done, AllocateResult):
                outcomes[index] = AllocateResult(done.allocations, replayed=True)
            elif isinstance(done, AddressResult):
                outcomes[index] = AddressResult(done.addresses, replayed=True)
            else:
                outcomes[index] = done
        return [o if o is not None else AllocateResult(()) for o in outcomes]

    # -- planning -------------------------------------------------------

    def _pool(self, name: str) -> Pool:
        pool = self.pools.get(name)
        if pool is None:
            raise NotFound(f"pool {name!r} does not exist", field="pool")
        if pool.id in self.importing:
            # The import owns the pool's free space until it publishes its rows.
            raise Conflict(f"pool {name!r} is importing; retry when the import has finished",
                           code="importing", field="pool")
        return pool

    def _space(self, pool: Pool) -> PoolSpace:
        space = self.spaces.get(pool.id)
        if space is None:
            space = self.cached(pool) or PoolSpace(pool, live_blocks(self.conn, pool))
            self.spaces[pool.id] = space
        return space

    def committed_spaces(self) -> dict[PoolKey, tuple[int, PoolSpace]]:
        """Each loaded pool's space and its generation once this batch has committed
        (``claim_pools`` bumped every pool of the batch by one)."""
        return {
            pool_key(space.pool): (space.pool.generation + 1, space)
            for space in self.spaces.values()
        }

    def _allocate(self, index: int, op: AllocateOp, pool: Pool, digest: str) -> None:
        space = self._space(pool)
        mark = space.mark()
        rows = []
        try:
            for position, request in enumerate(op.requests):
                where = f"items[{position}]." if op.batch else ""
                prefix = space.place(request, where)
                rows.append(
                    {
                        "pool_id": pool.id,
                        **prefix_row(prefix),
                        "state": request.state,
                        "description": request.description,
                        "description_folded": folded(request.description),
                        "owner": request.owner,
                        "tags": dict(request.tags),
                        "idempotency_key": op.idempotency_key,
                        "batch_index": position,
                        "request_hash": digest,
                        "child_pool_id": None,
                        "created_at": self.now,
                        "released_at": None,
                    }
                )
        except IpamError:
            space.rollback_to(mark)
            raise
        self.inserts.extend((index, row, op.actor) for row in rows)

    def _take_addresses(self, index: int, op: AddressOp, outcomes: list[Outcome | None],
                        same_as: dict[int, int],
                        batch_keys: dict[tuple[str, str, str], tuple[int, str]]) -> None:
        """Plan an address request: a replay, the twin of an earlier request of this
        batch with the same key, or new addresses."""
        pool = self._pool(op.pool)
        previous = self.addresses.replay(op)
        if previous is not None:
            outcomes[index] = previous
            return
        digest = address_fingerprint(op.allocation_id, op.items)
        key = ("address", op.pool, op.idempotency_key) if op.idempotency_key else None
        if key is not None and key in batch_keys:
            first, first_digest = batch_keys[key]
            if first_digest != digest:
                raise idempotency_mismatch(key[2], op.pool)
            same_as[index] = first
            return
        self.addresses.plan(index, op, pool, self._space, set(self.released))
        if key is not None:
            batch_keys[key] = (index, digest)

    def _release(self, index: int, op: ReleaseOp, targets: dict[int, Any]) -> Allocation:
        row = targets.get(op.allocation_id)
        if row is None:
            raise NotFound(f"allocation {op.allocation_id} does not exist", field="allocation_id")
        current = allocation_from(row)
        if current.state == "released":
            return current
        if current.id in self.released:  # a second release in this batch: a no-op too
            return self.released[current.id]
        if row.child_pool_id is not None:
            raise Conflict(
                f"allocation {current.id} ({current.prefix}) is the space of a child pool; "
                "delete that pool instead",
                code="in_use",
                field="allocation_id",
            )
        ranges, addresses = allocation_contents(self.conn, current.id)
        # Addresses taken from it earlier in this transaction are not written yet.
        addresses += self.addresses.used_allocations.get(current.id, 0)
        if ranges or addresses:
            raise Conflict(
                f"allocation {current.id} ({current.prefix}) still holds {ranges} range(s) and "
                f"{addresses} live address(es); delete and release them first",
                code="in_use",
                field="allocation_id",
            )
        self._space(self._pool(current.pool)).release(current.prefix)
        self.releases.append((index, current, op.actor))
        self.released[current.id] = replace(current, state="released", released_at=self.now)
        return self.released[current.id]

    # -- reading --------------------------------------------------------

    def _pools_of(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        query = (
            sa.select(allocations.c.id, pools.c.name)
            .join(pools, allocations.c.pool_id == pools.c.id)
            .where(allocations.c.id.in_(ids))
        )
        return {i: name for i, name in self.conn.execute(query)}

    def _release_targets(self, ids: list[int]) -> dict[int, Any]:
        if not ids:
            return {}
        rows = self.conn.execute(allocation_query().where(allocations.c.id.in_(ids)))
        return {row.id: row for row in rows}

    def _existing_keys(
        self, ops: Sequence[Operation]
    ) -> dict[tuple[str, str], tuple[list[Allocation], str | None]]:
        wanted: dict[int, set[str]] = {}
        for op in ops:
            if isinstance(op, AllocateOp) and op.idempotency_key and op.pool in self.pools:
                wanted.setdefault(self.pools[op.pool].id, set()).add(op.idempotency_key)
        found: dict[tuple[str, str], tuple[list[Allocation], str | None]] = {}
        for pool_id, keys in wanted.items():
            query = (
                allocation_query()
                .where(allocations.c.pool_id == pool_id, allocations.c.idempotency_key.in_(keys))
                .order_by(allocations.c.idempotency_key, allocations.c.batch_index)
            )
            for row in self.conn.execute(query):
                key = (row.pool_name, row.idempotency_key)
                entry = found.setdefault(key, ([], row.request_hash))
                entry[0].append(allocation_from(row))
        return found

    # -- writing --------------------------------------------------------

    def _write(self, outcomes: list[Outcome | None]) -> None:
        conn, now = self.conn, self.now
        audits: list[dict[str, Any]] = []
        if self.releases:
            conn.execute(
                allocations.update()
                .where(allocations.c.id.in_([a.id for _, a, _ in self.releases]))
                .values(state="released", released_at=now)
            )
            for _, released, actor in self.releases:
                detail: dict[str, object] = {"prefix": str(released.prefix)}
                audits.append(
                    audit_row(actor, "allocation.release", released.pool, released.id, detail, now)
                )
        if self.inserts:
            rows = [row for _, row, _ in self.inserts]
            ids = conn.execute(
                allocations.insert().returning(allocations.c.id, sort_by_parameter_order=True),
                rows,
            ).scalars().all()
            names = {p.id: p.name for p in self.pools.values()}
            made: dict[int, list[Allocation]] = {}
            for (index, row, actor), new_id in zip(self.inserts, ids, strict=True):
                allocation = Allocation(
                    id=new_id,
                    pool=names[row["pool_id"]],
                    prefix=row["prefix"],
                    state=row["state"],
                    description=row["description"],
                    owner=row["owner"],
                    tags=row["tags"],
                    idempotency_key=row["idempotency_key"],
                    created_at=now,
                )
                made.setdefault(index, []).append(allocation)
                detail = {"prefix": str(allocation.prefix), "state": allocation.state}
                if allocation.idempotency_key:
                    detail["idempotency_key"] = allocation.idempotency_key
                audits.append(
                    audit_row(actor, "allocation.create", allocation.pool, new_id, detail, now)
                )
            for index, made_here in made.items():
                outcomes[index] = AllocateResult(tuple(made_here))
        taken, address_audits = self.addresses.write()
        for index, result in taken.items():
            outcomes[index] = result
        audits.extend(address_audits)
        if audits:
            conn.execute(audit_log.insert(), audits)


def _refusal(exc: sa.exc.StatementError) -> IpamError:
    """The error of one op whose transaction the database (or its driver) refused."""
    if isinstance(exc, sa.exc.IntegrityError):
        return Conflict(
            f"the database refused the change as conflicting with what it holds ({exc.orig})",
            code="overlap",
        )
    if isinstance(exc, sa.exc.DBAPIError):
        return storage_error(exc)
    return InvalidRequest(f"body: the database could not store a value ({exc.orig})",
                          field="body")


def _check_digest(op: AllocateOp, previous: str | None, current: str) -> None:
    if previous != current:
        raise idempotency_mismatch(op.idempotency_key or "", op.pool)
