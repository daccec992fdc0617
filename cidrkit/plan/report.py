"""Rows of a finished plan: each block with its demand, usable count and use.

Shared by every renderer so the table, CSV, JSON and pictures agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from cidrkit.core.prefix import Prefix
from cidrkit.plan.allocator import PlanResult, frontier
from cidrkit.plan.profiles import PROFILES
from cidrkit.plan.sizing import usable_count
from cidrkit.plan.spec import Plan, PlanNode, block_key


@dataclass(frozen=True, slots=True)
class Row:
    """One node of the plan as shown to people.

    ``demand`` is the leaf's need after growth, or for an inner node the
    addresses its children's blocks take; ``usable`` what the block offers
    (after the cloud's reserved addresses, for subnets); ``utilisation`` is
    ``demand / usable`` (``None`` when the node states no demand).
    """

    node: PlanNode
    depth: int
    ipv4: Prefix | None
    ipv6: Prefix | None
    demand: int | None
    usable: int | None
    status: str

    @property
    def utilisation(self) -> Fraction | None:
        if self.demand is None or not self.usable:
            return None
        return Fraction(self.demand, self.usable)


def rows(plan: Plan, allocation: PlanResult) -> Iterator[Row]:
    """Every node, depth first in plan order, with its blocks and figures."""
    for root in plan.roots:
        yield from _rows(root, 0, allocation)


def _rows(node: PlanNode, depth: int, allocation: PlanResult) -> Iterator[Row]:
    v4 = allocation.blocks.get(block_key(node.path, 4))
    v6 = allocation.blocks.get(block_key(node.path, 6))
    demand: int | None = None
    usable: int | None = None
    if v4 is not None:
        kids = frontier(node.children, 4)
        if kids:
            demand = sum(
                allocation.blocks[block_key(k.path, 4)].size
                for k in kids
                if block_key(k.path, 4) in allocation.blocks
            )
            usable = v4.size
        else:
            demand = node.need
            usable = usable_count(PROFILES[node.cloud], 32, v4.length)
    statuses = {allocation.status.get(block_key(node.path, v)) for v in (4, 6)} - {None}
    status = _combine(statuses)
    yield Row(node, depth, v4, v6, demand, usable, status)
    for child in node.children:
        yield from _rows(child, depth + 1, allocation)


def _combine(statuses: set[str | None]) -> str:
    for status in ("moved", "grown", "new", "pinned", "kept"):
        if status in statuses:
            return status
    return ""


def percent(value: Fraction | None) -> str:
    """``37.5%`` with one decimal, or ``-``."""
    if value is None:
        return "-"
    return f"{float(value) * 100:.1f}%"
