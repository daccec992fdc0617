"""Lists of prefixes read as text: the bulk path of the list commands.

``merge``, ``exclude``, ``intersect`` and ``overlaps`` read files and stdin
as buffers; above a size threshold each buffer is parsed at once by
``parse_prefix_text`` and the results are joined here into one list. The
answers are the core's answers, byte for byte: ``overlap_report`` gives the
pairs in the order and words of ``cidrkit.core.pairs.sorted_overlaps``, and
``address_count`` the exact count ``IPSet.size`` gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cidrkit.bulk.arrays import IntervalArray, Intervals, PrefixArray, Prefixes
from cidrkit.bulk.overlaps import CONTAINS, EQUAL, overlap_pairs
from cidrkit.bulk.textformat import prefix_strings
from cidrkit.bulk.textparse import ParsedText

Pair = tuple[str, str, str]  # (a, b, relation), a sorting before b, as the core words it


def join_parsed(parts: Sequence[ParsedText]) -> tuple[PrefixArray, IntervalArray]:
    """Several parsed buffers as one list; ``ids`` number the lines across all of them.

    A buffer's line ``n`` (0-based) gets the id ``n`` plus the line count of
    the buffers before it, so ids map every element back to its input line.
    """
    prefix_parts: dict[int, list[Prefixes]] = {32: [], 128: []}
    range_parts: dict[int, list[Intervals]] = {32: [], 128: []}
    lines_before = 0
    for parsed in parts:
        for bits in (32, 128):
            part = parsed.prefixes.family(bits)
            prefix_parts[bits].append(part.with_ids(part.ids + lines_before))
            spans = parsed.ranges.family(bits)
            range_parts[bits].append(spans.with_ids(spans.ids + lines_before))
        lines_before += parsed.line_count
    prefixes = PrefixArray(*(Prefixes.concat(prefix_parts[b], b) for b in (32, 128)))
    ranges = IntervalArray(*(Intervals.concat(range_parts[b], b) for b in (32, 128)))
    return prefixes, ranges


def address_count(prefixes: PrefixArray) -> int:
    """Addresses held by disjoint prefixes, exactly (Python ints past 2**64)."""
    total = 0
    for part in prefixes.families():
        counts = np.bincount(part.length, minlength=part.bits + 1)
        total += sum(int(n) << (part.bits - length) for length, n in enumerate(counts) if n)
    return total


def overlap_report(prefixes: PrefixArray, ranges: IntervalArray) -> tuple[list[str], list[Pair]]:
    """The items' texts in input order, and every overlapping pair as the core reports it.

    Items are ranked as the core ranks them (family, first address, wider
    first, then input line); within a pair ``a`` ranks first, pairs are sorted by ``a`` then
    ``b``, and the relation is ``equal``, ``a_contains_b``, ``b_contains_a``
    or ``partial``.
    """
    text_of: dict[int, str] = {}
    for part in prefixes.families():
        text_of.update(zip(part.ids.tolist(), prefix_strings(part), strict=True))
    for span in ranges.families():
        text_of.update(zip(span.ids.tolist(), [str(r) for r in span.to_core()], strict=True))
    v4, v6 = (
        Intervals.concat([prefixes.family(bits).intervals(), ranges.family(bits)], bits)
        for bits in (32, 128)
    )
    rank = np.zeros(max(text_of, default=-1) + 1, dtype=np.int64)
    placed = 0
    for family in (v4, v6):
        # Equal items rank by input line, as the core ranks them by position.
        order = np.lexsort(
            (family.ids, ~family.end_lo, ~family.end_hi, family.start_lo, family.start_hi)
        )
        rank[family.ids[order]] = np.arange(placed, placed + len(order))
        placed += len(order)
    found = overlap_pairs(IntervalArray(v4, v6))
    first, second = found.first, found.second
    swap = rank[first] > rank[second]
    a = np.where(swap, second, first)
    b = np.where(swap, first, second)
    order = np.lexsort((rank[b], rank[a]))
    pairs = []
    for ia, ib, kind, swapped in zip(
        a[order].tolist(), b[order].tolist(), found.relation[order].tolist(),
        swap[order].tolist(), strict=True,
    ):
        if kind == CONTAINS:
            rel = "b_contains_a" if swapped else "a_contains_b"
        else:
            rel = "equal" if kind == EQUAL else "partial"
        pairs.append((text_of[ia], text_of[ib], rel))
    return [text_of[i] for i in sorted(text_of)], pairs
