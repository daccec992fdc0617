"""Who may do what in the IPAM: the shared state every request-level operation starts from.

``AppAccess`` holds the database, the allocation service, the optional
group-commit writer, tokens, sessions and the login rate limit, and answers
the questions every operation asks first: who is this token, may it touch
this pool, which row does this id name. The other ``app_*`` modules add the
operations on top of it and ``app.IpamApp`` puts them together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cidrkit.ipam import store
from cidrkit.ipam.addresses import IpAddress
from cidrkit.ipam.database import Database, storage_error
from cidrkit.ipam.errors import Forbidden, IpamError, NotFound, Unauthorized
from cidrkit.ipam.limits import AttemptLimiter
from cidrkit.ipam.model import Allocation, Pool, Scope, Token
from cidrkit.ipam.pools import is_pool_name
from cidrkit.ipam.ranges import IpRange
from cidrkit.ipam.schema import pools as pools_table
from cidrkit.ipam.service import AllocationService, Operation, Outcome
from cidrkit.ipam.sessions import SessionStore
from cidrkit.ipam.tokens import TokenVerifier, parse_token_id
from cidrkit.ipam.writer import GroupCommitWriter

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


class AppAccess:
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

    # -- what it may reach --------------------------------------------------

    def pool(self, token: Token, name: str, scope: Scope = "read") -> Pool:
        """The pool ``name`` if ``token`` has ``scope`` on it."""
        require(token, name, scope)
        if not is_pool_name(name):
            raise NotFound(f"pool {name!r} does not exist", field="pool")
        with self.db.read() as conn:
            return store.get_pool(conn, name)

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


def actor_of(token: Token) -> str:
    """How the audit log names the holder of ``token``."""
    return f"token:{token.id}:{token.name}"
