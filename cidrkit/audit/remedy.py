"""Remediation for blocking conflicts: which side to renumber, and where it could go.

Renumbering never moves a lone subnet: it moves the outermost block of the
side's scope that holds the conflicting prefix (the VPC CIDR, the VNet
space), with everything nested in it. The cheaper side is the one whose block
holds fewer allocations, then fewer addresses; planned (not yet deployed)
space is always cheaper than live space.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from cidrkit.audit.model import ObservedBlock, Remedy, ScopeConflict
from cidrkit.core import IPSet, Prefix
from cidrkit.core.alloc import FreeSpace

#: Placing blocks in pools costs set algebra per block; beyond this many
#: distinct blocks a report of candidates stops being read anyway.
MAX_PLACEMENTS = 200


def outermost_blocks(allocations: Sequence[ObservedBlock]) -> tuple[list[int], list[int]]:
    """For each allocation, the index of the outermost allocation of its scope containing it,
    and for each allocation the number of same-scope allocations it is the root of.

    ``allocations`` must be in audit order (sorted by prefix), which makes one
    pass with a stack per scope enough.
    """
    root = list(range(len(allocations)))
    count = [0] * len(allocations)
    stacks: dict[str, list[tuple[int, int, int]]] = {}
    for alloc in allocations:
        p = alloc.prefix
        stack = stacks.setdefault(alloc.scope, [])
        while stack and (stack[-1][0] != p.bits or stack[-1][1] < p.value):
            stack.pop()
        top = stack[0][2] if stack else alloc.index
        root[alloc.index] = top
        count[top] += 1
        stack.append((p.bits, p.value + p.size - 1, alloc.index))
    return root, count


def plan_remedies(
    conflicts: list[ScopeConflict], allocations: Sequence[ObservedBlock], pools: Sequence[Prefix]
) -> list[ScopeConflict]:
    """Attach a :class:`Remedy` to every blocking conflict."""
    if not any(c.severity == "blocking" for c in conflicts):
        return conflicts
    root, count = outermost_blocks(allocations)
    placer = Placer(IPSet(a.prefix for a in allocations), pools) if pools else None
    result: list[ScopeConflict] = []
    for conflict in conflicts:
        if conflict.severity != "blocking":
            result.append(conflict)
            continue
        options = []
        for side, alloc in (("a", conflict.a), ("b", conflict.b)):
            block = allocations[root[alloc.index]]
            cost = (not block.labels.planned, count[block.index], block.prefix.size, side)
            options.append((cost, side, block))
        (_, affected, addresses, _), side, block = min(options, key=lambda o: o[0])
        candidates = placer.place(block.prefix) if placer else ()
        remedy = Remedy(side, block.prefix, affected, addresses, candidates)
        result.append(replace(conflict, remedy=remedy))
    return result


class Placer:
    """Hands out free pool blocks, never the same one twice, never over allocated space.

    ``taken`` is every allocated address. Blocks are placed by cidrkit's one
    placement rule (best fit over all the pools), so a remedy proposes what
    the planner and the IPAM would hand out. The first ``MAX_PLACEMENTS``
    distinct blocks asked for are placed, later ones get no candidates.
    """

    def __init__(self, taken: IPSet, pools: Sequence[Prefix]) -> None:
        self.pools = list(pools)
        self.free = FreeSpace(IPSet(self.pools).difference(taken))
        self.placed: dict[Prefix, tuple[Prefix, ...]] = {}

    def place(self, block: Prefix) -> tuple[Prefix, ...]:
        """The free pool block of ``block``'s size that best fit picks, or ``()``."""
        if block in self.placed:
            return self.placed[block]
        if len(self.placed) >= MAX_PLACEMENTS:
            return ()
        pools = [pool for pool in self.pools if pool.bits == block.bits]
        spot = self.free.take(pools, block.length)
        found = () if spot is None else (spot,)
        self.placed[block] = found
        return found
