"""Stateful property test of the allocator: add, grow, remove and re-plan under a lock.

The model is a three-level tree (region → VPC → subnet) kept as plain dicts and
rendered to YAML on every step, so the whole path (file → sizing → placement →
lock) is exercised. Invariants are checked with independent arithmetic.
"""

from __future__ import annotations

import itertools

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from cidrkit.core.prefix import Prefix
from cidrkit.plan.allocator import PlanResult, allocate_plan
from cidrkit.plan.diagnostics import PlanError
from cidrkit.plan.load import load_plan_text

POOL4 = Prefix.parse("10.0.0.0/16")
POOL6 = Prefix.parse("2001:db8::/40")
AVOID = [Prefix.parse("10.0.128.0/20"), Prefix.parse("10.0.200.0/24")]

Model = dict[str, dict[str, dict[str, int]]]


def render(model: Model) -> str:
    lines = [
        "cloud: aws",
        "headroom: 10%",
        "pools:",
        f"  - {{name: v4, cidr: {POOL4}}}",
        f'  - {{name: v6, cidr: "{POOL6}"}}',
        "avoid:",
        *(f"  - {{cidr: {a}, note: reserved}}" for a in AVOID),
        "tree:",
    ]
    for region, vpcs in model.items():
        lines += [f"  {region}:", "    ipv6: /48", "    children:"]
        for vpc, subnets in vpcs.items():
            lines += [f"      {vpc}:", "        kind: vpc", "        ipv6: /56",
                      "        children:"]
            for subnet, hosts in subnets.items():
                v6 = "false" if subnet.endswith("0") else "/64"
                lines.append(f"          {subnet}: {{hosts: {hosts}, ipv6: {v6}}}")
    return "\n".join(lines) + "\n"


def usable_aws(prefix: Prefix) -> int:
    return prefix.size - 5 if prefix.length <= 28 else 0


class PlanMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.model: Model = {"r0": {"v0": {"s0": 20}}}
        self.counter = 1
        self.lock: dict[str, Prefix] = {}
        self.previous_lock: dict[str, Prefix] = {}
        self.allocation: PlanResult | None = None
        self.replan(release=False)
        assert self.allocation is not None, "the seed plan must fit"

    # -- helpers -------------------------------------------------------------

    def replan(self, release: bool, undo: Model | None = None) -> None:
        try:
            plan = load_plan_text(render(self.model), "plan.yaml")
            allocation = allocate_plan(plan, self.lock, release=release)
        except PlanError as err:
            # Not fitting (or outgrowing a cloud limit) is a legitimate answer;
            # it must name a node, and the user's next step is to undo the change.
            assert all("node '" in p.message for p in err.problems), err
            if undo is not None:
                self.model = undo
            return
        self.previous_lock = self.lock
        self.allocation = allocation
        self.lock = allocation.lock()

    def copy(self) -> Model:
        return {r: {v: dict(s) for v, s in vpcs.items()} for r, vpcs in self.model.items()}

    def subnets(self) -> list[tuple[str, str, str]]:
        return [(r, v, s) for r, vpcs in self.model.items() for v, subs in vpcs.items()
                for s in subs]

    # -- rules ---------------------------------------------------------------

    @rule(hosts=st.integers(1, 3000), where=st.integers(0, 100))
    def add_subnet(self, hosts: int, where: int) -> None:
        before = self.copy()
        vpcs = [(r, v) for r, vpcs in self.model.items() for v in vpcs]
        region, vpc = vpcs[where % len(vpcs)]
        self.model[region][vpc][f"s{self.counter}"] = hosts
        self.counter += 1
        self.replan(False, before)

    @rule(hosts=st.integers(1, 3000), where=st.integers(0, 100), new_region=st.booleans())
    def add_vpc(self, hosts: int, where: int, new_region: bool) -> None:
        before = self.copy()
        regions = sorted(self.model)
        region = f"r{self.counter}" if new_region else regions[where % len(regions)]
        self.model.setdefault(region, {})[f"v{self.counter}"] = {f"s{self.counter}": hosts}
        self.counter += 1
        self.replan(False, before)

    @precondition(lambda self: bool(self.subnets()))
    @rule(where=st.integers(0, 1000), factor=st.integers(2, 20))
    def grow_subnet(self, where: int, factor: int) -> None:
        before = self.copy()
        region, vpc, subnet = self.subnets()[where % len(self.subnets())]
        self.model[region][vpc][subnet] = min(self.model[region][vpc][subnet] * factor, 60000)
        self.replan(False, before)

    @precondition(lambda self: len(self.subnets()) > 1)
    @rule(where=st.integers(0, 1000), whole_vpc=st.booleans())
    def remove(self, where: int, whole_vpc: bool) -> None:
        before = self.copy()
        region, vpc, subnet = self.subnets()[where % len(self.subnets())]
        last_vpc = len(self.model) == 1 and len(self.model[region]) == 1
        if (whole_vpc or len(self.model[region][vpc]) == 1) and not last_vpc:
            del self.model[region][vpc]
            if not self.model[region]:
                del self.model[region]
        elif len(self.model[region][vpc]) > 1:
            del self.model[region][vpc][subnet]
        self.replan(False, before)

    @rule(release=st.booleans())
    def replan_again(self, release: bool) -> None:
        self.replan(release)

    # -- invariants ----------------------------------------------------------

    @invariant()
    def blocks_nest_align_and_never_overlap(self) -> None:
        assert self.allocation is not None
        blocks = self.allocation.blocks
        for key, block in blocks.items():
            assert block.value % block.size == 0  # aligned
            parts = key.split("/")
            v6 = parts[-1] == "ipv6"
            path = parts[:-1] if v6 else parts
            parent = ("/".join(path[:-1]) + ("/ipv6" if v6 else "")) if len(path) > 1 else None
            container = blocks[parent] if parent else (POOL6 if v6 else POOL4)
            assert container.contains(block), (key, block, container)
            if not v6:
                assert not any(a.overlaps(block) for a in AVOID), (key, block)
        siblings: dict[tuple[str | None, int], list[Prefix]] = {}
        for key, block in blocks.items():
            parts = key.split("/")
            parent = "/".join(parts[:-2] if parts[-1] == "ipv6" else parts[:-1]) or None
            siblings.setdefault((parent, block.version), []).append(block)
        for group in siblings.values():
            group.sort()
            for left, right in itertools.pairwise(group):
                assert not left.overlaps(right), (left, right)

    @invariant()
    def capacity_holds_after_reserved_addresses(self) -> None:
        assert self.allocation is not None
        for region, vpc, subnet in self.subnets():
            block = self.allocation.blocks[f"{region}/{vpc}/{subnet}"]
            hosts = self.model[region][vpc][subnet]
            assert usable_aws(block) >= hosts, (subnet, block, hosts)

    @invariant()
    def existing_blocks_never_move(self) -> None:
        assert self.allocation is not None
        for key, old in self.previous_lock.items():
            new = self.lock.get(key)
            if key in self.allocation.released:
                assert new is None
                continue
            assert new is not None, key
            if new != old:
                # Only growth in place: same start, larger block.
                assert self.allocation.status.get(key) == "grown", (key, old, new)
                assert new.contains(old) and new.value == old.value
        for key, held in self.allocation.reserved.items():
            for live_key, live in self.allocation.blocks.items():
                if live.overlaps(held):
                    assert live.contains(held) and key.startswith(
                        live_key.removesuffix("/ipv6")), (key, live_key)

    @invariant()
    def lock_covers_every_node(self) -> None:
        assert self.allocation is not None
        for region, vpc, subnet in self.subnets():
            # A change that did not fit was undone, so the model always matches
            # the last successful plan.
            assert f"{region}/{vpc}/{subnet}" in self.allocation.blocks


TestPlanMachine = PlanMachine.TestCase
TestPlanMachine.settings = settings(max_examples=40, stateful_step_count=12, deadline=None)
