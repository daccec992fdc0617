"""Every overlapping pair among many prefixes or ranges, output-sensitively."""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from typing import Literal

from cidrkit.core.prefix import Span

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
