"""The core IPSet gives the same answer with and without the bulk accelerator."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.bulk import normalise_intervals
from cidrkit.core import IPSet, Prefix, Range, ipset

from .strategies import prefixes, ranges


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(prefixes(), ranges()), max_size=40))
def test_accelerator_equals_core_normalise(items: list[Prefix | Range]) -> None:
    intervals = [(i.bits, i.start, i.end) for i in items]
    ipset.set_accelerator(None)
    try:
        expected = ipset.normalise(list(intervals))
    finally:
        ipset.set_accelerator(normalise_intervals)
    assert normalise_intervals(list(intervals)) == expected


def test_large_sets_switch_to_the_bulk_path_with_identical_results() -> None:
    many = [Prefix(32, (10 << 24) | (i << 8), 24) for i in range(0, 2 * ipset.ACCELERATE_ABOVE, 2)]
    many += [Prefix(128, (0x20010DB8 << 96) | (i << 64), 64) for i in range(3000)]
    fast = IPSet(many)
    ipset.set_accelerator(None)
    try:
        slow = IPSet(many)
    finally:
        ipset.set_accelerator(normalise_intervals)
    assert fast.intervals == slow.intervals
    assert len(fast.intervals) == ipset.ACCELERATE_ABOVE + 1
