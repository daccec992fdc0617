"""Optimality: a first plan uses exactly the space the sizes add up to.

Random trees of any shape are sized by an independent bottom-up oracle
(powers of two, integer arithmetic); the planner must give every node exactly
that size and fit them all into a pool no larger than the minimum.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.core.prefix import Prefix
from cidrkit.plan.allocator import allocate_plan
from cidrkit.plan.load import load_plan_text


@dataclass
class Node:
    hosts: int = 0
    headroom: int = 0
    children: dict[str, Node] = field(default_factory=dict)


def power_of_two_at_least(n: int) -> int:
    size = 1
    while size < n:
        size *= 2
    return size


def oracle(node: Node) -> int:
    if not node.children:
        return power_of_two_at_least(node.hosts)
    total = sum(oracle(c) for c in node.children.values())
    return power_of_two_at_least(-(-total * (100 + node.headroom) // 100))


leaf = st.builds(Node, hosts=st.integers(1, 5000))


def inner(children: st.SearchStrategy[list[Node]]) -> st.SearchStrategy[Node]:
    return st.builds(
        lambda kids, headroom: Node(0, headroom, {f"n{i}": k for i, k in enumerate(kids)}),
        children, st.sampled_from([0, 0, 10, 25, 50, 100]),
    )


trees = st.recursive(leaf, lambda kids: inner(st.lists(kids, min_size=1, max_size=5)),
                     max_leaves=30)


def render(name: str, node: Node, depth: int) -> list[str]:
    pad = "  " * depth
    if not node.children:
        return [f"{pad}{name}: {{hosts: {node.hosts}}}"]
    lines = [f"{pad}{name}:", f"{pad}  headroom: {node.headroom}%", f"{pad}  children:"]
    for child_name, child in node.children.items():
        lines += render(child_name, child, depth + 2)
    return lines


@settings(max_examples=60, deadline=None)
@given(st.lists(trees, min_size=1, max_size=4))
def test_first_plan_uses_the_minimum_space(roots: list[Node]) -> None:
    needed = sum(oracle(r) for r in roots)
    pool = Prefix(32, 0x0A000000, 32 - (power_of_two_at_least(needed).bit_length() - 1))
    text = "\n".join([
        "cloud: none",
        f"pools: [{{name: p, cidr: {pool}}}]",
        "tree:",
        *[line for i, r in enumerate(roots) for line in render(f"t{i}", r, 1)],
    ]) + "\n"
    allocation = allocate_plan(load_plan_text(text, "plan.yaml"))

    def check(path: str, node: Node) -> None:
        assert allocation.blocks[path].size == oracle(node), path
        for child_name, child in node.children.items():
            check(f"{path}/{child_name}", child)

    for i, root in enumerate(roots):
        check(f"t{i}", root)
    used = sum(allocation.blocks[f"t{i}"].size for i in range(len(roots)))
    assert used == needed
    tops = sorted(allocation.blocks[f"t{i}"] for i in range(len(roots)))
    assert all(pool.contains(t) for t in tops)
    assert all(not a.overlaps(b) for a, b in itertools.pairwise(tops))
