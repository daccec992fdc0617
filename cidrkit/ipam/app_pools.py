"""Reading pools: their utilisation, allocations, free space, audit entries and pages.

Every method checks the token's scope on the pool first (``AppAccess.pool``)
and reads in one snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cidrkit.core import Prefix
from cidrkit.ipam import addresses as address_store
from cidrkit.ipam import ranges as range_store
from cidrkit.ipam import store
from cidrkit.ipam.addresses import IpAddress
from cidrkit.ipam.app_access import MAX_ROW_ID, AppAccess, require
from cidrkit.ipam.capacity import Fragmentation, fragmentation, utilisation_warnings
from cidrkit.ipam.errors import InvalidRequest
from cidrkit.ipam.model import LIVE_STATES, Allocation, AuditEntry, Pool, Token, Utilisation
from cidrkit.ipam.occupancy import standalone_blocks
from cidrkit.ipam.ranges import IpRange
from cidrkit.ipam.reports import FreePage, free_page, utilisation
from cidrkit.ipam.schema import allocations as allocations_table
from cidrkit.ipam.schema import pools as pools_table
from cidrkit.ipam.schema import spaces as spaces_table
from cidrkit.ipam.schema import to_hex
from cidrkit.ipam.spacemap import SpaceMap, space_map
from cidrkit.ipam.spaces import get_space

LIVE = ("reserved", "allocated")


@dataclass(frozen=True, slots=True)
class PoolContents:
    """A pool with its live allocations (address order) and the prefixes its
    child pools were carved as (those allocations are the children's space)."""

    pool: Pool
    allocations: list[Allocation]
    carved: frozenset[Prefix]


@dataclass(frozen=True, slots=True)
class PoolView:
    """Everything the pool page shows."""

    pool: Pool
    usage: Utilisation
    map: SpaceMap
    free: FreePage
    allocations: list[Allocation]
    total: int
    audit: list[AuditEntry]
    can_write: bool
    can_admin: bool
    ranges: list[IpRange] = field(default_factory=list)
    addresses: list[IpAddress] = field(default_factory=list)
    addresses_total: int = 0
    warnings: tuple[str, ...] = ()
    fragmentation: Fragmentation | None = None


class PoolReads(AppAccess):
    """The reads of pools, their allocations, free space and audit log."""

    def visible_pools(self, token: Token, *,
                      space: str | None = None) -> list[tuple[Pool, Utilisation]]:
        """Pools the token may read, each with its utilisation; with ``space``, those of
        that space (``NotFound`` naming ``space`` if it does not exist)."""
        with self.db.read() as conn:
            where = sa.true() if token.pool is None else pools_table.c.name == token.pool
            if space is not None:
                get_space(conn, space)  # a misspelt space is an error, not an empty list
                where = sa.and_(where, spaces_table.c.name == space)
            found = store.load_pools(conn, where)
            return [(p, usage_of(conn, p)) for p in found]

    def pool_with_usage(self, token: Token, name: str) -> tuple[Pool, Utilisation]:
        """The pool and its utilisation (read scope)."""
        found = self.pool(token, name)
        with self.db.read() as conn:
            return found, usage_of(conn, found)

    def allocations(self, token: Token, pool: str, *, states: Sequence[str] | None,
                    limit: int, offset: int) -> tuple[list[Allocation], int]:
        """One page of a pool's allocations in address order, and the total."""
        for value in states or []:
            if value not in ("reserved", "allocated", "released"):
                raise InvalidRequest(f"state: {value!r} is not reserved, allocated or released",
                                     field="state")
        found = self.pool(token, pool)
        with self.db.read() as conn:
            return store.list_allocations(conn, found, states=states, limit=limit,
                                          offset=offset)

    def free(self, token: Token, pool: str, *, length: int | None, offset: int,
             limit: int) -> FreePage:
        """A page of the pool's free blocks (split into /length if given)."""
        found = self.pool(token, pool)
        with self.db.read() as conn:
            used = store.live_blocks(conn, found)
        return free_page(found, used, length=length, offset=offset, limit=limit)

    def audit(self, token: Token, pool: str | None, *, limit: int,
              before_id: int | None = None) -> list[AuditEntry]:
        """Newest-first audit entries; a pool-bound token sees its pool's only."""
        if token.pool is not None:
            pool = pool or token.pool
        require(token, pool, "read")
        if before_id is not None and before_id > MAX_ROW_ID:
            before_id = None  # every id is below it
        with self.db.read() as conn:
            return store.read_audit(conn, pool=pool, limit=limit, before_id=before_id)

    def pool_capacity(self, token: Token) -> list[tuple[Pool, Utilisation]]:
        """Every pool with its utilisation, for monitoring (read scope on all pools)."""
        require(token, None, "read")
        return self.visible_pools(token)

    def fragmentation(self, token: Token, pool: str) -> Fragmentation:
        """How the pool's free space is split (read scope)."""
        found = self.pool(token, pool)
        with self.db.read() as conn:
            return fragmentation(found, store.live_blocks(conn, found))

    def pool_view(self, token: Token, name: str) -> PoolView:
        """The pool page's data: map, free blocks, allocations, audit entries."""
        found = self.pool(token, name)
        with self.db.read() as conn:
            live = store.live_blocks_by_state(conn, found)
            standalone = standalone_blocks(conn, found.id, found.version)
            items, total = store.list_allocations(conn, found, limit=500)
            entries = store.read_audit(conn, pool=found.name, limit=50)
            ranges = range_store.list_ranges(conn, found)
            held, held_total = address_store.list_addresses(conn, found, states=LIVE, limit=500)
        owners = {a.prefix: a for a in items if a.live}
        used = [p for p, _ in live] + [p for p, _ in standalone]
        free = free_page(found, used, length=None, offset=0, limit=1000)
        usage = utilisation(found, live, standalone)
        return PoolView(
            pool=found,
            usage=usage,
            map=space_map(found, live + standalone, list(free.blocks), owners),
            free=free,
            allocations=items,
            total=total,
            audit=entries,
            can_write=token.allows(found.name, "write"),
            can_admin=token.allows(found.name, "admin"),
            ranges=ranges,
            addresses=held,
            addresses_total=held_total,
            warnings=tuple(utilisation_warnings(found, usage)),
            fragmentation=fragmentation(found, used),
        )

    def pool_contents(self, token: Token, *,
                      only: Sequence[Prefix] | None = None) -> list[PoolContents]:
        """Every pool the token may read with its live allocations, in one snapshot.

        ``only`` keeps the allocations that are exactly one of those prefixes,
        chosen by the database (looking one prefix up must not read them all).
        """
        with self.db.read() as conn:
            where = None if token.pool is None else pools_table.c.name == token.pool
            found = store.load_pools(conn, where)
            carved = self._carved(conn, found)
            return [PoolContents(p, _live_allocations(conn, p, only), carved[p.id])
                    for p in found]

    def contents_of(self, token: Token, name: str) -> PoolContents:
        """One pool (read scope), its live allocations and its children's prefixes."""
        found = self.pool(token, name)
        with self.db.read() as conn:
            live = store.list_allocations(conn, found, states=LIVE_STATES, limit=MAX_ROW_ID)[0]
            return PoolContents(found, live, self._carved(conn, [found])[found.id])

    def carved_from(self, token: Token, name: str) -> frozenset[Prefix]:
        """The prefixes child pools took from pool ``name`` (read scope)."""
        found = self.pool(token, name)
        with self.db.read() as conn:
            return self._carved(conn, [found])[found.id]

    @staticmethod
    def _carved(conn: Connection, parents: Sequence[Pool]) -> dict[int, frozenset[Prefix]]:
        ids = [p.id for p in parents]
        carved: dict[int, set[Prefix]] = {i: set() for i in ids}
        if ids:
            for child in store.load_pools(conn, pools_table.c.parent_id.in_(ids)):
                parent_id = next(p.id for p in parents if p.name == child.parent)
                carved[parent_id].update(child.prefixes)
        return {i: frozenset(s) for i, s in carved.items()}


def _live_allocations(conn: Connection, pool: Pool,
                      only: Sequence[Prefix] | None) -> list[Allocation]:
    if only is None:
        return store.list_allocations(conn, pool, states=LIVE_STATES, limit=MAX_ROW_ID)[0]
    wanted = [p for p in only if p.version == pool.version]
    if not wanted:
        return []
    exactly = sa.or_(*(sa.and_(allocations_table.c.first_hex == to_hex(p.start),
                               allocations_table.c.length == p.length) for p in wanted))
    # "!= released" is the predicate of the partial index on (pool_id, first_hex).
    query = (store.allocation_query()
             .where(allocations_table.c.pool_id == pool.id,
                    allocations_table.c.state != "released", exactly)
             .order_by(allocations_table.c.first_hex, allocations_table.c.id))
    return [store.allocation_from(row) for row in conn.execute(query)]


def usage_of(conn: sa.Connection, pool: Pool) -> Utilisation:
    """The pool's utilisation, standalone addresses and ranges included."""
    return utilisation(pool, store.live_blocks_by_state(conn, pool),
                       standalone_blocks(conn, pool.id, pool.version))
