"""Read-only views of a pool: free blocks (paginated) and utilisation.

Sizes are computed arithmetically, so asking about ``::/0`` costs the same as
asking about a /24; only the requested page is ever materialised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cidrkit.core import IPSet, Prefix
from cidrkit.core.alloc import free_blocks
from cidrkit.core.text import family_bits
from cidrkit.ipam.errors import InvalidRequest
from cidrkit.ipam.model import Pool, Utilisation
from cidrkit.ipam.occupancy import ADDRESS_KIND

MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class FreePage:
    """One page of free blocks; ``total`` counts all of them (may be astronomically large)."""

    pool: str
    length: int | None
    total: int
    offset: int
    blocks: tuple[Prefix, ...]


def free_page(
    pool: Pool, used: list[Prefix], *, length: int | None, offset: int, limit: int
) -> FreePage:
    """Free space of ``pool`` as minimal blocks, or split into ``/length`` blocks.

    With ``length``, free blocks shorter than it are split and blocks longer
    than it (too small to hold one) are left out. ``limit`` is capped at
    ``MAX_PAGE``; ``offset`` may be any size (it is arithmetic, not a scan).
    """
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRequest(f"limit: {limit} is outside 1-{MAX_PAGE}", field="limit")
    if offset < 0:
        raise InvalidRequest(f"offset: {offset} is negative", field="offset")
    blocks: list[Prefix] = []
    for parent in pool.prefixes:
        blocks.extend(free_blocks(parent, [u for u in used if parent.contains(u)]))
    if length is None:
        window = tuple(blocks[offset : offset + limit])
        return FreePage(pool.name, None, len(blocks), offset, window)
    width = family_bits(pool.version)
    if not 0 <= length <= width:
        raise InvalidRequest(
            f"length: /{length} is not a prefix length of IPv{pool.version}", field="length"
        )
    fitting = [b for b in blocks if b.length <= length]
    counts = [b.subnet_count(length) for b in fitting]
    total = sum(counts)
    page: list[Prefix] = []
    skip = offset
    for block, count in zip(fitting, counts, strict=True):
        if skip >= count:
            skip -= count
            continue
        take = min(count - skip, limit - len(page))
        page.extend(block.subnet(skip + i, length) for i in range(take))
        skip = 0
        if len(page) == limit:
            break
    return FreePage(pool.name, length, total, offset, tuple(page))


def _count_64s(prefixes: list[Prefix]) -> int:
    """How many /64s the prefixes touch (a /120 still spoils its whole /64)."""
    widened = [p if p.length <= 64 else p.supernet(64) for p in prefixes]
    return IPSet(widened).size >> 64


def utilisation(pool: Pool, live: list[tuple[Prefix, str]],
                standalone: Sequence[tuple[Prefix, str]] = ()) -> Utilisation:
    """Counts of a pool's addresses by state; /64 counts as well for IPv6.

    ``standalone`` are the blocks of free-standing ranges and addresses
    (``occupancy.standalone_blocks``): used space, though not allocations.
    """
    total = sum(p.size for p in pool.prefixes)
    allocated = sum(p.size for p, state in live if state == "allocated")
    reserved = sum(p.size for p, state in live if state == "reserved")
    addresses = sum(p.size for p, kind in standalone if kind == ADDRESS_KIND)
    ranged = sum(p.size for p, _ in standalone) - addresses
    used = [p for p, _ in live] + [p for p, _ in standalone]
    return Utilisation(
        pool=pool.name,
        version=pool.version,
        total=total,
        allocated=allocated,
        reserved=reserved,
        free=total - allocated - reserved - ranged - addresses,
        allocations=len(live),
        total_64s=_count_64s(list(pool.prefixes)) if pool.version == 6 else None,
        used_64s=_count_64s(used) if pool.version == 6 else None,
        ranged=ranged,
        addresses=addresses,
    )
