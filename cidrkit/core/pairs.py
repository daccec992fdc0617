"""Every overlapping pair among many prefixes or ranges, output-sensitively."""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from typing import Literal, TypeVar

from cidrkit.core.prefix import Span

S = TypeVar("S", bound=Span)

Relation = Literal["equal", "a_contains_b", "b_contains_a", "partial"]


def relation(a: Span, b: Span) -> Relation | None:
    """How ``a`` and ``b`` overlap, or None when they don't."""
    if a.bits != b.bits or a.end < b.start or b.end < a.start:
        return None
    if a.start == b.start and a.end == b.end:
        return "equal"
    if a.start <= b.start and b.end <= a.end:
        return "a_contains_b"
    if b.start <= a.start and a.end <= b.end:
        return "b_contains_a"
    return "partial"


def overlapping_pairs(items: Sequence[Span]) -> Iterator[tuple[int, int]]:
    """Yield index pairs ``(i, j)`` of items that share an address.

    A sweep in address order keeps the items still open in a heap keyed by
    their end; each new item pairs with every open one. Cost is
    O(n log n + pairs), never n² when little overlaps. Within a pair, ``i``
    is the item that starts first (the wider one on equal starts).
    """
    order = sorted(range(len(items)), key=lambda i: (items[i].bits, items[i].start, -items[i].end))
    open_items: list[tuple[int, int, int]] = []  # (bits, end, index)
    for index in order:
        item = items[index]
        while open_items and (open_items[0][0], open_items[0][1]) < (item.bits, item.start):
            heapq.heappop(open_items)
        for _, _, other in sorted(open_items, key=lambda entry: entry[2]):
            yield other, index
        heapq.heappush(open_items, (item.bits, item.end, index))


def sorted_overlaps(items: Sequence[S]) -> list[tuple[S, S, Relation]]:
    """Every overlapping pair as ``(a, b, relation)``, in the order people read them.

    Items are ranked IPv4 first, then by first address, wider first, and
    equal items by their position in ``items``; within a pair ``a`` ranks
    first, and pairs are sorted by ``a``, then ``b``. So the output is fully
    determined by the input, duplicates included. A ``partial`` overlap is
    only possible between ranges.

    >>> from cidrkit.core import Prefix
    >>> sorted_overlaps([Prefix.parse("10.1.0.0/16"), Prefix.parse("10.0.0.0/8")])
    [(Prefix('10.0.0.0/8'), Prefix('10.1.0.0/16'), 'a_contains_b')]
    """
    found = []
    for i, j in overlapping_pairs(items):
        rank_i, rank_j = _rank(items[i], i), _rank(items[j], j)
        if rank_j < rank_i:
            i, j, rank_i, rank_j = j, i, rank_j, rank_i
        a, b = items[i], items[j]
        found.append((rank_i, rank_j, a, b, relation(a, b) or "partial"))
    found.sort(key=lambda pair: (pair[0], pair[1]))
    return [(a, b, rel) for _, _, a, b, rel in found]


def _rank(item: Span, index: int) -> tuple[int, int, int, int]:
    return (item.bits, item.start, -item.end, index)
