"""All overlapping pairs among many prefixes or ranges, output-sensitive.

Sorted by (start ascending, end descending), the elements that overlap
element ``i`` and come after it are exactly the next ``c_i`` ones, where
``c_i`` counts the starts before ``i``'s end (one ``searchsorted``). The
pairs are then written with ``repeat``/``arange`` arithmetic, so the cost is
``O(n log n + pairs)``, never ``n**2``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cidrkit.bulk import coords
from cidrkit.bulk.arrays import FAMILY_BITS, IntervalArray, Intervals, PrefixArray, Prefixes
from cidrkit.errors import LimitError

I64 = npt.NDArray[np.int64]

EQUAL, CONTAINS, OVERLAPS = 0, 1, 2
RELATION_NAMES = ("equal", "contains", "overlaps")


@dataclass(frozen=True, slots=True)
class OverlapPairs:
    """Pairs of overlapping elements, each pair once, as ``ids``.

    ``first`` starts no later than ``second``; ``relation`` says ``EQUAL``
    (same addresses), ``CONTAINS`` (``first`` holds all of ``second``) or
    ``OVERLAPS`` (ranges that cross; never happens between prefixes).
    ``bits`` is 32 or 128 per pair. Pairs come sorted by ``first``'s start.
    """

    first: I64
    second: I64
    relation: npt.NDArray[np.uint8]
    bits: npt.NDArray[np.uint8]

    def __len__(self) -> int:
        return int(self.first.shape[0])


def overlap_pairs(items: PrefixArray | IntervalArray, limit: int | None = None) -> OverlapPairs:
    """Return every pair of elements of ``items`` that share an address.

    ``limit`` bounds the number of pairs; above it a ``LimitError`` carrying
    the exact count is raised before anything is built.
    """
    parts = [_family_pairs(items.family(bits)) for bits in FAMILY_BITS]
    total = sum(len(p[0]) for p in parts)
    if limit is not None and total > limit:
        raise LimitError(f"{total} overlapping pairs, more than the limit of {limit}", total)
    return OverlapPairs(
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
        np.concatenate(
            [
                np.full(len(p[0]), bits, dtype=np.uint8)
                for p, bits in zip(parts, FAMILY_BITS, strict=True)
            ]
        ),
    )


def count_overlap_pairs(items: PrefixArray | IntervalArray) -> int:
    """Return how many pairs ``overlap_pairs`` would return, without building them."""
    total = 0
    for bits in FAMILY_BITS:
        a, b, _ = _sorted_family(items.family(bits))
        total += int(_followers(a, b).sum())
    return total


def _sorted_family(part: Prefixes | Intervals) -> tuple[I64, I64, I64]:
    """Half-open coordinates sorted by (start, end descending) and the ids in that order."""
    n = len(part)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    spans = part.intervals() if isinstance(part, Prefixes) else part
    _, [(a, b)] = coords.encode(part.bits, [spans])
    slot_bits = int(n).bit_length()
    if isinstance(part, Prefixes) and int(a.max()).bit_length() + 8 + slot_bits <= 63:
        # Prefixes: end descending is length ascending; pack and sort in place.
        key = a << (8 + slot_bits)
        key |= part.length.astype(np.int64) << slot_bits
        key |= np.arange(n, dtype=np.int64)
        key.sort()
        order = key & ((1 << slot_bits) - 1)
    else:
        order = np.lexsort((np.arange(n), -b, a))
    return a[order], b[order], part.ids[order]


def _followers(a: I64, b: I64) -> I64:
    """For each sorted element, how many later elements start before it ends."""
    return np.searchsorted(a, b, side="left") - np.arange(a.shape[0]) - 1


def _family_pairs(part: Prefixes | Intervals) -> tuple[I64, I64, npt.NDArray[np.uint8]]:
    a, b, ids = _sorted_family(part)
    count = _followers(a, b)
    total = int(count.sum())
    outer = np.repeat(np.arange(a.shape[0]), count)
    # inner = outer + 1 + (rank of the pair within its outer's run)
    run_start = np.repeat(np.cumsum(count) - count, count)
    inner = outer + 1 + (np.arange(total) - run_start)
    del run_start
    same = (a[outer] == a[inner]) & (b[outer] == b[inner])
    relation = np.where(same, EQUAL, np.where(b[inner] <= b[outer], CONTAINS, OVERLAPS))
    return ids[outer], ids[inner], relation.astype(np.uint8)
