"""What else than allocations holds space in a pool: free-standing ranges and addresses.

A range or single address that lies inside no allocation belongs to the
pool itself, so prefix allocation must go around it exactly as it goes
around another allocation. These readers turn such rows into the blocks the
allocator, the free-block lists, utilisation and the map already understand
(a range becomes its minimal cover of prefixes, computed by the core; an
address its /32 or /128).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cidrkit.core import Addr, Prefix, Range
from cidrkit.core.text import family_bits
from cidrkit.ipam.errors import Conflict
from cidrkit.ipam.model import Pool
from cidrkit.ipam.schema import ip_addresses, ip_ranges

ADDRESS_KIND = "address"


def range_kind(kind: str) -> str:
    """The block kind of a free-standing range on the map and in utilisation."""
    return f"range-{kind}"


def standalone_blocks(conn: Connection, pool_id: int, version: int) -> list[tuple[Prefix, str]]:
    """Blocks of the pool's free-standing ranges and live addresses, in address order.

    Each comes with its kind: ``range-dhcp``, ``range-reserved``,
    ``range-populated`` or ``address``.
    """
    bits = family_bits(version)
    blocks: list[tuple[Prefix, str]] = []
    ranges = sa.select(ip_ranges.c.first_hex, ip_ranges.c.last_hex, ip_ranges.c.kind).where(
        ip_ranges.c.pool_id == pool_id, ip_ranges.c.allocation_id.is_(None))
    for first_hex, last_hex, kind in conn.execute(ranges):
        span = Range(bits, int(first_hex, 16), int(last_hex, 16))
        blocks.extend((p, range_kind(kind)) for p in span.to_prefixes())
    addresses = sa.select(ip_addresses.c.addr_hex).where(
        ip_addresses.c.pool_id == pool_id, ip_addresses.c.allocation_id.is_(None),
        ip_addresses.c.state != "released")
    for (addr_hex,) in conn.execute(addresses):
        blocks.append((Prefix.from_addr(Addr(bits, int(addr_hex, 16))), ADDRESS_KIND))
    blocks.sort(key=lambda item: item[0])
    return blocks


def allocation_contents(conn: Connection, allocation_id: int) -> tuple[int, int]:
    """How many ranges and live addresses lie inside the allocation."""
    ranges = conn.execute(sa.select(sa.func.count()).select_from(ip_ranges)
                          .where(ip_ranges.c.allocation_id == allocation_id)).scalar_one()
    addresses = conn.execute(sa.select(sa.func.count()).select_from(ip_addresses).where(
        ip_addresses.c.allocation_id == allocation_id,
        ip_addresses.c.state != "released")).scalar_one()
    return int(ranges), int(addresses)


def forget_ranges_and_addresses(conn: Connection, pool: Pool) -> None:
    """Before a pool is deleted: refuse while it holds live addresses, else drop its
    ranges and its released addresses (history the audit log keeps)."""
    live = conn.execute(sa.select(sa.func.count()).select_from(ip_addresses).where(
        ip_addresses.c.pool_id == pool.id, ip_addresses.c.state != "released")).scalar_one()
    if live:
        raise Conflict(f"pool {pool.name!r} still has {live} live address(es); release them "
                       "first", code="in_use", field="pool")
    conn.execute(ip_ranges.delete().where(ip_ranges.c.pool_id == pool.id))
    conn.execute(ip_addresses.delete().where(ip_addresses.c.pool_id == pool.id))
