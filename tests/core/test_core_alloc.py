"""Allocation primitives: free space, best fit and first fit, and host sizing."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from cidrkit.core import IPSet, Prefix
from cidrkit.core.alloc import Strategy, allocate, free_blocks, free_space, next_free
from cidrkit.core.sizing import Request, length_for_hosts, vlsm
from cidrkit.errors import AllocationError, ArgumentError

P = Prefix.parse


def strs(prefixes: list[Prefix]) -> list[str]:
    return [str(p) for p in prefixes]


# Free space of 10.0.0.0/24 here: 10.0.0.64/26 and 10.0.0.160/27.
PARENT = P("10.0.0.0/24")
USED = [P("10.0.0.0/26"), P("10.0.0.128/27"), P("10.0.0.192/26")]


def test_free_blocks_are_the_minimal_sorted_cover() -> None:
    assert strs(free_blocks(PARENT, USED)) == ["10.0.0.64/26", "10.0.0.160/27"]
    assert strs(free_blocks(PARENT, [])) == ["10.0.0.0/24"]
    assert free_blocks(PARENT, [PARENT]) == []
    assert strs(free_blocks(P("10.0.0.0/24"), [P("10.0.0.1/32")])) == [
        "10.0.0.0/32", "10.0.0.2/31", "10.0.0.4/30", "10.0.0.8/29",
        "10.0.0.16/28", "10.0.0.32/27", "10.0.0.64/26", "10.0.0.128/25",
    ]


def test_used_space_outside_the_parent_or_of_the_other_family_is_ignored() -> None:
    used = [P("10.0.0.0/8"), P("::/0")]
    assert strs(free_blocks(P("11.0.0.0/30"), used)) == ["11.0.0.0/30"]
    assert free_space(P("11.0.0.0/30"), IPSet(used)).size == 4


@pytest.mark.parametrize(
    ("length", "strategy", "expected"),
    [
        (27, "best_fit", "10.0.0.160/27"),  # the /27 hole fits exactly
        (27, "first_fit", "10.0.0.64/27"),  # the lowest hole that fits
        (26, "best_fit", "10.0.0.64/26"),
        (26, "first_fit", "10.0.0.64/26"),
        (28, "best_fit", "10.0.0.160/28"),
        (28, "first_fit", "10.0.0.64/28"),
        (32, "best_fit", "10.0.0.160/32"),
        (25, "best_fit", None),
        (24, "first_fit", None),
    ],
)
def test_next_free(length: int, strategy: Strategy, expected: str | None) -> None:
    got = next_free(PARENT, USED, length, strategy)
    assert (None if got is None else str(got)) == expected


def test_best_fit_takes_the_lowest_block_on_ties() -> None:
    used = [P("10.0.0.0/27"), P("10.0.0.64/27"), P("10.0.0.128/26")]
    # Free: 10.0.0.32/27, 10.0.0.96/27, 10.0.0.192/26.
    assert str(next_free(PARENT, used, 28)) == "10.0.0.32/28"


def test_best_fit_keeps_large_blocks_whole() -> None:
    used = [P("10.0.0.0/25"), P("10.0.0.128/26"), P("10.0.0.192/28")]
    # Free: 10.0.0.208/28 and 10.0.0.224/27; the /28 request takes the /28.
    got = allocate(PARENT, used, 28, count=1)
    assert strs(got) == ["10.0.0.208/28"]
    assert strs(allocate(PARENT, used, 28, count=3)) == [
        "10.0.0.208/28", "10.0.0.224/28", "10.0.0.240/28",
    ]
    assert strs(allocate(PARENT, used, 28, count=3, strategy="first_fit")) == [
        "10.0.0.208/28", "10.0.0.224/28", "10.0.0.240/28",
    ]


def test_ipv6_allocation_of_64s() -> None:
    parent = P("2001:db8::/48")
    used = [P("2001:db8::/64"), P("2001:db8:0:2::/63")]
    assert strs(allocate(parent, used, 64, count=3)) == [
        "2001:db8:0:1::/64", "2001:db8:0:4::/64", "2001:db8:0:5::/64",
    ]


def test_allocate_reports_how_many_fit() -> None:
    with pytest.raises(AllocationError) as caught:
        allocate(PARENT, USED, 27, count=4)
    assert str(caught.value) == (
        "10.0.0.0/24 has room for only 3 of 4 /27 blocks (96 addresses free)"
    )


def test_allocate_nothing() -> None:
    assert allocate(PARENT, USED, 27, count=0) == []


@pytest.mark.parametrize("length", [23, 33])
def test_next_free_length_must_fit_the_parent(length: int) -> None:
    with pytest.raises(ArgumentError) as caught:
        next_free(PARENT, USED, length)
    assert str(caught.value) == (
        f"cannot place a /{length} in 10.0.0.0/24: the length must be between 24 and 32"
    )


def test_next_free_rejects_an_unknown_strategy() -> None:
    with pytest.raises(ArgumentError) as caught:
        next_free(PARENT, USED, 28, "worst_fit")  # type: ignore[arg-type]
    assert str(caught.value) == "unknown strategy 'worst_fit'; choose best_fit or first_fit"


class AllocatorMachine(RuleBasedStateMachine):
    """Allocate and release inside a /26; check each choice against brute force."""

    parent = P("10.0.0.0/26")
    blocks = Bundle("blocks")

    def __init__(self) -> None:
        super().__init__()
        self.used: set[Prefix] = set()

    def free_addresses(self) -> set[int]:
        taken = {v for p in self.used for v in range(p.start, p.end + 1)}
        return set(range(self.parent.start, self.parent.end + 1)) - taken

    def expected(self, length: int, strategy: Strategy) -> Prefix | None:
        """Brute force: aligned candidates, scored the way each strategy is specified."""
        free = self.free_addresses()
        size = 1 << (32 - length)
        fits = [
            s for s in range(self.parent.start, self.parent.end + 1, size)
            if all(a in free for a in range(s, s + size))
        ]
        if not fits:
            return None
        if strategy == "first_fit":
            return Prefix(32, fits[0], length)
        # Best fit: the smallest maximal free block that holds the request.
        best: tuple[int, int] | None = None
        for start in fits:
            block_length = length
            while block_length > self.parent.length:
                bigger = Prefix(32, start, length).supernet(block_length - 1)
                if not all(a in free for a in range(bigger.start, bigger.end + 1)):
                    break
                block_length -= 1
            holder = Prefix(32, start, length).supernet(block_length)
            score = (-holder.length, holder.start)
            if best is None or score < best:
                best = score
        assert best is not None
        return Prefix(32, best[1], length)

    @rule(target=blocks, length=st.integers(26, 32),
          strategy=st.sampled_from(["best_fit", "first_fit"]))
    def allocate(self, length: int, strategy: Strategy) -> Prefix | None:
        got = next_free(self.parent, self.used, length, strategy)
        assert got == self.expected(length, strategy)
        if got is None:
            with pytest.raises(AllocationError):
                allocate(self.parent, self.used, length, strategy=strategy)
            return None
        assert allocate(self.parent, self.used, length, strategy=strategy) == [got]
        self.used.add(got)
        return got

    @rule(block=consumes(blocks))
    def release(self, block: Prefix | None) -> None:
        if block is not None:
            self.used.discard(block)

    @invariant()
    def allocations_never_overlap_and_stay_inside(self) -> None:
        ordered = sorted(self.used)
        for a, b in itertools.pairwise(ordered):
            assert a.end < b.start
        assert all(self.parent.contains(p) for p in ordered)

    @invariant()
    def free_and_used_make_up_the_parent(self) -> None:
        free = free_blocks(self.parent, self.used)
        free_set, used_set = IPSet(free), IPSet(self.used)
        assert free_set.isdisjoint(used_set)
        assert free_set | used_set == IPSet([self.parent])
        assert free_set.size == len(self.free_addresses())


TestAllocator = AllocatorMachine.TestCase


@pytest.mark.parametrize(
    ("bits", "hosts", "model", "length"),
    [
        (32, 1, "rfc", 32),
        (32, 2, "rfc", 31),
        (32, 3, "rfc", 29),
        (32, 6, "rfc", 29),
        (32, 7, "rfc", 28),
        (32, 254, "rfc", 24),
        (32, 255, "rfc", 23),
        (32, 11, "aws", 28),
        (32, 12, "aws", 27),
        (32, 1, "aws", 28),
        (32, 3, "azure", 29),
        (32, 4, "azure", 28),
        (32, 4, "gcp", 29),
        (32, 2**32, "none", 0),
        (128, 1, "rfc", 128),
        (128, 2**64, "rfc", 64),
        (128, 1, "aws", 64),
    ],
)
def test_length_for_hosts(bits: int, hosts: int, model: str, length: int) -> None:
    assert length_for_hosts(bits, hosts, model) == length


def test_length_for_hosts_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError, match="a host count must be at least 1, not 0"):
        length_for_hosts(32, 0)
    with pytest.raises(AllocationError) as caught:
        length_for_hosts(32, 2**32)
    assert str(caught.value) == "4,294,967,296 hosts do not fit in any IPv4 block"


def test_vlsm_places_largest_first_and_reports_in_request_order() -> None:
    requests = [Request("lab", 10), Request("office", 100), Request("link", 2)]
    placements, free = vlsm(P("192.168.0.0/24"), requests)
    assert [(p.request.name, str(p.prefix), p.usable) for p in placements] == [
        ("lab", "192.168.0.128/28", 14),
        ("office", "192.168.0.0/25", 126),
        ("link", "192.168.0.144/31", 2),
    ]
    assert strs(list(free.prefixes())) == [
        "192.168.0.146/31", "192.168.0.148/30", "192.168.0.152/29",
        "192.168.0.160/27", "192.168.0.192/26",
    ]


def test_vlsm_names_the_request_that_does_not_fit() -> None:
    with pytest.raises(AllocationError) as caught:
        vlsm(P("192.168.0.0/25"), [Request("a", 100), Request("b", 100)])
    assert str(caught.value) == (
        "request 'b' for 100 hosts needs a /25 (128 addresses) but only 0 addresses "
        "remain in 192.168.0.0/25 (all requests together need 256 of its 128)"
    )


@given(
    st.lists(st.tuples(st.integers(26, 32), st.integers(0, 63)), max_size=10),
    st.integers(26, 32),
    st.integers(0, 12),
    st.sampled_from(["best_fit", "first_fit"]),
)
def test_allocate_equals_repeated_next_free(
    used_spec: list[tuple[int, int]], length: int, count: int, strategy: Strategy
) -> None:
    parent = P("10.0.0.0/26")
    used = [Prefix.containing(parent.host(offset), n) for n, offset in used_spec]
    taken, expected = list(used), []
    for _ in range(count):
        block = next_free(parent, taken, length, strategy)
        if block is None:
            break
        expected.append(block)
        taken.append(block)
    if len(expected) == count:
        # A one-shot iterator of used space must work as well as a list.
        assert allocate(parent, iter(used), length, count, strategy) == expected
    else:
        with pytest.raises(AllocationError) as caught:
            allocate(parent, iter(used), length, count, strategy)
        free = free_space(parent, used).size
        assert str(caught.value) == (
            f"10.0.0.0/26 has room for only {len(expected)} of {count} /{length} blocks "
            f"({free:,} addresses free)"
        )


@given(
    st.sampled_from([32, 128]),
    st.integers(1, 2**40),
    st.sampled_from(["rfc", "aws", "azure", "gcp", "none"]),
)
def test_length_for_hosts_is_the_longest_that_fits(bits: int, hosts: int, model: str) -> None:
    from cidrkit.core.usable import get_model

    usable = get_model(model).usable
    if hosts > usable(bits, 0):
        with pytest.raises(AllocationError):
            length_for_hosts(bits, hosts, model)
        return
    length = length_for_hosts(bits, hosts, model)
    assert usable(bits, length) >= hosts
    assert all(usable(bits, longer) < hosts for longer in range(length + 1, bits + 1))
