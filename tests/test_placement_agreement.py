"""The planner, the IPAM and the audit remedy place a block in the same spot.

All three call ``cidrkit.core.alloc.place``; this test holds them to it from
the outside, through each caller's own entry point, for the same pools, the
same space in use and the same requested length.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cidrkit.audit.remedy import Placer
from cidrkit.core import IPSet, Prefix
from cidrkit.core.alloc import place
from cidrkit.ipam.allocator import PoolSpace
from cidrkit.ipam.errors import Conflict, InvalidRequest
from cidrkit.ipam.model import AllocationRequest, Pool, PoolRules
from cidrkit.plan import PlanFitError, allocate_plan, load_plan_text

P = Prefix.parse
Caller = Callable[[list[Prefix], list[Prefix], int], "Prefix | None"]


def by_planner(pools: list[Prefix], used: list[Prefix], length: int) -> Prefix | None:
    names = ", ".join(f"{{name: p{i}, cidr: {p}}}" for i, p in enumerate(pools))
    avoid = ", ".join(str(u) for u in used)
    plan = load_plan_text(textwrap.dedent(f"""\
        pools: [{names}]
        avoid: [{avoid}]
        tree:
          block: {{prefix: /{length}, kind: range}}
        """))
    try:
        return allocate_plan(plan).blocks["block"]
    except PlanFitError:
        return None


def by_ipam(pools: list[Prefix], used: list[Prefix], length: int) -> Prefix | None:
    pool = Pool(1, "p", pools[0].version, tuple(pools), PoolRules())
    space = PoolSpace(pool, [u for u in used if any(p.contains(u) for p in pools)])
    try:
        return space.place(AllocationRequest(length=length))
    except Conflict as exc:
        assert exc.code == "exhausted", exc
        return None
    except InvalidRequest:
        # The pool's rules refuse a block larger than any of its prefixes.
        assert all(p.length > length for p in pools)
        return None


def by_remedy(pools: list[Prefix], used: list[Prefix], length: int) -> Prefix | None:
    # The block to renumber sits elsewhere; only its size matters to placement.
    moving = Prefix(32, P("192.168.0.0/16").value, length)
    found = Placer(IPSet(used), pools).place(moving)
    return found[0] if found else None


CALLERS: list[Caller] = [by_planner, by_ipam, by_remedy]


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: c.__name__)
def test_the_case_that_once_split_them(caller: Caller) -> None:
    # The remedy used to take the first pool with room (10.0.0.0/28); best fit
    # takes the /28 pool, which is an exact fit and keeps the /24 whole.
    pools = [P("10.0.0.0/24"), P("10.1.0.0/28")]
    assert caller(pools, [], 28) == P("10.1.0.0/28")


# Disjoint pools of /26 to /28 in distinct /26 slots of 10.0.0.0/22, some space in use.
@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Prefix], list[Prefix], int]:
    slots = draw(st.lists(st.integers(0, 15), min_size=1, max_size=4, unique=True))
    pools: list[Prefix] = []
    for slot in slots:
        length = draw(st.integers(26, 28))  # a /26 slot holds one pool of /26 to /28
        pools.append(Prefix(32, P("10.0.0.0/22").value + slot * 64, length))
    used: list[Prefix] = []
    for pool in pools:
        for _ in range(draw(st.integers(0, 3))):
            length = draw(st.integers(pool.length, 30))
            index = draw(st.integers(0, (1 << (length - pool.length)) - 1))
            block = pool.subnet(index, length)
            if not any(block.overlaps(u) for u in used):
                used.append(block)
    return pools, used, draw(st.integers(26, 30))


@given(scenarios())
def test_planner_ipam_and_remedy_choose_the_same_block(
    scenario: tuple[list[Prefix], list[Prefix], int],
) -> None:
    pools, used, length = scenario
    expected = place(IPSet(pools).difference(IPSet(used)), pools, length)
    assert [caller(pools, used, length) for caller in CALLERS] == [expected] * 3


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: c.__name__)
def test_ties_go_to_the_lowest_address_whatever_order_pools_are_declared(
    caller: Caller,
) -> None:
    # The IPAM used to break best-fit ties by declaration order.
    pools = [P("10.9.0.0/28"), P("10.0.0.0/28")]
    assert caller(pools, [], 28) == P("10.0.0.0/28")


def test_ipam_first_fit_takes_the_lowest_address_of_all_pool_prefixes() -> None:
    pool = Pool(1, "p", 4, (P("10.9.0.0/24"), P("10.0.0.0/24")), PoolRules())
    space = PoolSpace(pool, [P("10.0.0.0/26")])
    assert space.place(AllocationRequest(length=26, strategy="first_fit")) == P("10.0.0.64/26")
