"""Overlap pairs equal an all-pairs comparison."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.bulk import PrefixArray, count_overlap_pairs, overlap_pairs, parse_prefix_text
from cidrkit.bulk.arrays import IntervalArray, Intervals
from cidrkit.core import Prefix, Range
from cidrkit.errors import LimitError

from .strategies import prefixes, ranges


def _relation(a: Prefix | Range, b: Prefix | Range) -> str:
    if (a.start, a.end) == (b.start, b.end):
        return "equal"
    if a.start <= b.start and b.end <= a.end:
        return "contains"
    return "overlaps"


def brute_force(items: Sequence[Prefix | Range]) -> set[tuple[int, int, str]]:
    pairs = set()
    for i, a in enumerate(items):
        for j, b in enumerate(items):
            if i < j and a.bits == b.bits and a.start <= b.end and b.start <= a.end:
                first, second = (i, j) if (a.start, -a.end, i) < (b.start, -b.end, j) else (j, i)
                pairs.add((first, second, _relation(items[first], items[second])))
    return pairs


def _as_set(items: PrefixArray | IntervalArray) -> set[tuple[int, int, str]]:
    found = overlap_pairs(items)
    names = ("equal", "contains", "overlaps")
    return {
        (f, s, names[r])
        for f, s, r in zip(
            found.first.tolist(), found.second.tolist(), found.relation.tolist(), strict=True
        )
    }


@settings(max_examples=80, deadline=None)
@given(st.lists(prefixes(), max_size=40))
def test_prefix_pairs_equal_brute_force(items: list[Prefix]) -> None:
    arr = PrefixArray.from_core(items)
    assert _as_set(arr) == brute_force(items)
    assert count_overlap_pairs(arr) == len(brute_force(items))


@settings(max_examples=80, deadline=None)
@given(st.lists(ranges(), max_size=30))
def test_range_pairs_equal_brute_force(items: list[Range]) -> None:
    parts = []
    for bits in (32, 128):
        rows = [(i, r) for i, r in enumerate(items) if r.bits == bits]
        parts.append(
            Intervals.from_tuples(
                bits, [(r.start, r.end) for _, r in rows], ids=_ids([i for i, _ in rows])
            )
        )
    assert _as_set(IntervalArray(parts[0], parts[1])) == brute_force(items)


def _ids(values: list[int]):  # type: ignore[no-untyped-def]
    import numpy as np

    return np.array(values, dtype=np.int64)


def test_limit_refuses_before_building() -> None:
    arr = parse_prefix_text(b"10.0.0.0/8\n10.0.0.0/16\n10.0.0.0/24\n").prefixes
    try:
        overlap_pairs(arr, limit=2)
    except LimitError as err:
        assert err.count == 3
    else:
        raise AssertionError("expected LimitError")
