"""``IPSet``: an immutable set of addresses of both families, kept as intervals.

The set is stored as sorted, disjoint, non-adjacent ``(bits, start, end)``
intervals. Every operation builds a new set; nothing is mutated.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator

from cidrkit.core.addr import Addr
from cidrkit.core.prefix import Prefix, trusted_prefix
from cidrkit.core.range import Range, iter_cover

Interval = tuple[int, int, int]  # (bits, start, end), end inclusive

# Above this many intervals, normalisation is handed to the accelerator that
# the bulk (numpy) layer registers, if it has been imported. The core itself
# never imports numpy, so small scripts start fast and stay dependency-free.
ACCELERATE_ABOVE = 20_000
_accelerator: Callable[[list[Interval]], list[Interval]] | None = None


def set_accelerator(normalise: Callable[[list[Interval]], list[Interval]] | None) -> None:
    """Register a faster ``normalise`` for large inputs (or None to remove it).

    It must return exactly what :func:`normalise` returns for the same input.
    """
    global _accelerator
    _accelerator = normalise


def normalise(intervals: list[Interval]) -> list[Interval]:
    """Sort and merge intervals so none overlap or touch.

    Overlapping or adjacent neighbours of one family become one interval::

        overlap     [-----]              adjacent   [---][---]
                        [-----]    ->                          ->  [--------]
                    [---------]
        nested      [---------]          apart      [--]   [--]  stay apart
                      [---]        ->  [---------]

    The end of IPv4 space never touches the start of IPv6 space: ``bits``
    is part of the sort key and of the adjacency test.
    """
    if _accelerator is not None and len(intervals) > ACCELERATE_ABOVE:
        return _accelerator(intervals)
    merged: list[Interval] = []
    for bits, start, end in sorted(intervals):
        if merged:
            last_bits, last_start, last_end = merged[-1]
            if last_bits == bits and start <= last_end + 1:
                if end > last_end:
                    merged[-1] = (bits, last_start, end)
                continue
        merged.append((bits, start, end))
    return merged


def _interval_of(item: Addr | Prefix | Range) -> Interval:
    try:
        return (item.bits, item.start, item.end)
    except AttributeError:
        raise TypeError(
            f"an IPSet holds Addr, Prefix, Range or IPSet values, not {item!r}"
            + (" (parse text with IPSet.parse)" if isinstance(item, str) else "")
        ) from None


class IPSet:
    """An immutable set of IPv4 and IPv6 addresses.

    Build it from any mix of addresses, prefixes, ranges and other sets:

    >>> s = IPSet([Prefix.parse("192.0.2.0/25"), Prefix.parse("192.0.2.128/25")])
    >>> list(s.prefixes())
    [Prefix('192.0.2.0/24')]
    """

    __slots__ = ("_intervals", "_starts")

    def __init__(self, items: Iterable[Member] = ()) -> None:
        raw: list[Interval] = []
        for item in items:
            if isinstance(item, IPSet):
                raw.extend(item._intervals)
            else:
                raw.append(_interval_of(item))
        self._intervals: tuple[Interval, ...] = tuple(normalise(raw))
        self._starts: list[tuple[int, int]] | None = None

    @classmethod
    def _from_normalised(cls, intervals: Iterable[Interval]) -> IPSet:
        obj = cls.__new__(cls)
        obj._intervals = tuple(intervals)
        obj._starts = None
        return obj

    @classmethod
    def from_intervals(cls, intervals: Iterable[Interval]) -> IPSet:
        """A set from raw ``(bits, start, end)`` intervals in any order."""
        return cls._from_normalised(normalise(list(intervals)))

    @classmethod
    def parse(cls, texts: Iterable[str]) -> IPSet:
        """A set from address, prefix or range texts (strict parsing)."""
        from cidrkit.core.parse import parse_item

        return cls(parse_item(text) for text in texts)

    @property
    def intervals(self) -> tuple[Interval, ...]:
        """The normalised ``(bits, start, end)`` intervals, sorted."""
        return self._intervals

    @property
    def size(self) -> int:
        """Number of addresses in the set (both families added up)."""
        return sum(end - start + 1 for _, start, end in self._intervals)

    def family(self, version: int) -> IPSet:
        """The part of this set of one family (4 or 6)."""
        bits = 32 if version == 4 else 128
        return IPSet._from_normalised(i for i in self._intervals if i[0] == bits)

    # --- iteration ------------------------------------------------------------

    def ranges(self) -> Iterator[Range]:
        """The set as maximal ranges, sorted (IPv4 first)."""
        for bits, start, end in self._intervals:
            yield Range(bits, start, end)

    def prefixes(self) -> Iterator[Prefix]:
        """The set as the minimal sorted list of prefixes."""
        for bits, start, end in self._intervals:
            size = end - start + 1
            if size & (size - 1) == 0 and start & (size - 1) == 0:
                # Already one aligned block: the common case, kept cheap.
                yield trusted_prefix(bits, start, bits + 1 - size.bit_length())
            else:
                yield from iter_cover(bits, start, end)

    def __iter__(self) -> Iterator[Prefix]:
        return self.prefixes()

    def __bool__(self) -> bool:
        return bool(self._intervals)

    # --- membership ----------------------------------------------------------

    def contains(self, item: Addr | Prefix | Range | IPSet) -> bool:
        """True when every address of ``item`` is in the set."""
        if isinstance(item, IPSet):
            return item.issubset(self)
        if self._starts is None:
            self._starts = [(bits, start) for bits, start, _ in self._intervals]
        index = bisect_right(self._starts, (item.bits, item.start)) - 1
        if index < 0:
            return False
        bits, _, end = self._intervals[index]
        return bits == item.bits and item.end <= end

    def __contains__(self, item: object) -> bool:
        if isinstance(item, (Addr, Prefix, Range, IPSet)):
            return self.contains(item)
        return False

    # --- algebra -------------------------------------------------------------

    def union(self, *others: IPSet) -> IPSet:
        raw = list(self._intervals)
        for other in others:
            raw.extend(other._intervals)
        return IPSet._from_normalised(normalise(raw))

    def intersection(self, other: IPSet) -> IPSet:
        return IPSet._from_normalised(_sweep(self._intervals, other._intervals, keep_b=True))

    def difference(self, other: IPSet) -> IPSet:
        return IPSet._from_normalised(_sweep(self._intervals, other._intervals, keep_b=False))

    def symmetric_difference(self, other: IPSet) -> IPSet:
        return self.difference(other).union(other.difference(self))

    def complement(self, within: Prefix | Range | IPSet) -> IPSet:
        """Everything in ``within`` that is not in this set."""
        parent = within if isinstance(within, IPSet) else IPSet([within])
        return parent.difference(self)

    def issubset(self, other: IPSet) -> bool:
        return not self.difference(other)

    def issuperset(self, other: IPSet) -> bool:
        return other.issubset(self)

    def isdisjoint(self, other: IPSet) -> bool:
        return not self.intersection(other)

    # Operators take only IPSets; anything else gets Python's own TypeError
    # ("unsupported operand") instead of an AttributeError from inside.
    def __or__(self, other: IPSet) -> IPSet:
        return self.union(other) if isinstance(other, IPSet) else NotImplemented

    def __and__(self, other: IPSet) -> IPSet:
        return self.intersection(other) if isinstance(other, IPSet) else NotImplemented

    def __sub__(self, other: IPSet) -> IPSet:
        return self.difference(other) if isinstance(other, IPSet) else NotImplemented

    def __xor__(self, other: IPSet) -> IPSet:
        return self.symmetric_difference(other) if isinstance(other, IPSet) else NotImplemented

    def __le__(self, other: IPSet) -> bool:
        return self.issubset(other) if isinstance(other, IPSet) else NotImplemented

    def __ge__(self, other: IPSet) -> bool:
        return self.issuperset(other) if isinstance(other, IPSet) else NotImplemented

    def __lt__(self, other: IPSet) -> bool:
        if not isinstance(other, IPSet):
            return NotImplemented
        return self != other and self.issubset(other)

    def __gt__(self, other: IPSet) -> bool:
        if not isinstance(other, IPSet):
            return NotImplemented
        return self != other and other.issubset(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IPSet) and self._intervals == other._intervals

    def __hash__(self) -> int:
        return hash(self._intervals)

    def __repr__(self) -> str:
        return f"IPSet([{', '.join(repr(str(p)) for p in self.prefixes())}])"


def _sweep(
    a: tuple[Interval, ...], b: tuple[Interval, ...], *, keep_b: bool
) -> Iterator[Interval]:
    """Walk two normalised interval lists together.

    With ``keep_b`` yield ``a ∩ b``, otherwise ``a - b``. Linear in the sum of
    both lengths; the output stays normalised because pieces of one ``a``
    interval are cut apart by ``b`` and never touch pieces of another.
    """
    j = 0
    for bits, start, end in a:
        # Skip b intervals that end before this a interval starts.
        while j < len(b) and (b[j][0], b[j][2]) < (bits, start):
            j += 1
        cursor = start
        k = j
        while k < len(b) and b[k][0] == bits and b[k][1] <= end:
            _, b_start, b_end = b[k]
            if keep_b:
                yield (bits, max(start, b_start), min(end, b_end))
            elif b_start > cursor:
                yield (bits, cursor, b_start - 1)
            cursor = max(cursor, b_end + 1)
            if b_end >= end:
                break
            k += 1
        if not keep_b and cursor <= end:
            yield (bits, cursor, end)


class IPSetBuilder:
    """Collects additions and removals, in order, and builds an immutable IPSet.

    >>> b = IPSetBuilder()
    >>> b.add(Prefix.parse("10.0.0.0/24")).remove(Prefix.parse("10.0.0.128/25")).build()
    IPSet(['10.0.0.0/25'])
    """

    __slots__ = ("_current", "_pending")

    def __init__(self) -> None:
        self._current = IPSet()
        self._pending: list[Interval] = []

    def add(self, item: Member) -> IPSetBuilder:
        if isinstance(item, IPSet):
            self._pending.extend(item.intervals)
        else:
            self._pending.append(_interval_of(item))
        return self

    def remove(self, item: Member) -> IPSetBuilder:
        removed = item if isinstance(item, IPSet) else IPSet([item])
        self._current = self.build().difference(removed)
        self._pending = []
        return self

    def build(self) -> IPSet:
        if self._pending:
            self._current = self._current.union(IPSet.from_intervals(self._pending))
            self._pending = []
        return self._current


# Anything an IPSet can be built from. Written with ``|`` after the class,
# not ``typing.Union`` before it, so importing the core does not load typing.
Member = Addr | Prefix | Range | IPSet
