"""The one placement rule, ``place``/``FreeSpace``, against a brute-force oracle.

The oracle works on a 64-address universe as a ``set[int]``: it lists every
aligned block that is wholly free and wholly inside one parent, and picks by
the documented rule, without the interval arithmetic the code uses.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cidrkit.core import IPSet, Prefix, Range
from cidrkit.core.alloc import FreeSpace, Strategy, place
from cidrkit.errors import ArgumentError

P = Prefix.parse
BASE = P("10.0.0.0/26").value  # the universe: 10.0.0.0 - 10.0.0.63
UNIVERSE = 64


def blocks_of(length: int) -> list[range]:
    size = 1 << (32 - length)
    return [range(start, start + size) for start in range(0, UNIVERSE, size)]


def oracle(free: set[int], parents: list[Prefix], length: int, strategy: str) -> Prefix | None:
    """The block the rule picks, from first principles over offsets into the universe."""
    insides = [range(p.value - BASE, p.value - BASE + p.size) for p in parents
               if p.length <= length]

    def usable(block: range) -> bool:
        return all(a in free for a in block) and any(
            block.start in inside and block[-1] in inside for inside in insides)

    fits = [b for b in blocks_of(length) if usable(b)]
    if not fits:
        return None
    if strategy == "first_fit":
        chosen = min(b.start for b in fits)
    else:
        # The largest usable aligned block around each fit; the smallest of those
        # wins, lowest address on ties, and the request goes at its start.
        def enclosing(block: range) -> range:
            best = block
            for longer in range(length - 1, 25, -1):
                wider = next(w for w in blocks_of(longer) if block.start in w)
                if not usable(wider):
                    break
                best = wider
            return best

        around = min((enclosing(b) for b in fits), key=lambda w: (len(w), w.start))
        chosen = around.start
    return Prefix(32, BASE + chosen, length)


def as_ipset(free: set[int]) -> IPSet:
    return IPSet(Range(32, BASE + a, BASE + a) for a in free)


# Sparse random sets rarely hold a whole block; mostly-free ones exercise best fit.
free_strategy = st.one_of(
    st.sets(st.integers(0, UNIVERSE - 1)),
    st.sets(st.integers(0, UNIVERSE - 1), max_size=6).map(lambda used: set(range(UNIVERSE)) - used),
)

parents_strategy = st.lists(
    st.builds(lambda length, index: Prefix(32, BASE + (index % (1 << (length - 26)))
                                            * (1 << (32 - length)), length),
              st.integers(26, 32), st.integers(0, 63)),
    min_size=1, max_size=4,
)


@given(
    free=free_strategy,
    parents=parents_strategy,
    length=st.integers(26, 32),
    strategy=st.sampled_from(["best_fit", "first_fit"]),
)
def test_place_matches_the_oracle(
    free: set[int], parents: list[Prefix], length: int, strategy: Strategy
) -> None:
    assert place(as_ipset(free), parents, length, strategy) == oracle(
        free, parents, length, strategy)


@given(
    free=free_strategy,
    parents=parents_strategy,
    lengths=st.lists(st.integers(26, 32), min_size=1, max_size=12),
)
def test_free_space_never_hands_out_a_block_twice(
    free: set[int], parents: list[Prefix], lengths: list[int]
) -> None:
    space = FreeSpace(as_ipset(free))
    remaining = set(free)
    for length in lengths:
        expected = oracle(remaining, parents, length, "best_fit")
        block = space.take(parents, length)
        assert block == expected
        if block is not None:
            taken = set(range(block.value - BASE, block.value - BASE + block.size))
            assert taken <= remaining
            remaining -= taken
        assert space.free == as_ipset(remaining)


def test_a_block_never_straddles_two_touching_parents() -> None:
    halves = [P("10.0.0.0/25"), P("10.0.0.128/25")]
    assert place(IPSet(halves), halves, 24) is None
    assert place(IPSet(halves), [P("10.0.0.0/24")], 24) == P("10.0.0.0/24")


def test_best_fit_prefers_the_smaller_pool_and_ignores_parent_order() -> None:
    # The case that once split the callers: the /28 pool is an exact fit.
    pools = [P("10.0.0.0/24"), P("10.1.0.0/28")]
    assert place(IPSet(pools), pools, 28) == P("10.1.0.0/28")
    assert place(IPSet(pools), pools[::-1], 28) == P("10.1.0.0/28")
    assert place(IPSet(pools), pools[::-1], 28, "first_fit") == P("10.0.0.0/28")


def test_a_parent_inside_another_adds_nothing() -> None:
    # Its edges must not make a smaller "free block" than the outer parent has.
    parents = [P("10.0.0.0/26"), P("10.0.0.16/28")]
    assert place(IPSet(parents), parents, 28) == P("10.0.0.0/28")


def test_families_and_lengths_that_cannot_fit() -> None:
    v4, v6 = P("10.0.0.0/24"), P("2001:db8::/64")
    both = IPSet([v4, v6])
    assert place(both, [v4, v6], 64) == P("2001:db8::/64")  # no IPv4 /64
    assert place(both, [v4], 23) is None
    assert place(both, [v4], 33) is None
    assert place(IPSet(), [v4], 24) is None
    assert place(both, [], 24) is None


def test_unknown_strategy_is_refused() -> None:
    with pytest.raises(ArgumentError, match="unknown strategy 'worst_fit'"):
        place(IPSet(), [P("10.0.0.0/24")], 24, "worst_fit")  # type: ignore[arg-type]
