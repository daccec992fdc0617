"""``why``: every allocation holding or touching an address, CIDR or range, innermost first."""

from __future__ import annotations

from collections.abc import Sequence

from cidrkit.audit.model import Allocation
from cidrkit.core import Addr, Prefix, Range


def _bounds(item: Addr | Prefix | Range) -> tuple[int, int, int]:
    if isinstance(item, Addr):
        return item.bits, item.value, item.value
    if isinstance(item, Prefix):
        return item.bits, item.start, item.end
    return item.bits, item.start, item.end


def why(
    allocations: Sequence[Allocation], target: Addr | Prefix | Range
) -> list[tuple[Allocation, str]]:
    """Allocations overlapping ``target`` with how: ``contains``, ``equal`` or ``inside``.

    Sorted innermost first (smallest block first), then by scope, so the most
    specific owner of an address leads.
    """
    bits, start, end = _bounds(target)
    found: list[tuple[Allocation, str]] = []
    for alloc in allocations:
        p = alloc.prefix
        if p.bits != bits or p.end < start or p.start > end:
            continue
        if p.start == start and p.end == end:
            relation = "equal"
        elif p.start <= start and end <= p.end:
            relation = "contains"
        else:
            relation = "inside"
        found.append((alloc, relation))
    found.sort(key=lambda pair: (-pair[0].prefix.length, pair[0].scope))
    return found
