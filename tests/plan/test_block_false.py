"""``block: false`` nodes: their children go into the parent, which must be sized to hold them.

The property over random trees: every node that is not ``block: false`` and
has IPv4 descendants gets an IPv4 block, and that block contains the block
of every IPv4 descendant; no descendant lies outside its ancestors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.core.prefix import Prefix
from cidrkit.plan.allocator import allocate_plan
from cidrkit.plan.load import load_plan_text
from cidrkit.plan.spec import block_key


@dataclass
class Tree:
    hosts: int | None = None
    grouping: bool = False  # block: false
    children: dict[str, Tree] = field(default_factory=dict)

    def body(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.grouping:
            out["block"] = False
        if self.children:
            out["children"] = {name: child.body() for name, child in self.children.items()}
        elif self.hosts is not None:
            out["hosts"] = self.hosts
        return out


def _trees(depth: int) -> st.SearchStrategy[Tree]:
    leaf = st.builds(Tree, hosts=st.integers(1, 300))
    if depth == 0:
        return leaf
    inner = st.builds(
        Tree,
        grouping=st.booleans(),
        children=st.dictionaries(st.sampled_from("abcd"), _trees(depth - 1), min_size=1,
                                 max_size=3),
    )
    return st.one_of(leaf, inner)


def plan_text(root: Tree) -> str:
    return json.dumps({
        "headroom": "0%",
        "pools": [{"name": "main", "cidr": "10.0.0.0/8"}],
        "tree": {"root": root.body()},
    })


def _walk(tree: Tree, path: str) -> list[tuple[str, Tree]]:
    found = [(path, tree)]
    for name, child in tree.children.items():
        found += _walk(child, f"{path}/{name}")
    return found


@settings(max_examples=150, deadline=None)
@given(root=_trees(3).filter(lambda t: not t.grouping))
def test_every_blocked_node_holds_all_its_ipv4_descendants(root: Tree) -> None:
    plan = load_plan_text(plan_text(root))
    blocks = allocate_plan(plan).blocks
    nodes = _walk(root, "root")
    for path, node in nodes:
        descendants = [(p, n) for p, n in nodes if p.startswith(path + "/")]
        if node.grouping:
            assert block_key(path, 4) not in blocks, path
            continue
        own = blocks.get(block_key(path, 4))
        assert own is not None, f"{path} has IPv4 descendants but no block"
        for sub_path, _ in descendants:
            inner = blocks.get(block_key(sub_path, 4))
            if inner is not None:
                assert own.contains(inner), f"{sub_path} {inner} is outside {path} {own}"


def test_vpc_with_grouping_azs_gets_a_block_holding_their_subnets() -> None:
    # The defect: every AZ 'block: false' left the VPC and its region with no
    # block at all, and the subnets went straight into the pool.
    plan = load_plan_text("""
pools: [{name: main, cidr: 10.0.0.0/8}]
headroom: 25%
tree:
  region:
    children:
      vpc:
        children:
          az-a: {block: false, children: {web: {hosts: 100}, db: {hosts: 50}}}
          az-b: {block: false, children: {web: {hosts: 100}}}
""")
    blocks = allocate_plan(plan).blocks
    vpc, region = blocks["region/vpc"], blocks["region"]
    assert region.contains(vpc)
    for leaf in ("region/vpc/az-a/web", "region/vpc/az-a/db", "region/vpc/az-b/web"):
        assert vpc.contains(blocks[leaf])
    assert "region/vpc/az-a" not in blocks
    # 128 + 64 + 128 = 320 addresses, plus 25% headroom: a /23.
    assert vpc.length == 23
    assert Prefix.parse("10.0.0.0/8").contains(region)
