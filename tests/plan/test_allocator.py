"""Placement: largest first and aligned, stable under a lock, exact error messages."""

from __future__ import annotations

import textwrap

import pytest

from cidrkit.core.prefix import Prefix
from cidrkit.plan.allocator import PlanResult, allocate_plan
from cidrkit.plan.diagnostics import PlanFitError
from cidrkit.plan.load import load_plan_text
from cidrkit.plan.spec import Plan


def load(body: str) -> Plan:
    return load_plan_text(textwrap.dedent(body), "plan.yaml")


def blocks(allocation: PlanResult) -> dict[str, str]:
    return {k: str(v) for k, v in allocation.blocks.items()}


def lock_of(entries: dict[str, str]) -> dict[str, Prefix]:
    return {k: Prefix.parse(v) for k, v in entries.items()}


BASE = """\
pools: [{name: lab, cidr: 10.0.0.0/16}]
tree:
  net:
    children:
      small: {prefix: /26}
      big: {prefix: /24}
      mid: {prefix: /25}
      mid2: {prefix: /25}
"""


def test_first_plan_places_largest_first_with_ties_by_name() -> None:
    assert blocks(allocate_plan(load(BASE))) == {
        "net": "10.0.0.0/22",         # 256 + 128 + 128 + 64 = 576 → /22
        "net/big": "10.0.0.0/24",
        "net/mid": "10.0.1.0/25",
        "net/mid2": "10.0.1.128/25",
        "net/small": "10.0.2.0/26",
    }


def test_adding_a_node_moves_nothing_and_fills_the_best_fit_hole() -> None:
    first = allocate_plan(load(BASE))
    grown = BASE + "      extra: {prefix: /27}\n      wide: {prefix: /24}\n"
    second = allocate_plan(load(grown), first.lock())
    assert {k: second.blocks[k] for k in first.blocks} == first.blocks
    # The /27 takes the smallest hole that holds it, right after 'small'.
    assert str(second.blocks["net/extra"]) == "10.0.2.64/27"
    assert str(second.blocks["net/wide"]) == "10.0.3.0/24"
    assert second.status["net/extra"] == "new" and second.status["net/big"] == "kept"


def test_grown_node_grows_in_place_when_the_block_around_it_is_free() -> None:
    first = allocate_plan(load(BASE))
    bigger = BASE.replace("small: {prefix: /26}", "small: {prefix: /25}")
    second = allocate_plan(load(bigger), first.lock())
    assert str(second.blocks["net/small"]) == "10.0.2.0/25"
    assert second.status["net/small"] == "grown"
    assert str(second.previous["net/small"]) == "10.0.2.0/26"


def test_grown_node_that_cannot_grow_in_place_is_an_error_with_a_proposal() -> None:
    first = allocate_plan(load(BASE))
    bigger = BASE.replace("mid: {prefix: /25}", "mid: {prefix: /24}")
    with pytest.raises(PlanFitError) as caught:
        allocate_plan(load(bigger), first.lock())
    assert [p.render() for p in caught.value.problems] == [
        "plan.yaml:7:7: error: node 'net/mid' now needs a /24 but is locked to 10.0.1.0/25, "
        "and the /24 around it (10.0.1.0/24) is not free; the best free spot is 10.0.3.0/24\n"
        "  hint: to move it (renumbering its hosts) run with --move net/mid"
    ]
    # Programs read which block failed from the key, not from the message.
    assert [p.key for p in caught.value.problems] == ["net/mid"]
    moved = allocate_plan(load(bigger), first.lock(), move=["net/mid"])
    assert str(moved.blocks["net/mid"]) == "10.0.3.0/24"
    assert moved.blocks["net/mid2"] == first.blocks["net/mid2"]


def test_removed_nodes_stay_reserved_until_released() -> None:
    first = allocate_plan(load(BASE))
    fewer = BASE.replace("      big: {prefix: /24}\n", "")
    kept = allocate_plan(load(fewer), first.lock())
    assert kept.reserved == {"net/big": Prefix.parse("10.0.0.0/24")}
    assert kept.lock()["net/big"] == Prefix.parse("10.0.0.0/24")
    refill = fewer + "      other: {prefix: /24}\n"
    placed = allocate_plan(load(refill), first.lock())
    assert str(placed.blocks["net/other"]) == "10.0.3.0/24"   # not on top of 'big'
    released = allocate_plan(load(refill), first.lock(), release=True)
    assert released.released == {"net/big": Prefix.parse("10.0.0.0/24")}
    assert str(released.blocks["net/other"]) == "10.0.0.0/24"


