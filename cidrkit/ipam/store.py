"""Reading the IPAM tables into model values.

Every function takes an open connection, so callers decide the transaction
(a read snapshot, or the locked write transaction of an allocation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from cidrkit.core import Prefix
from cidrkit.core.text import family_bits
from cidrkit.ipam.errors import NotFound
from cidrkit.ipam.model import Allocation, AuditEntry, Pool, PoolRules
from cidrkit.ipam.occupancy import standalone_blocks
from cidrkit.ipam.schema import (
    allocations,
    audit_log,
    pending_imports,
    pool_prefixes,
    pools,
    spaces,
    to_hex,
)


def visible() -> sa.ColumnElement[bool]:
    """Rows readers may see: all but those of an import not yet published.

    A pending import's rows are live for the overlap backstop (they hold
    their space) but invisible to every reader until the import's one row in
    ``pending_imports`` is deleted, so nobody ever sees half an import.
    """
    return sa.or_(allocations.c.import_id.is_(None),
                  allocations.c.import_id.not_in(sa.select(pending_imports.c.id)))


def importing_pools(conn: Connection, pool_ids: Iterable[int]) -> set[int]:
    """Those of ``pool_ids`` with an import in progress (their allocations wait for it)."""
    ids = sorted(set(pool_ids))
    if not ids:
        return set()
    query = sa.select(pending_imports.c.pool_id).where(pending_imports.c.pool_id.in_(ids))
    return set(conn.execute(query).scalars())


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def prefix_row(prefix: Prefix) -> dict[str, Any]:
    """The stored columns describing one prefix."""
    return {
        "prefix": prefix,
        "first_hex": to_hex(prefix.start),
        "last_hex": to_hex(prefix.end),
        "length": prefix.length,
        "text_form": str(prefix),
    }


def _prefix_from(version: int, first_hex: str, length: int) -> Prefix:
    return Prefix(family_bits(version), int(first_hex, 16), length)


def load_pools(
    conn: Connection, where: sa.ColumnElement[bool] | None = None, *, lock: bool = False
) -> list[Pool]:
    """Pools matching ``where`` (all if None), ordered by name.

    ``lock`` takes row locks (``FOR UPDATE``) in id order, so concurrent
    transactions locking several pools cannot deadlock.
    """
    parent = pools.alias("parent")
    query = (
        sa.select(pools, parent.c.name.label("parent_name"), spaces.c.name.label("space_name"))
        .outerjoin(parent, pools.c.parent_id == parent.c.id)
        .join(spaces, pools.c.space_id == spaces.c.id)
    )
    if where is not None:
        query = query.where(where)
    if lock:
        query = query.order_by(pools.c.id).with_for_update(of=pools)
    rows = conn.execute(query).all()
    if not rows:
        return []
    prefixes: dict[int, list[Prefix]] = {row.id: [] for row in rows}
    versions = {row.id: row.version for row in rows}
    prefix_query = (
        sa.select(pool_prefixes.c.pool_id, pool_prefixes.c.first_hex, pool_prefixes.c.length)
        .where(pool_prefixes.c.pool_id.in_(list(prefixes)))
        .order_by(pool_prefixes.c.pool_id, pool_prefixes.c.first_hex)
    )
    for pool_id, first_hex, length in conn.execute(prefix_query):
        prefixes[pool_id].append(_prefix_from(versions[pool_id], first_hex, length))
    result = [_pool_from(row, tuple(prefixes[row.id]), row.parent_name, row.space_name)
              for row in rows]
    return sorted(result, key=lambda p: p.name)


def _pool_from(
    row: Row[Any], prefixes: tuple[Prefix, ...], parent: str | None, space: str
) -> Pool:
    return Pool(
        id=row.id,
        name=row.name,
        version=row.version,
        prefixes=prefixes,
        rules=PoolRules(
            min_length=row.min_length,
            max_length=row.max_length,
            default_length=row.default_length,
            required_tags=tuple(row.required_tags or ()),
        ),
        parent=parent,
        description=row.description,
        created_at=utc(row.created_at),
        generation=row.generation,
        usable_model=row.usable_model,
        space=space,
        warn_at=row.warn_at,
    )


def bump_generation(conn: Connection, pool_ids: Iterable[int]) -> None:
    """Record that the live blocks of these pools changed (invalidates cached spaces)."""
    ids = sorted(set(pool_ids))
    if ids:
        conn.execute(
            pools.update().where(pools.c.id.in_(ids)).values(generation=pools.c.generation + 1)
        )


PoolKey = tuple[int, datetime | None]
"""Identifies one pool for its whole life: SQLite may give a deleted pool's id to
the next pool created, so the id alone could name two different pools."""

PoolShape = tuple[tuple[Prefix, ...], str | None, str]
"""A pool's prefixes, parent name and space: fixed from its creation to its deletion."""


