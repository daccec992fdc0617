"""Allocation primitives: free space in a parent and the next block that fits.

Used by the ``free``/``next`` commands, the planner and the IPAM service, so
every layer hands out space by exactly the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from cidrkit.core.ipset import IPSet, Member
from cidrkit.core.prefix import Prefix
from cidrkit.core.range import Range, cover_blocks
from cidrkit.core.value import TYPE_CHECKING
from cidrkit.errors import AllocationError

if TYPE_CHECKING:
    from typing import Literal

    Strategy = Literal["best_fit", "first_fit"]
else:
    Strategy = str  # keeps ``typing`` off the start-up path of the CLI

STRATEGIES: tuple[Strategy, ...] = ("best_fit", "first_fit")


def _used_set(used: Iterable[Member] | IPSet) -> IPSet:
    return used if isinstance(used, IPSet) else IPSet(used)


def free_space(parent: Prefix | Range, used: Iterable[Member] | IPSet) -> IPSet:
    """The addresses of ``parent`` not covered by ``used``."""
    return IPSet([parent]).difference(_used_set(used))


def free_blocks(parent: Prefix | Range, used: Iterable[Member] | IPSet) -> list[Prefix]:
    """The free space of ``parent`` as the minimal sorted list of prefixes."""
    return list(free_space(parent, used).prefixes())


_NO_FIT = (1 << 30, 0)


def _fit(start: int, end: int, bits: int, length: int, strategy: Strategy) -> tuple[int, int]:
    """Where ``strategy`` would put a ``/length`` in one free interval, as a sort key.

    The key is ``(rank, block_start)``; the smallest key over all intervals
    wins, and ``_NO_FIT`` means the interval cannot hold the request.
    ``first_fit`` ranks all fits alike, so the lowest address wins. ``best_fit``
    ranks by the size of the free cover block that holds the request, so the
    smallest block wins, lowest on ties; cover blocks are aligned, so a
    ``/length`` at the start of one is aligned too.
    """
    size = 1 << (bits - length)
    if end - start + 1 < size:
        return _NO_FIT
    if strategy == "first_fit":
        aligned = -(-start // size) * size
        return (0, aligned) if aligned + size - 1 <= end else _NO_FIT
    best = _NO_FIT
    for block_start, host_bits in cover_blocks(bits, start, end):
        if host_bits >= bits - length and (host_bits, block_start) < best:
            best = (host_bits, block_start)
    return best


class _FreeList:
    """Free intervals of one family, each with its best fit, shrunk block by block.

    Handing out a block changes only the interval it came from, so only that
    interval's fit is recomputed; the choice itself is a ``min`` in C.
    """

    def __init__(self, free: IPSet, bits: int, length: int, strategy: Strategy) -> None:
        self.bits, self.length, self.strategy = bits, length, strategy
        self.spans = [(start, end) for b, start, end in free.intervals if b == bits]
        self.fits = [self._fit(start, end) for start, end in self.spans]

    def _fit(self, start: int, end: int) -> tuple[int, int]:
        return _fit(start, end, self.bits, self.length, self.strategy)

    def take(self) -> int | None:
        """Remove the chosen block from the free space; return its start."""
        if not self.fits:
            return None
        rank_start = min(self.fits)
        if rank_start == _NO_FIT:
            return None
        index = self.fits.index(rank_start)
        block_start = rank_start[1]
        block_end = block_start + (1 << (self.bits - self.length)) - 1
        start, end = self.spans[index]
        pieces = [(a, b) for a, b in ((start, block_start - 1), (block_end + 1, end)) if a <= b]
        self.spans[index : index + 1] = pieces
        self.fits[index : index + 1] = [self._fit(a, b) for a, b in pieces]
        return block_start


def _check_request(parent: Prefix, length: int, strategy: str) -> None:
    if not parent.length <= length <= parent.bits:
        raise ValueError(
            f"cannot place a /{length} in {parent}: the length must be between "
            f"{parent.length} and {parent.bits}"
        )
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose best_fit or first_fit")


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
    _check_request(parent, length, strategy)
    start = _FreeList(free_space(parent, used), parent.bits, length, strategy).take()
    return None if start is None else Prefix(parent.bits, start, length)


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
    _check_request(parent, length, strategy)
    # Free space is computed once and shrunk by each block handed out.
    given = free_space(parent, used)
    free = _FreeList(given, parent.bits, length, strategy)
    result: list[Prefix] = []
    for _ in range(count):
        start = free.take()
        if start is None:
            # Nothing is handed out on failure, so report the space as given.
            raise AllocationError(
                f"{parent} has room for only {len(result)} of {count} /{length} blocks "
                f"({given.size:,} addresses free)"
            )
        result.append(Prefix(parent.bits, start, length))
    return result
