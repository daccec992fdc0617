"""IPSet against a brute-force ``set`` of addresses over a small universe.

The universe is four windows of 32 addresses: both ends of IPv4 space and
both ends of IPv6 space. The end of IPv4 space and the start of IPv6 space
sit next to each other in sort order and must never merge.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cidrkit.core import Addr, IPSet, IPSetBuilder, Prefix, Range
from cidrkit.core.pairs import overlapping_pairs, relation

Point = tuple[int, int]  # (bits, value)
WIDTH = 32
WINDOWS: list[tuple[int, int]] = [
    (32, 0),
    (32, 2**32 - WIDTH),
    (128, 0),
    (128, 2**128 - WIDTH),
]
UNIVERSE: frozenset[Point] = frozenset(
    (bits, base + offset) for bits, base in WINDOWS for offset in range(WIDTH)
)


@st.composite
def items(draw: st.DrawFn) -> Addr | Prefix | Range:
    """An address, an aligned prefix or a range inside one window."""
    bits, base = draw(st.sampled_from(WINDOWS))
    kind = draw(st.sampled_from(["addr", "prefix", "range"]))
    if kind == "addr":
        return Addr(bits, base + draw(st.integers(0, WIDTH - 1)))
    if kind == "prefix":
        host_bits = draw(st.integers(0, 5))
        slot = draw(st.integers(0, (WIDTH >> host_bits) - 1))
        return Prefix(bits, base + (slot << host_bits), bits - host_bits)
    start, end = sorted(draw(st.lists(st.integers(0, WIDTH - 1), min_size=2, max_size=2)))
    return Range(bits, base + start, base + end)


def points(item: Addr | Prefix | Range) -> set[Point]:
    return {(item.bits, value) for value in range(item.start, item.end + 1)}


def model(parts: Iterable[Addr | Prefix | Range]) -> set[Point]:
    result: set[Point] = set()
    for part in parts:
        result |= points(part)
    return result


def members(ipset: IPSet) -> set[Point]:
    return model(ipset.ranges())


sets = st.lists(items(), max_size=8).map(lambda parts: (IPSet(parts), model(parts)))


def assert_minimal_prefixes(ipset: IPSet, expected: set[Point]) -> None:
    """The prefixes are exactly the maximal aligned blocks inside the set.

    That characterisation is independent of how the cover is computed, and
    a cover by maximal blocks is the smallest cover there is.
    """
    prefixes = list(ipset.prefixes())
    assert prefixes == sorted(prefixes)
    covered: set[Point] = set()
    for prefix in prefixes:
        block = points(prefix)
        assert block <= expected and not block & covered
        covered |= block
        if prefix.length > 0:
            assert not points(prefix.supernet()) <= expected, f"{prefix} is not maximal"
    assert covered == expected
    assert prefixes == greedy_cover(expected)


def greedy_cover(points_left: set[Point]) -> list[Prefix]:
    """Brute force: from the lowest uncovered address, the largest aligned block inside."""
    left = set(points_left)
    cover: list[Prefix] = []
    while left:
        bits, value = min(left)
        host_bits = 0
        while host_bits < bits and value % (2 << host_bits) == 0 and all(
            (bits, v) in left for v in range(value, value + (2 << host_bits))
        ):
            host_bits += 1
        cover.append(Prefix(bits, value, bits - host_bits))
        left -= {(bits, v) for v in range(value, value + (1 << host_bits))}
    return cover


def assert_maximal_ranges(ipset: IPSet, expected: set[Point]) -> None:
    ranges = list(ipset.ranges())
    assert ranges == sorted(ranges)
    assert model(ranges) == expected
    for r in ranges:
        assert (r.bits, r.start - 1) not in expected
        assert (r.bits, r.end + 1) not in expected
    assert ipset.intervals == tuple((r.bits, r.start, r.end) for r in ranges)


@given(sets)
def test_normalised_form_matches_brute_force(pair: tuple[IPSet, set[Point]]) -> None:
    ipset, expected = pair
    assert members(ipset) == expected
    assert ipset.size == len(expected)
    assert bool(ipset) == bool(expected)
    assert_minimal_prefixes(ipset, expected)
    assert_maximal_ranges(ipset, expected)
    assert IPSet(ipset.prefixes()) == ipset
    assert IPSet.from_intervals(reversed(ipset.intervals)) == ipset


@given(sets, sets)
def test_algebra_matches_brute_force(
    a: tuple[IPSet, set[Point]], b: tuple[IPSet, set[Point]]
) -> None:
    (sa, ma), (sb, mb) = a, b
    cases = {
        "union": (sa | sb, ma | mb),
        "intersection": (sa & sb, ma & mb),
        "difference": (sa - sb, ma - mb),
        "symmetric_difference": (sa ^ sb, ma ^ mb),
    }
    for name, (got, want) in cases.items():
        assert members(got) == want, name
        assert_maximal_ranges(got, want)
    assert sa.union(sb) == sb.union(sa)
    assert (sa <= sb) == (ma <= mb) == sa.issubset(sb)
    assert (sa >= sb) == (ma >= mb) == sa.issuperset(sb)
    assert (sa < sb) == (ma < mb)
    assert (sa > sb) == (ma > mb)
    assert sa.isdisjoint(sb) == (not ma & mb)
    assert (sa == sb) == (ma == mb)
    assert sa.contains(sb) == (mb <= ma)
    assert (sb in sa) == (mb <= ma)


@given(sets, items())
def test_membership_matches_brute_force(pair: tuple[IPSet, set[Point]], item: Addr) -> None:
    ipset, expected = pair
    assert ipset.contains(item) == (points(item) <= expected)
    assert (item in ipset) == (points(item) <= expected)


@given(sets, st.sampled_from(WINDOWS))
def test_complement_within_a_window(pair: tuple[IPSet, set[Point]], window: Point) -> None:
    ipset, expected = pair
    bits, base = window
    within = Prefix(bits, base, bits - 5)
    assert members(ipset.complement(within)) == points(within) - expected
    span = Range(bits, base + 3, base + 20)
    assert members(ipset.complement(span)) == points(span) - expected
    assert members(ipset.complement(IPSet([within]))) == points(within) - expected


@given(sets)
def test_family_split(pair: tuple[IPSet, set[Point]]) -> None:
    ipset, expected = pair
    assert members(ipset.family(4)) == {p for p in expected if p[0] == 32}
    assert members(ipset.family(6)) == {p for p in expected if p[0] == 128}


def test_end_of_ipv4_never_merges_with_start_of_ipv6() -> None:
    ipset = IPSet([Addr.parse("255.255.255.255"), Addr.parse("::")])
    assert ipset.intervals == ((32, 2**32 - 1, 2**32 - 1), (128, 0, 0))
    assert [str(p) for p in ipset.prefixes()] == ["255.255.255.255/32", "::/128"]


def test_ipset_parse_repr_and_hash() -> None:
    ipset = IPSet.parse(["10.0.0.0/25", "10.0.0.128/25", "2001:db8::/32", "192.0.2.1-192.0.2.2"])
    assert repr(ipset) == (
        "IPSet(['10.0.0.0/24', '192.0.2.1/32', '192.0.2.2/32', '2001:db8::/32'])"
    )
    assert hash(ipset) == hash(IPSet.parse(["2001:db8::/32", "10.0.0.0/24",
                                            "192.0.2.1", "192.0.2.2"]))
    assert list(ipset) == list(ipset.prefixes())
    assert IPSet() == IPSet([]) and not IPSet()
    assert 42 not in ipset


def _runs(mask: int) -> list[tuple[int, int]]:
    """Maximal runs of set bits of a 16-bit mask, as (first, last) offsets."""
    runs: list[tuple[int, int]] = []
    offset = 0
    while offset < 16:
        if mask >> offset & 1:
            first = offset
            while offset < 16 and mask >> offset & 1:
                offset += 1
            runs.append((first, offset - 1))
        else:
            offset += 1
    return runs


def _maximal_blocks(mask: int) -> list[tuple[int, int]]:
    """(offset, size) of every aligned block inside the mask whose parent is not."""
    blocks = []
    for size in (16, 8, 4, 2, 1):
        full = (1 << size) - 1
        for offset in range(0, 16, size):
            inside = mask >> offset & full == full
            parent = size * 2
            parent_offset = offset - offset % parent
            parent_inside = parent <= 16 and mask >> parent_offset & ((1 << parent) - 1) == (
                (1 << parent) - 1
            )
            if inside and not parent_inside:
                blocks.append((offset, size))
    return sorted(blocks)


def test_every_subset_of_sixteen_addresses_normalises_exactly() -> None:
    # Exhaustive: all 65,536 subsets of a 16-address, /28-aligned universe,
    # each built twice, from its runs and from its single addresses.
    base = Addr.parse("192.0.2.16").value
    for mask in range(1 << 16):
        runs = _runs(mask)
        want_intervals = tuple((32, base + first, base + last) for first, last in runs)
        from_runs = IPSet(Range(32, base + first, base + last) for first, last in runs)
        singles = [Addr(32, base + o) for o in range(16) if mask >> o & 1]
        from_singles = IPSet(reversed(singles))
        if from_runs.intervals != want_intervals or from_singles.intervals != want_intervals:
            pytest.fail(f"subset {mask:016b}: {from_runs.intervals} / {from_singles.intervals}")
        want_prefixes = [
            Prefix(32, base + offset, 32 - size.bit_length() + 1)
            for offset, size in _maximal_blocks(mask)
        ]
        if list(from_runs.prefixes()) != want_prefixes:
            pytest.fail(f"subset {mask:016b}: {list(from_runs.prefixes())} != {want_prefixes}")
        if from_runs.size != mask.bit_count():
            pytest.fail(f"subset {mask:016b}: size {from_runs.size}")


class BuilderMachine(RuleBasedStateMachine):
    """IPSetBuilder adds and removes in order; the model is a plain set."""

    def __init__(self) -> None:
        super().__init__()
        self.builder = IPSetBuilder()
        self.model: set[Point] = set()

    @rule(item=items())
    def add(self, item: Addr | Prefix | Range) -> None:
        assert self.builder.add(item) is self.builder
        self.model |= points(item)

    @rule(item=items())
    def remove(self, item: Addr | Prefix | Range) -> None:
        self.builder.remove(item)
        self.model -= points(item)

    @rule(parts=st.lists(items(), max_size=3))
    def add_set(self, parts: list[Addr | Prefix | Range]) -> None:
        self.builder.add(IPSet(parts))
        self.model |= model(parts)

    @rule(parts=st.lists(items(), max_size=3))
    def remove_set(self, parts: list[Addr | Prefix | Range]) -> None:
        self.builder.remove(IPSet(parts))
        self.model -= model(parts)

    @invariant()
    def built_set_matches_model(self) -> None:
        built = self.builder.build()
        assert members(built) == self.model
        assert_maximal_ranges(built, self.model)


TestBuilder = BuilderMachine.TestCase


@given(st.lists(items(), max_size=12))
def test_overlapping_pairs_match_brute_force(parts: list[Addr | Prefix | Range]) -> None:
    got = sorted(tuple(sorted(pair)) for pair in overlapping_pairs(parts))
    want = [
        (i, j)
        for i in range(len(parts))
        for j in range(i + 1, len(parts))
        if points(parts[i]) & points(parts[j])
    ]
    assert got == want
    for i, j in overlapping_pairs(parts):
        assert relation(parts[i], parts[j]) is not None


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("10.0.0.0/24", "10.0.0.0/24", "equal"),
        ("10.0.0.0/16", "10.0.1.0/24", "a_contains_b"),
        ("10.0.1.0/24", "10.0.0.0/16", "b_contains_a"),
        ("10.0.0.0-10.0.0.9", "10.0.0.5-10.0.0.20", "partial"),
        ("10.0.0.0/24", "10.0.1.0/24", None),
        ("10.0.0.0/8", "::a00:0/104", None),
    ],
)
def test_relation(a: str, b: str, expected: str | None) -> None:
    from cidrkit.core import parse_item

    assert relation(parse_item(a), parse_item(b)) == expected


def test_large_inputs_go_through_a_registered_accelerator() -> None:
    from cidrkit.core import ipset as ipset_module

    calls: list[int] = []

    def accelerator(intervals: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        calls.append(len(intervals))
        ipset_module.set_accelerator(None)  # delegate to the pure version
        try:
            return ipset_module.normalise(intervals)
        finally:
            ipset_module.set_accelerator(accelerator)

    many = [Addr(32, v) for v in range(0, 2 * (ipset_module.ACCELERATE_ABOVE + 1), 2)]
    ipset_module.set_accelerator(accelerator)
    try:
        assert IPSet(many[:10]).size == 10 and calls == []
        big = IPSet(many)
    finally:
        ipset_module.set_accelerator(None)
    assert calls == [len(many)]
    assert big.size == len(many) and big.intervals[:2] == ((32, 0, 0), (32, 2, 2))


def test_span_of_is_the_smallest_covering_prefix() -> None:
    from cidrkit.core import parse_item
    from cidrkit.core.range import span_of
    from cidrkit.errors import FamilyError

    def span(*texts: str) -> str:
        return str(span_of(parse_item(t) for t in texts))

    assert span("10.0.0.1") == "10.0.0.1/32"
    assert span("10.0.0.0/24", "10.0.1.0/24") == "10.0.0.0/23"
    assert span("10.0.1.0/24", "10.0.2.0/24") == "10.0.0.0/22"
    assert span("0.0.0.0", "255.255.255.255") == "0.0.0.0/0"
    assert span("2001:db8::1-2001:db8::5") == "2001:db8::/125"
    with pytest.raises(FamilyError):
        span_of([Addr.parse("10.0.0.1"), Addr.parse("::1")])
    with pytest.raises(ValueError, match="nothing to span"):
        span_of([])


def test_ipset_refuses_foreign_values_with_a_type_error() -> None:
    ipset = IPSet.parse(["10.0.0.0/8"])
    with pytest.raises(TypeError) as caught:
        IPSet(["10.0.0.0/8"])  # type: ignore[list-item]
    assert str(caught.value) == (
        "an IPSet holds Addr, Prefix, Range or IPSet values, not '10.0.0.0/8' "
        "(parse text with IPSet.parse)"
    )
    for operation in ("__or__", "__and__", "__sub__", "__xor__", "__le__", "__lt__"):
        assert getattr(ipset, operation)(42) is NotImplemented
    with pytest.raises(TypeError, match="unsupported operand"):
        _ = ipset | 42  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = ipset <= 42  # type: ignore[operator]
    assert ipset != 42