def pool_key(pool: Pool) -> PoolKey:
    """The key of ``pool`` in per-process caches."""
    return pool.id, pool.created_at


def claim_pools(
    conn: Connection, names: Iterable[str], *, dialect: str, shapes: dict[PoolKey, PoolShape]
) -> list[Pool]:
    """Lock the pools called ``names`` for this write transaction and bump their generation.

    One ``UPDATE … RETURNING`` both takes each pool's row lock and records
    that its live blocks may change, which saves the separate SELECT … FOR
    UPDATE and UPDATE round trips of a write. With several pools, PostgreSQL
    rows are first locked in id order so concurrent writers cannot deadlock
    (SQLite's ``BEGIN IMMEDIATE`` already holds the one write lock). The
    pools returned carry the generation from *before* the bump: that is what
    a space cached after an earlier commit must match. ``shapes`` caches the
    prefixes and parent of pools seen before (they never change), so a pool
    costs one extra query only the first time.
    """
    wanted = sorted(set(names))
    if not wanted:
        return []
    if dialect == "postgresql" and len(wanted) > 1:
        conn.execute(
            sa.select(pools.c.id).where(pools.c.name.in_(wanted)).order_by(pools.c.id)
            .with_for_update()
        )
    rows = conn.execute(
        pools.update()
        .where(pools.c.name.in_(wanted))
        .values(generation=pools.c.generation + 1)
        .returning(*pools.c)
    ).all()
    keyed = [((row.id, utc(row.created_at)), row) for row in rows]
    # Read the shared cache once per key: another thread may clear it meanwhile.
    known = {key: shapes.get(key) for key, _ in keyed}
    missing = [row for key, row in keyed if known[key] is None]
    if missing:
        loaded = _load_shapes(conn, missing)
        shapes.update(loaded)
        known.update(loaded)
    found = []
    for key, row in keyed:
        shape = known[key]
        assert shape is not None
        prefixes, parent, space = shape
        pool = _pool_from(row, prefixes, parent, space)
        found.append(replace(pool, generation=row.generation - 1))
    return sorted(found, key=lambda p: p.name)


def _load_shapes(conn: Connection, rows: Sequence[Row[Any]]) -> dict[PoolKey, PoolShape]:
    ids = [row.id for row in rows]
    prefixes: dict[int, list[Prefix]] = {pool_id: [] for pool_id in ids}
    versions = {row.id: row.version for row in rows}
    query = (
        sa.select(pool_prefixes.c.pool_id, pool_prefixes.c.first_hex, pool_prefixes.c.length)
        .where(pool_prefixes.c.pool_id.in_(ids))
        .order_by(pool_prefixes.c.pool_id, pool_prefixes.c.first_hex)
    )
    for pool_id, first_hex, length in conn.execute(query):
        prefixes[pool_id].append(_prefix_from(versions[pool_id], first_hex, length))
    parent_ids = {row.parent_id for row in rows if row.parent_id is not None}
    parents: dict[int, str] = {}
    if parent_ids:
        parent_query = sa.select(pools.c.id, pools.c.name).where(pools.c.id.in_(parent_ids))
        parents = {pool_id: name for pool_id, name in conn.execute(parent_query)}
    space_query = sa.select(spaces.c.id, spaces.c.name).where(
        spaces.c.id.in_({row.space_id for row in rows}))
    space_names = {space_id: name for space_id, name in conn.execute(space_query)}
    return {
        (row.id, utc(row.created_at)): (
            tuple(prefixes[row.id]),
            None if row.parent_id is None else parents[row.parent_id],
            space_names[row.space_id],
        )
        for row in rows
    }


def get_pool(conn: Connection, name: str, *, lock: bool = False) -> Pool:
    """The pool called ``name``; ``NotFound`` if there is none."""
    found = load_pools(conn, pools.c.name == name, lock=lock)
    if not found:
        raise NotFound(f"pool {name!r} does not exist", field="pool")
    return found[0]


