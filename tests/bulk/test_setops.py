"""Bulk merge, intersect, exclude and free blocks equal the pure-Python core."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.bulk import (
    PrefixArray,
    exclude,
    free_blocks,
    intersect,
    merge,
    merge_ranges,
    parse_prefix_text,
)
from cidrkit.bulk.arrays import IntervalArray, Intervals
from cidrkit.core import IPSet, Prefix, Range

from .strategies import prefixes, ranges

pytestmark = pytest.mark.usefixtures("pure_core")

prefix_lists = st.lists(prefixes(), max_size=30)
SETTINGS = settings(max_examples=80, deadline=None)


def _ranges_array(items: list[Range]) -> IntervalArray:
    parts = [
        Intervals.from_tuples(bits, [(r.start, r.end) for r in items if r.bits == bits])
        for bits in (32, 128)
    ]
    return IntervalArray(parts[0], parts[1])


@SETTINGS
@given(prefix_lists, st.lists(ranges(), max_size=8))
def test_merge_equals_core(items: list[Prefix], spans: list[Range]) -> None:
    got = list(merge(PrefixArray.from_core(items), _ranges_array(spans)))
    assert got == list(IPSet([*items, *spans]).prefixes())


@SETTINGS
@given(prefix_lists, st.lists(ranges(), max_size=8))
def test_merge_ranges_equals_core(items: list[Prefix], spans: list[Range]) -> None:
    got = merge_ranges(PrefixArray.from_core(items), _ranges_array(spans)).to_core()
    assert got == list(IPSet([*items, *spans]).ranges())


@SETTINGS
@given(prefix_lists, prefix_lists)
def test_intersect_equals_core(a: list[Prefix], b: list[Prefix]) -> None:
    got = list(intersect(PrefixArray.from_core(a), PrefixArray.from_core(b)))
    assert got == list((IPSet(a) & IPSet(b)).prefixes())


@SETTINGS
@given(prefix_lists, prefix_lists, st.lists(ranges(), max_size=4))
def test_exclude_equals_core(a: list[Prefix], b: list[Prefix], spans: list[Range]) -> None:
    got = list(exclude(PrefixArray.from_core(a), [PrefixArray.from_core(b), _ranges_array(spans)]))
    assert got == list((IPSet(a) - IPSet([*b, *spans])).prefixes())


@SETTINGS
@given(prefixes(), prefix_lists)
def test_free_blocks_equal_core(parent: Prefix, used: list[Prefix]) -> None:
    from cidrkit.core.alloc import free_blocks as core_free_blocks

    got = list(free_blocks(PrefixArray.from_core([parent]), PrefixArray.from_core(used)))
    assert got == core_free_blocks(parent, [u for u in used if u.bits == parent.bits])


def test_whole_spaces_and_their_edges() -> None:
    arr = parse_prefix_text(
        b"0.0.0.0/1\n128.0.0.0/1\n255.255.255.255/32\n::/1\n8000::/1\n::/128\n"
    ).prefixes
    assert [str(p) for p in merge(arr)] == ["0.0.0.0/0", "::/0"]
    everything = parse_prefix_text(b"0.0.0.0/0\n::/0\n").prefixes
    assert [str(p) for p in exclude(everything, arr)] == []
    top = parse_prefix_text(b"255.255.255.255/32\nffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n")
    assert [str(p) for p in free_blocks(everything, top.prefixes)][-2:] == [
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc/127",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128",
    ]


def test_empty_inputs() -> None:
    empty = PrefixArray.empty()
    assert len(merge(empty)) == 0
    assert len(intersect(empty, empty)) == 0
    assert len(exclude(empty, empty)) == 0
