"""Longest-prefix match equals a brute-force search over every prefix."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.bulk import LpmTable, PrefixArray, parse_address_text, parse_prefix_text
from cidrkit.core import Addr, Prefix

from .strategies import addresses, prefixes


def brute_force(table: list[Prefix], addr: Addr) -> int:
    """Index of the longest prefix containing addr; the first of equal ones; -1 if none."""
    best = -1
    for index, p in enumerate(table):
        longer = best < 0 or p.length > table[best].length
        if p.bits == addr.bits and p.contains(addr) and longer:
            best = index
    return best


@settings(max_examples=80, deadline=None)
@given(st.lists(prefixes(), max_size=30), st.lists(addresses(), max_size=30))
def test_lookup_equals_brute_force(table: list[Prefix], queries: list[Addr]) -> None:
    lpm = LpmTable(PrefixArray.from_core(table))
    found = lpm.lookup(PrefixArray.from_core([Prefix(a.bits, a.value, a.bits) for a in queries]))
    v4 = [brute_force(table, a) for a in queries if a.bits == 32]
    v6 = [brute_force(table, a) for a in queries if a.bits == 128]
    assert found.v4.tolist() == v4
    assert found.v6.tolist() == v6


def test_lookup_of_many_queries_uses_the_sorted_path() -> None:
    table = parse_prefix_text(b"10.0.0.0/8\n10.1.0.0/16\n10.1.2.0/24\n").prefixes
    lpm = LpmTable(table)
    rng = np.random.default_rng(7)
    values = rng.integers(0x0A000000, 0x0A030000, size=10_000, dtype=np.uint64)
    got = lpm.lookup_v4(values)
    expected = np.where((values >> 8) == 0x0A0102, 2, np.where((values >> 16) == 0x0A01, 1, 0))
    assert got.tolist() == expected.tolist()


def test_ipv6_boundaries_inside_64_bit_words() -> None:
    table = parse_prefix_text(b"2001:db8::/32\n2001:db8::8/125\n2001:db8::10/128\n").prefixes
    lpm = LpmTable(table)
    queries = parse_address_text(
        b"2001:db8::7\n2001:db8::8\n2001:db8::f\n2001:db8::10\n2001:db8::11\n2001:db9::\n"
    ).prefixes
    assert lpm.lookup(queries).v6.tolist() == [0, 1, 1, 2, 0, -1]


def test_ids_are_reported_and_empty_families_match_nothing() -> None:
    table = parse_prefix_text(b"# header\n192.0.2.0/24\n").prefixes
    lpm = LpmTable(table)
    queries = parse_address_text(b"192.0.2.9\n2001:db8::1\n").prefixes
    found = lpm.lookup(queries)
    assert found.v4.tolist() == [1]  # the line index of the prefix
    assert found.v6.tolist() == [-1]
