"""Every overlapping pair of allocations in different scopes, in time linear in the answer.

Prefixes form a laminar family: two prefixes are either disjoint or one
contains the other. Sorted by (family, first address, shorter first), the
prefixes containing the current one are exactly those still open on a stack:

    10.0.0.0/8  ───────────────────────────────────   open
      10.1.0.0/16  ─────────────                      open
        10.1.2.0/24  ───                              <- current: both above contain it
      10.2.0.0/16                 ────────            pops 10.1.0.0/16 first

The stack never holds more distinct prefixes than the family has lengths (33
or 129), so the sweep costs O(n log n) for the sort plus one step per stack
entry and per pair reported: it grows with records and conflicts found, not
with their product.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from cidrkit.audit.model import ObservedBlock

#: (index of a, index of b, relation); a's prefix never sorts after b's.
Pair = tuple[int, int, str]


def overlapping_pairs(allocations: Sequence[ObservedBlock]) -> Iterator[Pair]:
    """Yield (i, j, relation) for every overlap between different scopes.

    ``relation`` is ``equal`` or ``a_contains_b`` (``i`` is the container);
    allocations in the same scope are never paired (that is nesting).
    """
    groups: dict[tuple[int, int, int], list[int]] = {}
    for alloc in allocations:
        p = alloc.prefix
        groups.setdefault((p.bits, p.value, p.length), []).append(alloc.index)
    keys = sorted(groups)
    scopes = [a.scope for a in allocations]
    # Each stack entry: (bits, last address, members of that prefix).
    stack: list[tuple[int, int, list[int]]] = []
    for key in keys:
        bits, start, length = key
        members = groups[key]
        while stack and (stack[-1][0] != bits or stack[-1][1] < start):
            stack.pop()
        for _, _, outer in stack:
            for i in outer:
                scope_i = scopes[i]
                for j in members:
                    if scopes[j] != scope_i:
                        yield i, j, "a_contains_b"
        if len(members) > 1:
            for n, i in enumerate(members):
                for j in members[n + 1 :]:
                    if scopes[i] != scopes[j]:
                        yield i, j, "equal"
        stack.append((bits, start + (1 << (bits - length)) - 1, members))
