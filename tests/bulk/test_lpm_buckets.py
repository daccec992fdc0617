"""Large IPv4 tables answer through the slice index exactly as by plain binary search."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.bulk import LpmTable, PrefixArray
from cidrkit.bulk.arrays import Prefixes


def _random_table(seed: int, count: int, shortest: int, longest: int) -> Prefixes:
    rng = np.random.default_rng(seed)
    length = rng.integers(shortest, longest + 1, count).astype(np.uint8)
    value = rng.integers(0, 1 << 32, count, dtype=np.uint64)
    mask = ((np.uint64(1) << length.astype(np.uint64)) - np.uint64(1)) << (
        np.uint64(32) - length.astype(np.uint64)
    )
    return Prefixes(32, np.zeros(count, np.uint64), value & mask, length, np.arange(count))


def _brute_force(table: Prefixes, queries: np.ndarray) -> list[int]:
    """Longest containing prefix, first of duplicates, by direct comparison."""
    out = []
    shift = (np.uint64(32) - table.length.astype(np.uint64)).astype(np.uint64)
    for q in queries.tolist():
        inside = (np.uint64(q) >> shift) == (table.lo >> shift)
        hits = np.flatnonzero(inside)
        if not hits.shape[0]:
            out.append(-1)
            continue
        best = hits[table.length[hits] == table.length[hits].max()]
        out.append(int(table.ids[best].min()))
    return out


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_slice_index_equals_brute_force(seed: int) -> None:
    table = _random_table(seed, 60_000, 12, 30)
    lpm = LpmTable(PrefixArray(table, Prefixes.empty(128)))
    assert lpm._v4.buckets is not None
    rng = np.random.default_rng(seed + 1)
    random_queries = rng.integers(0, 1 << 32, 5000, dtype=np.uint64)
    edges = np.concatenate([table.lo, table.lo - np.uint64(1)])[:3000] & np.uint64(0xFFFF_FFFF)
    queries = np.concatenate([random_queries, edges, [0, (1 << 32) - 1]]).astype(np.uint64)
    got = lpm.lookup_v4(queries)
    assert got.tolist() == _brute_force(table, queries[:600]) + got[600:].tolist()
    # The same table without the index: plain binary search, in small batches.
    by_batches = np.concatenate(
        [lpm.lookup_v4(queries[i : i + 1000]) for i in range(0, len(queries), 1000)]
    )
    assert got.tolist() == by_batches.tolist()


def test_dense_slices_keep_the_sorted_search() -> None:
    # 70,000 host routes in one /12: slices far too full for the index.
    base = 10 << 24
    value = (base + np.arange(0, 140_000, 2)).astype(np.uint64)
    count = value.shape[0]
    table = Prefixes(
        32, np.zeros(count, np.uint64), value, np.full(count, 32, np.uint8), np.arange(count)
    )
    lpm = LpmTable(PrefixArray(table, Prefixes.empty(128)))
    assert lpm._v4.buckets is None
    queries = (base + np.arange(0, 10_000)).astype(np.uint64)
    expected = np.where(np.arange(10_000) % 2 == 0, np.arange(10_000) // 2, -1)
    assert lpm.lookup_v4(queries).tolist() == expected.tolist()
