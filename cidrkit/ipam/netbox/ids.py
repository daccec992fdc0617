"""NetBox object ids for cidrkit's pools and allocations.

NetBox numbers every prefix in one sequence; cidrkit keeps pools and
allocations in two tables. The NetBox view interleaves them so that an id
names exactly one thing and survives restarts:

- allocation ``a``                    -> prefix id ``2a`` (even)
- prefix number ``i`` of pool ``p``   -> prefix id ``2(p * POOL_SLOTS + i) + 1`` (odd)

A pool's prefixes are numbered in address order and never change after the
pool is created, so ``i`` is stable. Ids stay below 2**31, the range NetBox
clients (and PostgreSQL's integer) expect.
"""

from __future__ import annotations

from dataclasses import dataclass

POOL_SLOTS = 1024  # prefixes of one pool shown in the NetBox view
MAX_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class AllocationRef:
    """A prefix id naming an allocation."""

    allocation_id: int


@dataclass(frozen=True, slots=True)
class PoolPrefixRef:
    """A prefix id naming prefix number ``index`` of pool ``pool_id``."""

    pool_id: int
    index: int


def allocation_prefix_id(allocation_id: int) -> int:
    """The NetBox prefix id of an allocation."""
    return 2 * allocation_id


def pool_prefix_id(pool_id: int, index: int) -> int | None:
    """The NetBox prefix id of a pool's prefix, or None if it has none (too many prefixes,
    or a pool id too large to number)."""
    if not 0 <= index < POOL_SLOTS:
        return None
    value = 2 * (pool_id * POOL_SLOTS + index) + 1
    return value if value <= MAX_ID else None


def parse_prefix_id(value: int) -> AllocationRef | PoolPrefixRef | None:
    """What a NetBox prefix id names, or None if it cannot name anything."""
    if not 1 <= value <= MAX_ID:
        return None
    if value % 2 == 0:
        return AllocationRef(value // 2)
    pool_id, index = divmod((value - 1) // 2, POOL_SLOTS)
    return PoolPrefixRef(pool_id, index) if pool_id >= 1 else None