def test_avoided_space_and_pins_are_respected() -> None:
    plan = load("""\
        pools: [{name: lab, cidr: 10.0.0.0/16}]
        avoid:
          - {cidr: 10.0.0.0/24, note: old lab}
        tree:
          a: {prefix: /24}
          b: {prefix: 10.0.5.0/24}
          c: {prefix: /23}
        """)
    assert blocks(allocate_plan(plan)) == {
        "b": "10.0.5.0/24", "c": "10.0.2.0/23", "a": "10.0.1.0/24",
    }


def test_pin_on_avoided_space_names_the_avoid_entry() -> None:
    plan = load("""\
        pools: [{name: lab, cidr: 10.0.0.0/16}]
        avoid:
          - {cidr: 10.0.0.0/24, note: old lab}
        tree:
          a: {prefix: 10.0.0.0/25}
        """)
    with pytest.raises(PlanFitError) as caught:
        allocate_plan(plan)
    assert [p.render() for p in caught.value.problems] == [
        "plan.yaml:5:3: error: node 'a': 10.0.0.0/25 overlaps avoided 10.0.0.0/24 "
        "(old lab, plan.yaml:3:5)"
    ]


FULL = """\
pools: [{name: lab, cidr: 10.0.0.0/16}]
tree:
  net:
    prefix: 10.0.0.0/22
    children:
      p: {prefix: /24}
      q: {prefix: /24}
      r: {prefix: /24}
      s: {prefix: /24}
"""


def test_not_fitting_names_node_size_largest_free_block_and_remedy() -> None:
    first = allocate_plan(load(FULL))
    swapped = FULL.replace("      q: {prefix: /24}\n", "").replace(
        "      s: {prefix: /24}\n", "      t: {prefix: /23}\n")
    with pytest.raises(PlanFitError) as caught:
        allocate_plan(load(swapped), first.lock())
    assert [p.render() for p in caught.value.problems] == [
        "plan.yaml:8:7: error: node 'net/t' needs a /23 (512 addresses) but nothing is free "
        "in 'net'\n"
        "  hint: 512 more free addresses are needed: enlarge 'net' or lower the demand; "
        "512 addresses are held by removed nodes (--release frees them)"
    ]
    with pytest.raises(PlanFitError) as caught:
        allocate_plan(load(swapped), first.lock(), release=True)
    # q (10.0.1.0/24) and s (10.0.3.0/24) are free again, but not side by side.
    assert [p.render() for p in caught.value.problems] == [
        "plan.yaml:8:7: error: node 'net/t' needs a /23 (512 addresses) but the largest free "
        "block in 'net' is 10.0.1.0/24 (256 addresses)\n"
        "  hint: 512 addresses are free but fragmented; move or shrink a sibling, or release "
        "removed blocks with --release"
    ]


def test_nodes_go_to_their_pool_and_never_straddle_two() -> None:
    plan = load("""\
        pools:
          - {name: eu, cidrs: [10.0.0.0/17, 10.0.128.0/17]}
          - {name: us, cidr: 10.1.0.0/16}
        tree:
          eu-net: {prefix: /17, pool: eu}
          us-net: {prefix: /17, pool: us}
          eu-two: {prefix: /17, pool: eu}
          any: {prefix: /16}
        """)
    with pytest.raises(PlanFitError) as caught:
        allocate_plan(plan)
    assert caught.value.problems[0].message == (
        "node 'any' needs a /16 (65,536 addresses) but the largest free block in the pools is "
        "10.1.128.0/17 (32,768 addresses)"
    )
    fits = allocate_plan(load(textwrap.dedent("""\
        pools:
          - {name: eu, cidrs: [10.0.0.0/17, 10.0.128.0/17]}
          - {name: us, cidr: 10.1.0.0/16}
        tree:
          eu-net: {prefix: /17, pool: eu}
          us-net: {prefix: /17, pool: us}
          eu-two: {prefix: /17, pool: eu}
        """)))
    assert blocks(fits) == {"eu-net": "10.0.0.0/17", "eu-two": "10.0.128.0/17",
                            "us-net": "10.1.0.0/17"}
    assert fits.pools == {"eu-net": "eu", "eu-two": "eu", "us-net": "us"}


