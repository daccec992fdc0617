"""Capacity of a pool: threshold warnings and how fragmented its free space is.

A pool may set ``warn_at`` (a utilisation percentage); at or above it the
API and the page say the pool is running full. Fragmentation answers "how
big a block can I still get?": the free space as minimal aligned blocks
(what ``place`` chooses from), the largest of them, and how many there are
of each length.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from cidrkit.core import Prefix
from cidrkit.core.alloc import free_blocks
from cidrkit.ipam.model import Pool, Utilisation


def utilisation_warnings(pool: Pool, usage: Utilisation) -> list[str]:
    """Human-readable warnings about the pool's capacity (empty when all is well)."""
    warnings = []
    if pool.warn_at is not None and usage.percent >= pool.warn_at:
        warnings.append(f"pool {pool.name!r} is {usage.percent:.1f}% used, at or above its "
                        f"warning threshold of {pool.warn_at}%")
    if usage.total and usage.free == 0:
        warnings.append(f"pool {pool.name!r} has no free addresses left")
    return warnings


@dataclass(frozen=True, slots=True)
class Fragmentation:
    """Free space of a pool as minimal aligned blocks, counted by prefix length.

    ``largest`` is the biggest block still obtainable in one allocation
    (None when the pool is full); ``by_length`` maps a prefix length to how
    many free blocks have exactly that length.
    """

    pool: str
    free_addresses: int
    blocks: int
    largest: Prefix | None
    by_length: dict[int, int]

    @property
    def largest_share(self) -> float:
        """Percent of the free addresses the largest block holds (100: not fragmented)."""
        if self.largest is None or not self.free_addresses:
            return 0.0
        return 100.0 * self.largest.size / self.free_addresses


def fragmentation(pool: Pool, used: Sequence[Prefix]) -> Fragmentation:
    """How the free space of ``pool`` is split, given its live blocks ``used``."""
    blocks: list[Prefix] = []
    for parent in pool.prefixes:
        blocks.extend(free_blocks(parent, [u for u in used if parent.contains(u)]))
    largest = min(blocks, key=lambda b: (b.length, b)) if blocks else None
    counts = Counter(b.length for b in blocks)
    return Fragmentation(pool=pool.name, free_addresses=sum(b.size for b in blocks),
                         blocks=len(blocks), largest=largest,
                         by_length=dict(sorted(counts.items())))
