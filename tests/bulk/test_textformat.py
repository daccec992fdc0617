"""Bulk text output is byte-identical to the core formatter."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.bulk import words
from cidrkit.bulk.arrays import PrefixArray, Prefixes
from cidrkit.bulk.textformat import iter_prefix_text, prefix_strings
from cidrkit.core.text import format_v4, format_v6

# Groups drawn mostly from zero and a few widths, so zero runs of every
# length and position (and ties between runs) come up often.
_GROUP = st.sampled_from([0, 0, 0, 1, 0xA, 0x1A0, 0xDB8, 0xFFFF])
_V6 = st.one_of(
    st.lists(_GROUP, min_size=8, max_size=8).map(
        lambda gs: sum(g << (16 * (7 - i)) for i, g in enumerate(gs))
    ),
    st.integers(0, (1 << 128) - 1),
    st.integers(0, (1 << 32) - 1).map(lambda v: (0xFFFF << 32) | v),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_V6, st.integers(0, 128)), max_size=30), st.booleans())
def test_v6_text_is_the_core_text(items: list[tuple[int, int]], with_length: bool) -> None:
    hi, lo = words.split_ints([v for v, _ in items])
    length = np.array([n for _, n in items], dtype=np.uint8)
    part = Prefixes(128, hi, lo, length, np.arange(len(items), dtype=np.int64))
    expected = [format_v6(v) + (f"/{n}" if with_length else "") for v, n in items]
    assert prefix_strings(part, with_length=with_length) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, (1 << 32) - 1), st.integers(0, 32)), max_size=30))
def test_v4_text_is_the_core_text(items: list[tuple[int, int]]) -> None:
    values = np.array([v for v, _ in items], dtype=np.uint64)
    length = np.array([n for _, n in items], dtype=np.uint8)
    part = Prefixes(
        32, np.zeros_like(values), values, length, np.arange(len(items), dtype=np.int64)
    )
    assert prefix_strings(part) == [f"{format_v4(v)}/{n}" for v, n in items]
    assert prefix_strings(part, with_length=False) == [format_v4(v) for v, _ in items]


def test_blocks_hold_both_families_in_order() -> None:
    v4 = Prefixes(
        32,
        np.zeros(1, np.uint64),
        np.array([0xC0000200], np.uint64),
        np.array([24], np.uint8),
        np.zeros(1, np.int64),
    )
    hi, lo = words.split_ints([0x20010DB8 << 96, 0, (0xFFFF << 32) | 0xC0000201])
    v6 = Prefixes(128, hi, lo, np.array([32, 0, 128], np.uint8), np.arange(3, dtype=np.int64))
    assert "".join(iter_prefix_text(PrefixArray(v4, v6))) == (
        "192.0.2.0/24\n2001:db8::/32\n::/0\n::ffff:192.0.2.1/128\n"
    )
