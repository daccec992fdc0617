"""The write transaction of range changes and address edits: pool locked, refusals translated.

Taking addresses goes through the group-commit writer (``address_plan``);
creating, changing and deleting ranges, and releasing or editing an address,
are written outside it, each change in a transaction of its own that first
locks its pool with the same
statement allocation batches use (``store.claim_pools``: a row lock on
PostgreSQL, the database's write lock on SQLite), and bumps the pool's
generation so the allocator never reuses a picture of the pool taken before.
Whatever the database still refuses (a trigger, the unique index, the
exclusion constraint) becomes a 409, a full or read-only database a 507/503.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cidrkit.core import Addr
from cidrkit.core.text import family_bits
from cidrkit.ipam.database import Database, storage_error
from cidrkit.ipam.errors import Conflict, NotFound
from cidrkit.ipam.model import Pool
from cidrkit.ipam.store import PoolKey, PoolShape, claim_pools, importing_pools

# Pools' prefixes and parents, fixed for each pool's life and keyed by id and
# creation time (``store.PoolKey``), so sharing them across requests is safe.
_SHAPES: dict[PoolKey, PoolShape] = {}


@contextmanager
def pool_transaction(db: Database, pool_name: str) -> Iterator[tuple[Connection, Pool]]:
    """A write transaction holding ``pool_name``'s lock; ``NotFound`` without such a pool.

    A pool being imported into is refused (409 ``importing``), as for allocations.
    """
    try:
        with db.write() as conn:
            locked = claim_pools(conn, [pool_name], dialect=db.dialect, shapes=_SHAPES)
            if not locked:
                raise NotFound(f"pool {pool_name!r} does not exist", field="pool")
            pool = locked[0]
            if importing_pools(conn, [pool.id]):
                raise Conflict(f"pool {pool_name!r} is importing; retry when the import has "
                               "finished", code="importing", field="pool")
            yield conn, pool
    except sa.exc.IntegrityError as exc:
        raise Conflict(f"the database refused the change as conflicting with what it holds "
                       f"({_first_line(exc)})", code="overlap") from None
    except sa.exc.DBAPIError as exc:
        raise storage_error(exc) from None


def _first_line(exc: sa.exc.DBAPIError) -> str:
    lines = str(exc.orig).strip().splitlines()
    return lines[0] if lines else type(exc.orig).__name__


def addr_of(version: int, value_hex: str) -> Addr:
    """The address stored as fixed-width hex in a pool of IP ``version``."""
    return Addr(family_bits(version), int(value_hex, 16))
