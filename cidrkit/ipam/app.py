"""The running service's shared state, and every request-level operation on it.

The JSON API, the lean allocation route and the web page all call these
methods and nothing below them: authentication (with its rate limit), scope
checks, reads and the routing of writes through the group-commit writer live
here once. The HTTP layers only translate requests and responses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cidrkit.core import Addr, Prefix
from cidrkit.errors import ParseError
from cidrkit.ipam import addresses as address_store
from cidrkit.ipam import ranges as range_store
from cidrkit.ipam import store
from cidrkit.ipam.address_plan import AddressOp
from cidrkit.ipam.addresses import (
    AddressChanges,
    AddressItem,
    AddressResult,
    IpAddress,
)
from cidrkit.ipam.capacity import Fragmentation, fragmentation, utilisation_warnings
from cidrkit.ipam.database import Database, storage_error
from cidrkit.ipam.edits import edit_allocation, edit_pool
from cidrkit.ipam.errors import Forbidden, InvalidRequest, IpamError, NotFound, Unauthorized
from cidrkit.ipam.importers import ImportFormat, ImportReport, import_allocations
from cidrkit.ipam.limits import AttemptLimiter
from cidrkit.ipam.model import (
    LIVE_STATES,
    Allocation,
    AllocationRequest,
    AuditEntry,
    Pool,
    Scope,
    Space,
    Token,
    Utilisation,
)
from cidrkit.ipam.occupancy import standalone_blocks
from cidrkit.ipam.pools import PoolSpec, create_pool, delete_pool, is_pool_name
from cidrkit.ipam.prefix_listing import PrefixFilter, PrefixPage, prefix_page
from cidrkit.ipam.ranges import IpRange, RangeChanges, RangeSpec
from cidrkit.ipam.reports import FreePage, free_page, utilisation
from cidrkit.ipam.schema import allocations as allocations_table
from cidrkit.ipam.schema import pools as pools_table
from cidrkit.ipam.schema import spaces as spaces_table
from cidrkit.ipam.schema import to_hex
from cidrkit.ipam.service import (
    AllocateOp,
    AllocateResult,
    AllocationService,
    Operation,
    Outcome,
    ReleaseOp,
)
from cidrkit.ipam.sessions import SessionStore
from cidrkit.ipam.spacemap import SpaceMap, space_map
from cidrkit.ipam.spaces import (
    SpaceDetail,
    auditor_documents,
    connect_spaces,
    create_space,
    delete_space,
    disconnect_spaces,
    get_space,
    list_spaces,
    space_detail,
    space_of_pool,
)
from cidrkit.ipam.span_listing import SpanFilter, SpanPage, address_page, range_page
from cidrkit.ipam.tokens import TokenVerifier, parse_token_id
from cidrkit.ipam.writer import GroupCommitWriter

LIVE = ("reserved", "allocated")

# Row ids are 32-bit on PostgreSQL; a larger id names nothing (and must not
# reach the database, which would refuse the parameter).
MAX_ROW_ID = 2**31 - 1

# A row that belongs to one pool and is read under that pool's token scope.
_PoolRow = TypeVar("_PoolRow", Allocation, IpRange, IpAddress)


def require(token: Token, pool: str | None, scope: Scope) -> None:
    """Raise ``Forbidden`` unless ``token`` has ``scope`` on ``pool`` (None: global)."""
    if not token.allows(pool, scope):
        where = f"pool {pool!r}" if pool else "all pools"
        raise Forbidden(
            f"token {token.name!r} ({token.scope} on {token.pool or 'all pools'}) "
            f"lacks {scope} scope on {where}"
        )


def to_request(
    *,
    prefix_length: int | None,
    prefix: str | None,
    strategy: str = "best_fit",
    state: str = "allocated",
    description: str = "",
    owner: str = "",
    tags: dict[str, str] | None = None,
    where: str = "",
) -> AllocationRequest:
    """Build a request from API fields, parsing ``prefix`` strictly with cidrkit."""
    parsed = None
    if prefix is not None:
        if prefix_length is not None:
            raise InvalidRequest(
                f"{where}prefix: give prefix or prefix_length, not both", field=f"{where}prefix"
            )
        try:
            parsed = Prefix.parse(prefix)
        except ParseError as exc:
            raise InvalidRequest(f"{where}prefix: {exc}", field=f"{where}prefix") from None
    return AllocationRequest(
        length=prefix_length,
        prefix=parsed,
        strategy=strategy,  # type: ignore[arg-type]
        state=state,  # type: ignore[arg-type]
        description=description,
        owner=owner,
        tags=dict(tags or {}),
    )


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


class IpamApp:
    """Database, allocation service, optional group-commit writer, tokens and sessions."""

    def __init__(self, db: Database, *, batching: bool = True, max_batch: int = 64,
                 limiter: AttemptLimiter | None = None) -> None:
        self.db = db
        self.service = AllocationService(db)
        self.writer = GroupCommitWriter(self.service, max_batch=max_batch) if batching else None
        self.verifier = TokenVerifier(db)
        self.sessions = SessionStore(db, self.verifier)
        self.limiter = limiter or AttemptLimiter()

    def start(self) -> None:
        """Start the writer thread (if batching)."""
        if self.writer is not None:
            self.writer.start()

    def stop(self) -> None:
        """Drain and stop the writer, close connections."""
        if self.writer is not None:
            self.writer.stop()
        self.db.dispose()

    async def submit(self, op: Operation) -> Outcome:
        """Apply one write, batched with concurrent ones when a writer runs."""
        try:
            if self.writer is not None:
                return await asyncio.wrap_future(self.writer.submit(op))
            return (await asyncio.to_thread(self.service.execute, [op]))[0]
        except sa.exc.DBAPIError as exc:
            return storage_error(exc)

    # -- who is asking ----------------------------------------------------

    def authenticate(self, presented: str | None, client: str) -> Token:
        """The token of ``presented`` text, counting failures per client and per token id.

        ``TooManyAttempts`` (429) once either has failed too often; ``Unauthorized``
        (401) for a missing, malformed, unknown or revoked token.
        """
        keys = [f"client:{client}"]
        token_id = parse_token_id(presented or "")
        if token_id is not None:
            keys.append(f"token:{token_id}")
        self.limiter.check(*keys)
        try:
            return self.verifier.verify(presented)
        except Unauthorized:
            self.limiter.failed(*keys)
            raise

    def is_authenticated(self, bearer: str | None, session_cookie: str | None) -> bool:
        """True if the request carries a valid token or web session (never raises,
        counts nothing): decides how large a body the request may send."""
        try:
            if bearer:
                self.verifier.verify(bearer)
                return True
            return self.sessions.resolve(session_cookie) is not None
        except (IpamError, sa.exc.DBAPIError):
            return False

    # -- reads ------------------------------------------------------------

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
            return [(p, _usage(conn, p)) for p in found]

    def pool(self, token: Token, name: str, scope: Scope = "read") -> Pool:
        """The pool ``name`` if ``token`` has ``scope`` on it."""
        require(token, name, scope)
        if not is_pool_name(name):
            raise NotFound(f"pool {name!r} does not exist", field="pool")
        with self.db.read() as conn:
            return store.get_pool(conn, name)

    def pool_with_usage(self, token: Token, name: str) -> tuple[Pool, Utilisation]:
        """The pool and its utilisation (read scope)."""
        found = self.pool(token, name)
        with self.db.read() as conn:
            return found, _usage(conn, found)

    def allocation(self, token: Token, allocation_id: int, scope: Scope = "read") -> Allocation:
        """An allocation, if ``token`` has ``scope`` on its pool.

        One the token may not even read is "not found", exactly like a missing
        one, so a token bound to one pool cannot learn which ids other pools hold.
        """
        return self._pool_row(token, "allocation", allocation_id, scope, store.get_allocation)

    def _pool_row(self, token: Token, kind: str, row_id: int, scope: Scope,
                  fetch: Callable[[Connection, int], _PoolRow]) -> _PoolRow:
        """The row ``fetch`` finds, if ``token`` has ``scope`` on its pool (see ``allocation``)."""
        missing = NotFound(f"{kind} {row_id} does not exist", field=f"{kind}_id")
        if not 1 <= row_id <= MAX_ROW_ID:
            raise missing
        with self.db.read() as conn:
            found = fetch(conn, row_id)
        if not token.allows(found.pool, "read"):
            raise missing
        require(token, found.pool, scope)
        return found

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

    def spaces_export(self, token: Token) -> tuple[dict[str, Any], dict[str, Any]]:
        """The auditor's connections document and the top-level pools as an
        inventory (read scope on all pools: it names every pool)."""
        require(token, None, "read")
        with self.db.read() as conn:
            return auditor_documents(conn)

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

    def prefix_page(self, token: Token, wanted: PrefixFilter, *, limit: int, offset: int,
                    ) -> tuple[PrefixPage, dict[int, Pool], dict[int, Allocation]]:
        """One page of the prefixes (pools' and allocations') the token may read, chosen,
        ordered and counted by the database; with the pools and allocations it names."""
        with self.db.read() as conn:
            page = prefix_page(conn, replace(wanted, pool=token.pool), limit=limit,
                               offset=offset)
            ids = sorted({row.pool_id for row in page.rows})
            found = store.load_pools(conn, pools_table.c.id.in_(ids)) if ids else []
            held = store.allocations_by_ids(
                conn, [r.allocation_id for r in page.rows if r.allocation_id is not None])
        return page, {p.id: p for p in found}, held

    def address_page(self, token: Token, wanted: SpanFilter, *, limit: int, offset: int,
                     ) -> tuple[SpanPage, dict[int, IpAddress], dict[str, str]]:
        """One page of the live addresses the token may read, chosen, ordered and counted
        by the database; with their rows and the space of each pool named."""
        with self.db.read() as conn:
            page = address_page(conn, replace(wanted, pool=token.pool), limit=limit,
                                offset=offset)
            rows = address_store.addresses_by_ids(conn, [r.id for r in page.rows])
            return page, rows, _spaces_of(conn, {r.pool for r in rows.values()})

    def range_page(self, token: Token, wanted: SpanFilter, *, limit: int, offset: int,
                   ) -> tuple[SpanPage, dict[int, IpRange], dict[str, str]]:
        """One page of the ranges the token may read (as ``address_page``)."""
        with self.db.read() as conn:
            page = range_page(conn, replace(wanted, pool=token.pool), limit=limit,
                              offset=offset)
            rows = range_store.ranges_by_ids(conn, [r.id for r in page.rows])
            return page, rows, _spaces_of(conn, {r.pool for r in rows.values()})

    def pool_by_id(self, token: Token, pool_id: int, scope: Scope = "read") -> Pool:
        """The pool with that row id if ``token`` has ``scope`` on it; one it may not
        read is "not found", like a missing one."""
        missing = NotFound(f"pool id {pool_id} does not exist", field="id")
        if not 1 <= pool_id <= MAX_ROW_ID:
            raise missing
        with self.db.read() as conn:
            found = store.load_pools(conn, pools_table.c.id == pool_id)
        if not found or not token.allows(found[0].name, "read"):
            raise missing
        require(token, found[0].name, scope)
        return found[0]

    # -- writes -----------------------------------------------------------
    def edit_allocation(self, token: Token, allocation_id: int, *, description: str | None,
                        tags: dict[str, str] | None) -> Allocation:
        """Change a live allocation's description and/or tags (write scope on its pool)."""
        self.allocation(token, allocation_id, "write")
        return edit_allocation(self.db, allocation_id, description=description, tags=tags,
                               actor=actor_of(token))

    def edit_pool(self, token: Token, name: str, *, description: str) -> Pool:
        """Change a pool's description (admin scope)."""
        self.pool(token, name, "admin")
        return edit_pool(self.db, name, description=description, actor=actor_of(token))


    def create_pool(self, token: Token, spec: PoolSpec) -> tuple[Pool, Utilisation]:
        """Create a pool: admin on its name, on its parent, or on all pools."""
        by_parent = spec.parent is not None and token.allows(spec.parent, "admin")
        if not by_parent:
            require(token, spec.name, "admin")
        created = create_pool(self.db, spec, actor=actor_of(token))
        with self.db.read() as conn:
            return created, _usage(conn, created)

    def delete_pool(self, token: Token, name: str) -> None:
        """Delete a pool with no live allocations (admin scope)."""
        require(token, name, "admin")
        if not is_pool_name(name):
            raise NotFound(f"pool {name!r} does not exist", field="pool")
        delete_pool(self.db, name, actor=actor_of(token))

    async def allocate(
        self,
        token: Token,
        pool: str,
        requests: Sequence[AllocationRequest],
        idempotency_key: str | None,
        *,
        batch: bool,
    ) -> AllocateResult:
        """Allocate ``requests`` in ``pool`` (write scope); raise the request's error."""
        require(token, pool, "write")
        if not is_pool_name(pool):
            raise NotFound(f"pool {pool!r} does not exist", field="pool")
        op = AllocateOp(pool, tuple(requests), actor_of(token), idempotency_key, batch=batch)
        outcome = await self.submit(op)
        if isinstance(outcome, IpamError):
            raise outcome
        assert isinstance(outcome, AllocateResult)
        return outcome

    async def release(self, token: Token, allocation_id: int) -> Allocation:
        """Release an allocation (write scope on its pool); releasing twice is a no-op."""
        self.allocation(token, allocation_id, "write")
        outcome = await self.submit(ReleaseOp(allocation_id, actor_of(token)))
        if isinstance(outcome, IpamError):
            raise outcome
        assert isinstance(outcome, Allocation)
        return outcome

    # -- spaces -------------------------------------------------------------
    # Any valid token may read spaces and their connections; the pools listed
    # in a space are only those the token may read. Changing spaces needs
    # admin on all pools: a space constrains every pool in it.

    def spaces(self, token: Token) -> list[Space]:
        """Every space with the spaces connected to it."""
        del token  # authenticated is enough
        with self.db.read() as conn:
            return list_spaces(conn)

    def space(self, token: Token, name: str) -> SpaceDetail:
        """One space, the pools in it the token may read, and overlaps kept in it."""
        with self.db.read() as conn:
            found = space_detail(conn, name)
        visible = tuple(p for p in found.pools if token.allows(p, "read"))
        overlaps = tuple(o for o in found.overlaps
                         if token.allows(o.a.pool, "read") and token.allows(o.b.pool, "read"))
        return SpaceDetail(found.space, visible, overlaps)

    def pool_space(self, token: Token, pool: str) -> Space:
        """The space of ``pool`` (read scope on the pool)."""
        self.pool(token, pool)
        with self.db.read() as conn:
            return space_of_pool(conn, pool)

    def create_space(self, token: Token, name: str, description: str = "") -> Space:
        """Create a space (admin on all pools)."""
        require(token, None, "admin")
        return create_space(self.db, name, description=description, actor=actor_of(token))

    def delete_space(self, token: Token, name: str) -> None:
        """Delete a space that holds no pools (admin on all pools)."""
        require(token, None, "admin")
        delete_space(self.db, name, actor=actor_of(token))

    def connect_spaces(self, token: Token, space: str, other: str,
                       description: str = "") -> tuple[Space, bool]:
        """Connect two spaces (admin on all pools); 409 if their pools overlap."""
        require(token, None, "admin")
        return connect_spaces(self.db, space, other, description=description,
                              actor=actor_of(token))

    def disconnect_spaces(self, token: Token, space: str, other: str) -> bool:
        """Remove a connection (admin on all pools); False if there was none."""
        require(token, None, "admin")
        return disconnect_spaces(self.db, space, other, actor=actor_of(token))

    def import_file(self, token: Token, pool: str, *, format: ImportFormat, content: str,
                    filename: str, under: Sequence[str], tags: dict[str, str]) -> ImportReport:
        """Import a lock file or inventory into ``pool`` (write scope), all or nothing."""
        found = self.pool(token, pool, "write")
        return import_allocations(self.service, found, format=format, content=content,
                                  filename=filename, actor=actor_of(token), under=under,
                                  tags=tags)


    # -- ranges -----------------------------------------------------------

    def ranges(self, token: Token, pool: str) -> list[IpRange]:
        """The pool's ranges in address order (read scope)."""
        found = self.pool(token, pool)
        with self.db.read() as conn:
            return range_store.list_ranges(conn, found)

    def ip_range(self, token: Token, range_id: int, scope: Scope = "read") -> IpRange:
        """A range, if ``token`` has ``scope`` on its pool (one it may not read is "not found")."""
        return self._pool_row(token, "range", range_id, scope, range_store.get_range)

    def create_range(self, token: Token, pool: str, spec: RangeSpec) -> IpRange:
        """Create a range in ``pool`` (write scope)."""
        self.pool(token, pool, "write")
        return range_store.create_range(self.db, pool, spec, actor=actor_of(token))

    def update_range(self, token: Token, range_id: int, changes: RangeChanges) -> IpRange:
        """Change a range's kind or description (write scope on its pool)."""
        self.ip_range(token, range_id, "write")
        return range_store.update_range(self.db, range_id, changes, actor=actor_of(token))

    def delete_range(self, token: Token, range_id: int) -> IpRange:
        """Delete a range (write scope on its pool); its space is free again."""
        self.ip_range(token, range_id, "write")
        return range_store.delete_range(self.db, range_id, actor=actor_of(token))

    # -- single addresses -------------------------------------------------

    def addresses(self, token: Token, pool: str, *, allocation_id: int | None = None,
                  address: str | None = None, states: Sequence[str] | None = None,
                  limit: int = 100, offset: int = 0) -> tuple[list[IpAddress], int]:
        """One page of the pool's addresses in address order, and the total (read scope)."""
        for value in states or []:
            if value not in ("reserved", "allocated", "released"):
                raise InvalidRequest(f"state: {value!r} is not reserved, allocated or released",
                                     field="state")
        wanted = None
        if address is not None:
            try:
                wanted = Addr.parse(address)
            except ParseError as exc:
                raise InvalidRequest(f"address: {exc}", field="address") from None
        found = self.pool(token, pool)
        with self.db.read() as conn:
            return address_store.list_addresses(conn, found, allocation_id=allocation_id,
                                                address=wanted, states=states, limit=limit,
                                                offset=offset)

    def address(self, token: Token, address_id: int, scope: Scope = "read") -> IpAddress:
        """An address row, if ``token`` has ``scope`` on its pool (else "not found")."""
        return self._pool_row(token, "address", address_id, scope, address_store.get_address)

    def available_addresses(self, token: Token, pool: str, *, allocation_id: int | None = None,
                            limit: int = 100) -> list[Addr]:
        """The addresses "next free" would hand out now, lowest first (read scope)."""
        if not 1 <= limit <= address_store.MAX_COUNT:
            raise InvalidRequest(f"limit: {limit} is outside 1-{address_store.MAX_COUNT}",
                                 field="limit")
        found = self.pool(token, pool)
        with self.db.read() as conn:
            return address_store.available_addresses(conn, found, allocation_id, limit)

    async def allocate_addresses(self, token: Token, pool: str, items: Sequence[AddressItem],
                                 idempotency_key: str | None, *,
                                 allocation_id: int | None = None) -> AddressResult:
        """Hand out one address per item from ``pool`` or one of its allocations (write
        scope), all or none; with ``idempotency_key`` a retry returns the same addresses."""
        require(token, pool, "write")
        if not is_pool_name(pool):
            raise NotFound(f"pool {pool!r} does not exist", field="pool")
        outcome = await self.submit(AddressOp(pool, tuple(items), actor_of(token), allocation_id,
                                              idempotency_key))
        if isinstance(outcome, IpamError):
            raise outcome
        assert isinstance(outcome, AddressResult)
        return outcome

    async def release_address(self, token: Token, address_id: int) -> IpAddress:
        """Release an address (write scope on its pool); releasing twice is a no-op."""
        self.address(token, address_id, "write")
        return await asyncio.to_thread(address_store.release_address, self.db, address_id,
                                       actor=actor_of(token))

    async def update_address(self, token: Token, address_id: int,
                             changes: AddressChanges) -> IpAddress:
        """Change a live address's state, description, DNS name, owner or tags."""
        self.address(token, address_id, "write")
        return await asyncio.to_thread(address_store.update_address, self.db, address_id,
                                       changes, actor=actor_of(token))


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


def _spaces_of(conn: Connection, names: set[str]) -> dict[str, str]:
    """The space of each pool named."""
    if not names:
        return {}
    query = (sa.select(pools_table.c.name, spaces_table.c.name)
             .join(spaces_table, spaces_table.c.id == pools_table.c.space_id)
             .where(pools_table.c.name.in_(sorted(names))))
    return {pool: space for pool, space in conn.execute(query)}


def _usage(conn: sa.Connection, pool: Pool) -> Utilisation:
    return utilisation(pool, store.live_blocks_by_state(conn, pool),
                       standalone_blocks(conn, pool.id, pool.version))


def actor_of(token: Token) -> str:
    """How the audit log names the holder of ``token``."""
    return f"token:{token.id}:{token.name}"
