"""IP ranges and single addresses of a pool, read and changed under the pool's scopes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from cidrkit.core import Addr
from cidrkit.errors import ParseError
from cidrkit.ipam import addresses as address_store
from cidrkit.ipam import ranges as range_store
from cidrkit.ipam.address_plan import AddressOp
from cidrkit.ipam.addresses import AddressChanges, AddressItem, AddressResult, IpAddress
from cidrkit.ipam.app_access import AppAccess, actor_of, require
from cidrkit.ipam.errors import InvalidRequest, IpamError, NotFound
from cidrkit.ipam.model import Scope, Token
from cidrkit.ipam.pools import is_pool_name
from cidrkit.ipam.ranges import IpRange, RangeChanges, RangeSpec


class SpanOps(AppAccess):
    """Ranges and single addresses: reads, creation, edits, release."""

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
