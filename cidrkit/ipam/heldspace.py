"""Each pool's ranges and live single addresses, remembered between address requests.

"Next free" must skip every range and held address of a pool; reading them
all again for every request costs as many rows as the pool holds. Like the
allocation service's memory of live blocks, this keeps them as one ``IPSet``
per pool tagged with the pool's ``generation``, which every write
transaction on the pool bumps under the pool's lock. A writer that finds the
generation it locked equal to the remembered one reuses the set; anything
else (another process, a range change, a release) makes it read them again.
The database's unique index and triggers stay the guarantee: a stale set
could only make an insert fail, never hand out an address twice.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from cidrkit.core import Addr, IPSet, Range
from cidrkit.ipam.holdings import addr_of
from cidrkit.ipam.model import Pool
from cidrkit.ipam.schema import ip_addresses, ip_ranges
from cidrkit.ipam.store import PoolKey, pool_key


def load_held(conn: Connection, pool: Pool) -> IPSet:
    """The pool's ranges and live addresses, read from the database."""
    held: list[Addr | Range] = []
    for first_hex, last_hex in conn.execute(sa.select(ip_ranges.c.first_hex, ip_ranges.c.last_hex)
                                            .where(ip_ranges.c.pool_id == pool.id)):
        held.append(Range.between(addr_of(pool.version, first_hex),
                                  addr_of(pool.version, last_hex)))
    for (addr_hex,) in conn.execute(sa.select(ip_addresses.c.addr_hex).where(
            ip_addresses.c.pool_id == pool.id, ip_addresses.c.state != "released")):
        held.append(addr_of(pool.version, addr_hex))
    return IPSet(held)


class HeldSpace:
    """Remembered sets of held addresses, one per pool, each tagged with a generation."""

    def __init__(self) -> None:
        # Keyed by engine too: one process may open several databases (tests do).
        self._sets: dict[tuple[int, PoolKey], tuple[int, IPSet]] = {}
        self._lock = threading.Lock()

    def of(self, conn: Connection, pool: Pool, *, locked: bool) -> IPSet:
        """The pool's held addresses as of ``pool.generation``.

        ``locked``: the caller holds the pool's write lock, so what it reads is
        exactly the state of that generation and may be remembered.
        """
        with self._lock:
            entry = self._sets.get((id(conn.engine), pool_key(pool)))
        if entry is not None and entry[0] == pool.generation:
            return entry[1]
        held = load_held(conn, pool)
        if locked:
            self.remember(conn.engine, pool, pool.generation, held)
        return held

    def remember(self, engine: Engine, pool: Pool, generation: int, held: IPSet) -> None:
        """Record ``held`` as the pool's state at ``generation`` (after a commit)."""
        with self._lock:
            self._sets[(id(engine), pool_key(pool))] = (generation, held)
