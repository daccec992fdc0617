"""Allocation primitives: free space in a parent and the next block that fits.

Used by the ``free``/``next`` commands, the planner and the IPAM service, so
every layer hands out space by exactly the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from cidrkit.core.ipset import IPSet, Member
from cidrkit.core.prefix import Prefix
from cidrkit.core.range import Range, iter_cover
from cidrkit.errors import AllocationError

Strategy = Literal["best_fit", "first_fit"]
STRATEGIES: tuple[Strategy, ...] = ("best_fit", "first_fit")


def _used_set(used: Iterable[Member] | IPSet) -> IPSet:
    return used if isinstance(used, IPSet) else IPSet(used)


def free_space(parent: Prefix | Range, used: Iterable[Member] | IPSet) -> IPSet:
    """The addresses of ``parent`` not covered by ``used``."""
    return IPSet([parent]).difference(_used_set(used))


def free_blocks(parent: Prefix | Range, used: Iterable[Member] | IPSet) -> list[Prefix]:
    """The free space of ``parent`` as the minimal sorted list of prefixes."""
    return list(free_space(parent, used).prefixes())


def _candidates(free: IPSet, bits: int, length: int) -> list[Prefix]:
    """Free aligned blocks no longer than ``length`` that could hold a ``/length``."""
    blocks: list[Prefix] = []
    for block_bits, start, end in free.intervals:
        if block_bits != bits or end - start + 1 < 1 << (bits - length):
            continue
        blocks.extend(p for p in iter_cover(bits, start, end) if p.length <= length)
    return blocks


def next_free(
    parent: Prefix,
    used: Iterable[Member] | IPSet,
    length: int,
    strategy: Strategy = "best_fit",
) -> Prefix | None:
    """The next free aligned ``/length`` block inside ``parent``, or None.

    ``first_fit`` takes the lowest free address that fits. ``best_fit`` takes
    the smallest free block that holds the request (lowest address on ties),
    which keeps large blocks whole for large requests later.
    """
    if not parent.length <= length <= parent.bits:
        raise ValueError(
            f"cannot place a /{length} in {parent}: the length must be between "
            f"{parent.length} and {parent.bits}"
        )
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose best_fit or first_fit")
    blocks = _candidates(free_space(parent, used), parent.bits, length)
    if not blocks:
        return None
    # Every free block from the minimal cover is aligned, so its first
    # /length is aligned too.
    if strategy == "first_fit":
        chosen = min(blocks, key=lambda p: p.value)
    else:
        chosen = min(blocks, key=lambda p: (-p.length, p.value))
    return Prefix(parent.bits, chosen.value, length)


def allocate(
    parent: Prefix,
    used: Iterable[Member] | IPSet,
    length: int,
    count: int = 1,
    strategy: Strategy = "best_fit",
) -> list[Prefix]:
    """Allocate ``count`` blocks of ``/length`` from ``parent``, one after another.

    Raises AllocationError naming how many fit when there is not room for all.
    """
    taken = given = _used_set(used)
    result: list[Prefix] = []
    for _ in range(count):
        block = next_free(parent, taken, length, strategy)
        if block is None:
            # Nothing is handed out on failure, so report the space as it was.
            free = free_space(parent, given)
            raise AllocationError(
                f"{parent} has room for only {len(result)} of {count} /{length} blocks "
                f"({free.size:,} addresses free)"
            )
        result.append(block)
        taken = taken.union(IPSet([block]))
    return result
