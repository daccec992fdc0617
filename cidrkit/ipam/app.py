"""The running service's shared state, and the request-level operations on it.

Both the JSON API and the web page call these methods, so scope checks and
the routing of writes through the group-commit writer live in one place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from cidrkit.core import Prefix
from cidrkit.errors import ParseError
from cidrkit.ipam import store
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import Forbidden, InvalidRequest, IpamError
from cidrkit.ipam.model import Allocation, AllocationRequest, Pool, Scope, Token, Utilisation
from cidrkit.ipam.reports import utilisation
from cidrkit.ipam.schema import pools as pools_table
from cidrkit.ipam.service import (
    AllocateOp,
    AllocateResult,
    AllocationService,
    Operation,
    Outcome,
    ReleaseOp,
)
from cidrkit.ipam.tokens import TokenVerifier
from cidrkit.ipam.writer import GroupCommitWriter


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


class IpamApp:
    """Database, allocation service, optional group-commit writer and token verifier."""

    def __init__(self, db: Database, *, batching: bool = True, max_batch: int = 64) -> None:
        self.db = db
        self.service = AllocationService(db)
        self.writer = GroupCommitWriter(self.service, max_batch=max_batch) if batching else None
        self.verifier = TokenVerifier(db)

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
        if self.writer is not None:
            return await asyncio.wrap_future(self.writer.submit(op))
        return (await asyncio.to_thread(self.service.execute, [op]))[0]

    # -- reads ------------------------------------------------------------

    def visible_pools(self, token: Token) -> list[tuple[Pool, Utilisation]]:
        """Pools the token may read, each with its utilisation."""
        with self.db.read() as conn:
            where = None if token.pool is None else pools_table.c.name == token.pool
            found = store.load_pools(conn, where)
            return [(p, utilisation(p, store.live_blocks_by_state(conn, p))) for p in found]

    def pool(self, token: Token, name: str, scope: Scope = "read") -> Pool:
        """The pool ``name`` if ``token`` has ``scope`` on it."""
        require(token, name, scope)
        with self.db.read() as conn:
            return store.get_pool(conn, name)

    def allocation(self, token: Token, allocation_id: int, scope: Scope = "read") -> Allocation:
        """An allocation, if ``token`` has ``scope`` on its pool."""
        with self.db.read() as conn:
            found = store.get_allocation(conn, allocation_id)
        require(token, found.pool, scope)
        return found

    # -- writes -----------------------------------------------------------

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


def actor_of(token: Token) -> str:
    """How the audit log names the holder of ``token``."""
    return f"token:{token.id}:{token.name}"
