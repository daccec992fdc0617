"""Placement: free space, and the block a request for a ``/length`` gets in it.

This is the one placement rule of cidrkit. The ``free``/``next`` commands,
the planner, the IPAM service and the audit's remedies all call ``place``
(or ``FreeSpace.take``, its stateful form), so for the same free space and
request every layer hands out the same block.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence

from cidrkit.core.ipset import Interval, IPSet, Member
from cidrkit.core.prefix import Prefix
from cidrkit.core.range import Range, cover_blocks
from cidrkit.core.value import TYPE_CHECKING
from cidrkit.errors import AllocationError, ArgumentError

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


# Sort keys are (rank, bits, block_start); nothing real ranks this high.
_NO_FIT = (1 << 30, 0, 0)


def _fit(bits: int, start: int, end: int, length: int, strategy: Strategy) -> tuple[int, int, int]:
    """Where ``strategy`` would put a ``/length`` in one free interval, as a sort key.

    The smallest key over all intervals wins; ``_NO_FIT`` means the interval
    cannot hold the request. ``first_fit`` ranks all fits alike, so the lowest
    address wins. ``best_fit`` ranks by the size of the free cover block that
    holds the request, so the smallest block wins, lowest address on ties;
    cover blocks are aligned, so a ``/length`` at the start of one is aligned too.
    IPv4 sorts before IPv6 when a caller mixes families.
    """
    if not 0 <= length <= bits:
        return _NO_FIT
    size = 1 << (bits - length)
    if end - start + 1 < size:
        return _NO_FIT
    if strategy == "first_fit":
        aligned = -(-start // size) * size
        return (0, bits, aligned) if aligned + size - 1 <= end else _NO_FIT
    best = _NO_FIT
    wanted = bits - length
    for block_start, host_bits in cover_blocks(bits, start, end):
        if host_bits >= wanted and (host_bits, bits, block_start) < best:
            best = (host_bits, bits, block_start)
            if host_bits == wanted:
                break  # an exact fit: nothing later in this interval ranks lower
    return best


def _spans(
    intervals: Sequence[Interval], parents: Iterable[Prefix], length: int
) -> list[Interval]:
    """The free intervals inside each parent that could hold a ``/length``.

    Intervals are cut at parent edges: a block lies wholly inside one parent,
    never across two that touch (two adjacent pools are still two pools). A
    parent inside another adds nothing, and is dropped so its edges cut nothing.
    """
    spans: list[Interval] = []
    outer: Prefix | None = None
    for parent in sorted(parents):
        if outer is not None and outer.contains(parent):
            continue
        outer = parent
        if parent.length > length:
            continue
        bits, low, high = parent.bits, parent.start, parent.end
        # The first interval of the family that ends at or after the parent's start.
        index = bisect_left(intervals, (bits, low), key=lambda iv: (iv[0], iv[2]))
        while index < len(intervals):
            family, start, end = intervals[index]
            if family != bits or start > high:
                break
            spans.append((bits, max(start, low), min(end, high)))
            index += 1
    return spans


class _FreeList:
    """Free intervals, each with its best fit, shrunk block by block.

    Handing out a block changes only the interval it came from, so only that
    interval's fit is recomputed; the choice itself is a ``min`` in C.
    """

    def __init__(self, spans: list[Interval], length: int, strategy: Strategy) -> None:
        self.length, self.strategy = length, strategy
        self.spans = spans
        self.fits = [_fit(bits, start, end, length, strategy) for bits, start, end in spans]

    def take(self) -> Prefix | None:
        """Remove the chosen block from the free space and return it."""
        if not self.fits:
            return None
        key = min(self.fits)
        if key == _NO_FIT:
            return None
        index = self.fits.index(key)
        _, bits, block_start = key
        block_end = block_start + (1 << (bits - self.length)) - 1
        _, start, end = self.spans[index]
        pieces = [(bits, a, b) for a, b in ((start, block_start - 1), (block_end + 1, end))
                  if a <= b]
        self.spans[index : index + 1] = pieces
        self.fits[index : index + 1] = [
            _fit(bits, a, b, self.length, self.strategy) for bits, a, b in pieces
        ]
        return Prefix(bits, block_start, self.length)


def _check_strategy(strategy: str) -> None:
    if strategy not in STRATEGIES:
        raise ArgumentError(f"unknown strategy {strategy!r}; choose best_fit or first_fit")


def _choose(spans: list[Interval], length: int, strategy: Strategy) -> Prefix | None:
    key = min((_fit(bits, start, end, length, strategy) for bits, start, end in spans),
              default=_NO_FIT)
    return None if key == _NO_FIT else Prefix(key[1], key[2], length)


def place(
    free: IPSet, parents: Iterable[Prefix], length: int, strategy: Strategy = "best_fit"
) -> Prefix | None:
    """The ``/length`` block ``strategy`` picks in ``free``, inside one of ``parents``.

    ``free`` is the space that may be handed out; ``parents`` bound where a
    block may lie (the pools, or a parent's space): a block never straddles
    two parents, and parents shorter than ``/length`` are skipped. ``best_fit``
    takes the smallest free aligned block that holds the request, over all
    parents, lowest address on ties, which keeps large blocks whole for large
    requests later; ``first_fit`` takes the lowest free aligned address. The
    order of ``parents`` never matters. None when nothing fits.

    >>> pools = [Prefix.parse("10.0.0.0/24"), Prefix.parse("10.1.0.0/28")]
    >>> place(IPSet(pools), pools, 28)
    Prefix('10.1.0.0/28')
    >>> place(IPSet(pools), pools, 28, "first_fit")
    Prefix('10.0.0.0/28')
    """
    _check_strategy(strategy)
    return _choose(_spans(free.intervals, parents, length), length, strategy)


class FreeSpace:
    """Free space that shrinks as blocks are taken: placement for a run of requests.

    Each ``take`` places one request exactly as ``place`` does and removes the
    block, so later requests of the same run never get it again. The free
    intervals are kept as a sorted list: taking a block splits the one
    interval it came from instead of rebuilding a set.
    """

    __slots__ = ("_intervals",)

    def __init__(self, free: IPSet) -> None:
        self._intervals: list[Interval] = list(free.intervals)

    @property
    def free(self) -> IPSet:
        """The space not taken yet."""
        return IPSet.from_intervals(self._intervals)

    def take(
        self, parents: Iterable[Prefix], length: int, strategy: Strategy = "best_fit"
    ) -> Prefix | None:
        """Place a ``/length`` inside one of ``parents``, remove it from the free space."""
        _check_strategy(strategy)
        block = _choose(_spans(self._intervals, parents, length), length, strategy)
        if block is not None:
            # The block lies inside one free interval: the first that ends at or after it.
            index = bisect_left(self._intervals, (block.bits, block.start),
                                key=lambda iv: (iv[0], iv[2]))
            bits, start, end = self._intervals[index]
            self._intervals[index : index + 1] = [
                (bits, a, b) for a, b in ((start, block.start - 1), (block.end + 1, end)) if a <= b
            ]
        return block


def _check_request(parent: Prefix, length: int, strategy: str) -> None:
    if not parent.length <= length <= parent.bits:
        raise ArgumentError(
            f"cannot place a /{length} in {parent}: the length must be between "
            f"{parent.length} and {parent.bits}"
        )
    _check_strategy(strategy)


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
    return place(free_space(parent, used), [parent], length, strategy)


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
    free = _FreeList(_spans(given.intervals, [parent], length), length, strategy)
    result: list[Prefix] = []
    for _ in range(count):
        block = free.take()
        if block is None:
            # Nothing is handed out on failure, so report the space as given.
            raise AllocationError(
                f"{parent} has room for only {len(result)} of {count} /{length} blocks "
                f"({given.size:,} addresses free)"
            )
        result.append(block)
    return result


class Division:
    """``prefix`` cut into ``count`` equal ``/length`` blocks, and the space after them."""

    __slots__ = ("count", "length", "prefix")

    def __init__(self, prefix: Prefix, count: int, length: int) -> None:
        self.prefix, self.count, self.length = prefix, count, length

    def blocks(self) -> Iterator[Prefix]:
        """The ``count`` blocks, lowest first (lazily: there may be millions)."""
        return (self.prefix.subnet(index, self.length) for index in range(self.count))

    def leftover(self) -> list[Prefix]:
        """The minimal prefixes of the space after the last block, lowest first."""
        prefix = self.prefix
        used_end = prefix.start + (self.count << (prefix.bits - self.length)) - 1
        if used_end >= prefix.end:
            return []
        return list(IPSet([Range(prefix.bits, used_end + 1, prefix.end)]).prefixes())


def divide(prefix: Prefix, count: int) -> Division:
    """Divide ``prefix`` into ``count`` equal blocks of the largest size that fits.

    Raises AllocationError when ``count`` is below 1 or above the number of
    addresses.

    >>> division = divide(Prefix.parse("192.0.2.0/24"), 3)
    >>> list(division.blocks()), division.leftover()
    ([Prefix('192.0.2.0/26'), Prefix('192.0.2.64/26'), Prefix('192.0.2.128/26')], \
[Prefix('192.0.2.192/26')])
    """
    if count < 1:
        raise ArgumentError(f"cannot divide {prefix} into {count} blocks: N must be at least 1")
    length = prefix.length + (count - 1).bit_length()
    if length > prefix.bits:
        raise AllocationError(
            f"cannot divide {prefix} into {count:,} blocks: it has only {prefix.size:,} addresses"
        )
    return Division(prefix, count, length)
