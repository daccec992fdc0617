"""The application layer: every request-level operation on the running service.

The JSON API, the NetBox view, the lean allocation route and the web page
all call ``IpamApp`` and nothing below it: authentication (with its rate
limit), scope checks, reads and the routing of writes through the
group-commit writer live here once. The HTTP layers only translate requests
and responses. ``IpamApp`` is put together from one module per concern:

* ``app_access``: shared state, who is asking, scope checks, rows by id;
* ``app_pools``: pools, their allocations, free space, audit log, pool page;
* ``app_listings``: the NetBox view's pages of prefixes, addresses, ranges;
* ``app_spaces``: spaces and their connections;
* ``app_spans``: IP ranges and single addresses;
* this module: writes of pools and allocations, imports, and ``to_request``.
"""

from __future__ import annotations

from collections.abc import Sequence

from cidrkit.core import Prefix
from cidrkit.errors import ParseError
from cidrkit.ipam.app_access import actor_of, require
from cidrkit.ipam.app_listings import ListingReads
from cidrkit.ipam.app_pools import PoolReads, usage_of
from cidrkit.ipam.app_spaces import SpaceOps
from cidrkit.ipam.app_spans import SpanOps
from cidrkit.ipam.edits import edit_allocation, edit_pool
from cidrkit.ipam.errors import InvalidRequest, IpamError, NotFound
from cidrkit.ipam.importers import ImportFormat, ImportReport, import_allocations
from cidrkit.ipam.model import Allocation, AllocationRequest, Pool, Token, Utilisation
from cidrkit.ipam.pools import PoolSpec, create_pool, delete_pool, is_pool_name
from cidrkit.ipam.service import AllocateOp, AllocateResult, ReleaseOp


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


class IpamApp(SpanOps, SpaceOps, ListingReads, PoolReads):
    """The whole application layer: access (``AppAccess``), pool reads, NetBox pages,
    spaces, ranges and addresses, and the writes of pools and allocations below."""

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
            return created, usage_of(conn, created)

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

    def import_file(self, token: Token, pool: str, *, format: ImportFormat, content: str,
                    filename: str, under: Sequence[str], tags: dict[str, str]) -> ImportReport:
        """Import a lock file or inventory into ``pool`` (write scope), all or nothing."""
        found = self.pool(token, pool, "write")
        return import_allocations(self.service, found, format=format, content=content,
                                  filename=filename, actor=actor_of(token), under=under,
                                  tags=tags)