def live_blocks(conn: Connection, pool: Pool) -> list[Prefix]:
    """The pool's reserved and allocated blocks, in address order.

    A pending import's blocks are included: they already hold their space.
    So are the blocks of free-standing ranges and addresses, which prefix
    allocation must go around too.
    """
    query = (
        sa.select(allocations.c.first_hex, allocations.c.length)
        .where(allocations.c.pool_id == pool.id, allocations.c.state != "released")
        .order_by(allocations.c.first_hex)
    )
    blocks = [_prefix_from(pool.version, f, n) for f, n in conn.execute(query)]
    standalone = standalone_blocks(conn, pool.id, pool.version)
    if standalone:
        blocks = sorted(blocks + [p for p, _ in standalone])
    return blocks


def live_blocks_by_state(conn: Connection, pool: Pool) -> list[tuple[Prefix, str]]:
    """Live blocks with their state, in address order (a pending import's are left out)."""
    query = (
        sa.select(allocations.c.first_hex, allocations.c.length, allocations.c.state)
        .where(allocations.c.pool_id == pool.id, allocations.c.state != "released", visible())
        .order_by(allocations.c.first_hex)
    )
    return [(_prefix_from(pool.version, f, n), s) for f, n, s in conn.execute(query)]


ALLOCATION_COLUMNS = (
    allocations.c.id,
    allocations.c.prefix,
    allocations.c.state,
    allocations.c.description,
    allocations.c.owner,
    allocations.c.tags,
    allocations.c.idempotency_key,
    allocations.c.created_at,
    allocations.c.released_at,
    allocations.c.pool_id,
    allocations.c.child_pool_id,
    allocations.c.request_hash,
    allocations.c.batch_index,
    pools.c.name.label("pool_name"),
)


def allocation_query() -> sa.Select[Any]:
    """SELECT of visible allocations joined with their pool's name."""
    return (sa.select(*ALLOCATION_COLUMNS).join(pools, allocations.c.pool_id == pools.c.id)
            .where(visible()))


def allocation_from(row: Row[Any]) -> Allocation:
    """An ``Allocation`` from a row of ``allocation_query()``."""
    return Allocation(
        id=row.id,
        pool=row.pool_name,
        prefix=row.prefix,
        state=row.state,
        description=row.description,
        owner=row.owner,
        tags=dict(row.tags or {}),
        idempotency_key=row.idempotency_key,
        created_at=utc(row.created_at),
        released_at=utc(row.released_at),
    )


def get_allocation(conn: Connection, allocation_id: int) -> Allocation:
    """The allocation with that id; ``NotFound`` if there is none."""
    row = conn.execute(allocation_query().where(allocations.c.id == allocation_id)).first()
    if row is None:
        raise NotFound(f"allocation {allocation_id} does not exist", field="allocation_id")
    return allocation_from(row)


def list_allocations(
    conn: Connection,
    pool: Pool,
    *,
    states: Sequence[str] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Allocation], int]:
    """One page of a pool's allocations in address order, and the total count."""
    condition = sa.and_(allocations.c.pool_id == pool.id, visible())
    if states:
        condition = sa.and_(condition, allocations.c.state.in_(list(states)))
    total = conn.execute(sa.select(sa.func.count()).select_from(allocations).where(condition))
    query = (
        allocation_query()
        .where(condition)
        .order_by(allocations.c.first_hex, allocations.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [allocation_from(r) for r in conn.execute(query)], int(total.scalar_one())


def allocations_by_ids(conn: Connection, ids: Iterable[int]) -> dict[int, Allocation]:
    """Allocations keyed by id (missing ids are simply absent)."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = conn.execute(allocation_query().where(allocations.c.id.in_(wanted)))
    return {row.id: allocation_from(row) for row in rows}


def read_audit(
    conn: Connection, *, pool: str | None = None, limit: int = 100, before_id: int | None = None
) -> list[AuditEntry]:
    """Newest-first page of the audit log, optionally for one pool."""
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if pool is not None:
        query = query.where(audit_log.c.pool_name == pool)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    return [
        AuditEntry(
            id=r.id,
            at=utc(r.at) or r.at,
            actor=r.actor,
            action=r.action,
            pool=r.pool_name,
            allocation_id=r.allocation_id,
            detail=dict(r.detail or {}),
        )
        for r in conn.execute(query)
    ]


def audit_row(
    actor: str,
    action: str,
    pool: str | None,
    allocation_id: int | None,
    detail: dict[str, object],
    at: datetime,
) -> dict[str, Any]:
    """Column values of one audit entry."""
    return {
        "at": at,
        "actor": actor,
        "action": action,
        "pool_name": pool,
        "allocation_id": allocation_id,
        "detail": detail,
    }
