"""Changing what describes a block without moving it: descriptions and tags.

An edit never changes which space is held, so it takes no pool lock and
leaves the pool's generation alone (the allocation service's memory of live
blocks stays valid); it is one write transaction with its audit entry.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import NotFound
from cidrkit.ipam.model import Allocation, Pool
from cidrkit.ipam.schema import allocations, audit_log, pools
from cidrkit.ipam.search import folded, folded_description
from cidrkit.ipam.store import audit_row, get_allocation, get_pool


def edit_allocation(db: Database, allocation_id: int, *, description: str | None,
                    tags: dict[str, str] | None, actor: str) -> Allocation:
    """Set a live allocation's description and/or tags (None: unchanged).

    ``NotFound`` for a missing or released allocation: history is not edited.
    """
    changes: dict[str, object] = {}
    if description is not None:
        changes["description"] = description
    if tags is not None:
        changes["tags"] = dict(tags)
    with db.write() as conn:
        current = get_allocation(conn, allocation_id)
        if not current.live:
            raise NotFound(f"allocation {allocation_id} is released", field="allocation_id")
        if not changes:
            return current
        conn.execute(allocations.update().where(allocations.c.id == allocation_id)
                     .values(**changes, **folded_description(changes)))
        detail: dict[str, object] = {"prefix": str(current.prefix), **changes}
        conn.execute(audit_log.insert(), audit_row(actor, "allocation.edit", current.pool,
                                                   allocation_id, detail, datetime.now(UTC)))
        return get_allocation(conn, allocation_id)


def edit_pool(db: Database, name: str, *, description: str, actor: str) -> Pool:
    """Set a pool's description."""
    with db.write() as conn:
        current = get_pool(conn, name)
        if current.description == description:
            return current
        conn.execute(pools.update().where(pools.c.id == current.id)
                     .values(description=description, description_folded=folded(description)))
        detail: dict[str, object] = {"description": description}
        conn.execute(audit_log.insert(),
                     audit_row(actor, "pool.edit", name, None, detail, datetime.now(UTC)))
        return get_pool(conn, name)