def test_lock_entry_now_on_avoided_space_is_an_error() -> None:
    first = allocate_plan(load(BASE))
    avoided = BASE.replace("tree:", "avoid: [{cidr: 10.0.2.0/26, note: printer VLAN}]\ntree:")
    with pytest.raises(PlanFitError) as caught:
        allocate_plan(load(avoided), first.lock())
    # The VPC-level block itself now collides: routes to it would shadow the VLAN.
    assert caught.value.problems[0].message == (
        "node 'net': 10.0.0.0/22 overlaps avoided 10.0.2.0/26 (printer VLAN, plan.yaml:2:9)"
    )


def test_dual_stack_blocks_nest_in_the_nearest_ipv6_ancestor() -> None:
    plan = load("""\
        pools:
          - {name: v4, cidr: 10.0.0.0/16}
          - {name: v6, cidr: "2001:db8::/32"}
        tree:
          region:
            ipv6: /48
            children:
              vpc:
                children:
                  web: {prefix: /24, ipv6: /64}
                  db: {prefix: /24, ipv6: false}
        """)
    assert blocks(allocate_plan(plan)) == {
        "region": "10.0.0.0/23", "region/vpc": "10.0.0.0/23",
        "region/vpc/db": "10.0.0.0/24", "region/vpc/web": "10.0.1.0/24",
        "region/ipv6": "2001:db8::/48", "region/vpc/web/ipv6": "2001:db8::/64",
    }


def test_growth_that_would_move_the_start_address_is_refused() -> None:
    first = allocate_plan(load(BASE))
    bigger = BASE.replace("mid2: {prefix: /25}", "mid2: {prefix: /24}")
    with pytest.raises(PlanFitError) as caught:
        allocate_plan(load(bigger), first.lock())
    assert caught.value.problems[0].message == (
        "node 'net/mid2' now needs a /24 but is locked to 10.0.1.128/25, and the /24 around "
        "it (10.0.1.0/24) starts below it, which would renumber its first addresses; the best "
        "free spot is 10.0.3.0/24"
    )


def test_fit_problems_name_the_block_key_of_each_family() -> None:
    plan = load("""\
        pools: [{name: lab, cidr: 10.0.0.0/24}, {name: v6, cidr: "2001:db8::/64"}]
        tree:
          big: {prefix: /23, ipv6: /56}
        """)
    with pytest.raises(PlanFitError) as caught:
        allocate_plan(plan)
    assert sorted(p.key for p in caught.value.problems if p.key) == ["big", "big/ipv6"]


def test_the_release_hint_follows_the_cause_not_the_words_of_a_note() -> None:
    # An avoided block whose note says "reserved" is not a removed node's
    # reservation: --release would not free it, so the hint must not say so.
    plan = load("""\
        pools: [{name: lab, cidr: 10.0.0.0/16}]
        avoid: [{cidr: 10.0.0.0/24, note: reserved for the DC}]
        tree:
          app: {prefix: 10.0.0.0/25}
        """)
    with pytest.raises(PlanFitError) as caught:
        allocate_plan(plan)
    [problem] = caught.value.problems
    assert problem.message == (
        "node 'app': 10.0.0.0/25 overlaps avoided 10.0.0.0/24 (reserved for the DC, plan.yaml:2:9)"
    )
    assert problem.hint is None


def test_a_block_over_a_removed_nodes_reservation_hints_release() -> None:
    first = allocate_plan(load(BASE))
    pinned = BASE.replace("      big: {prefix: /24}\n", "") + "      other: {prefix: 10.0.0.0/24}\n"
    with pytest.raises(PlanFitError) as caught:
        allocate_plan(load(pinned), first.lock())
    assert [p.hint for p in caught.value.problems] == ["run with --release to free it"]
