"""Set operations on many prefixes and ranges at once: merge, intersect, exclude.

Each operation takes ``PrefixArray`` and ``IntervalArray`` values of both
families, runs per family on int64 coordinates (``coords``, ``sweep``) and
returns the minimal sorted list of prefixes, the same answer as the core
``IPSet`` would give. Results are derived, so their ``ids`` are ``-1``.

>>> from cidrkit.bulk.textparse import parse_prefix_text
>>> a = parse_prefix_text(b"192.0.2.0/25\\n192.0.2.128/25\\n2001:db8::/33\\n").prefixes
>>> [str(p) for p in merge(a)]
['192.0.2.0/24', '2001:db8::/33']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from cidrkit.bulk import coords, sweep
from cidrkit.bulk.arrays import (
    FAMILY_BITS,
    IntervalArray,
    Intervals,
    PrefixArray,
    Prefixes,
)

I64 = npt.NDArray[np.int64]
Items = PrefixArray | IntervalArray
HalfOpen = tuple[I64, I64]


def _family(items: Sequence[Items], bits: int) -> Intervals:
    parts = []
    for item in items:
        part = item.family(bits)
        parts.append(part.intervals() if isinstance(part, Prefixes) else part)
    return Intervals.concat(parts, bits)


def _to_prefixes(space: coords.CoordSpace, result: HalfOpen) -> Prefixes:
    a, b = result
    if space.bits == 32:
        _, network, length = sweep.cidr_cover_v4(a, b)
        n = network.shape[0]
        return Prefixes(
            32,
            np.zeros(n, np.uint64),
            network.astype(np.uint64),
            length,
            np.full(n, -1, dtype=np.int64),
        )
    s_hi, s_lo = space.decode_start(a)
    e_hi, e_lo = space.decode_last(b)
    _, hi, lo, length = sweep.cidr_cover_128(s_hi, s_lo, e_hi, e_lo)
    return Prefixes(128, hi, lo, length, np.full(hi.shape[0], -1, dtype=np.int64))


def _to_intervals(space: coords.CoordSpace, result: HalfOpen) -> Intervals:
    a, b = result
    s_hi, s_lo = space.decode_start(a)
    e_hi, e_lo = space.decode_last(b)
    return Intervals(space.bits, s_hi, s_lo, e_hi, e_lo, np.full(a.shape[0], -1, np.int64))


Combine = Callable[[list[HalfOpen]], HalfOpen]


def _per_family(
    groups: Sequence[Sequence[Items]], combine: Combine
) -> list[tuple[coords.CoordSpace, HalfOpen]]:
    """Encode each group's union per family in one shared space and combine them."""
    out = []
    for bits in FAMILY_BITS:
        space, encoded = coords.encode(bits, [_family(g, bits) for g in groups])
        out.append((space, combine([sweep.union(a, b) for a, b in encoded])))
    return out


def _merged_sets(sets: list[HalfOpen]) -> HalfOpen:
    return sets[0]


def merge(*items: Items) -> PrefixArray:
    """Return the union of all ``items`` as minimal sorted prefixes (``cidr_merge``)."""
    v4, v6 = (_to_prefixes(s, r) for s, r in _per_family([items], _merged_sets))
    return PrefixArray(v4, v6)


def merge_ranges(*items: Items) -> IntervalArray:
    """Return the union of all ``items`` as sorted, disjoint, non-touching ranges."""
    v4, v6 = (_to_intervals(s, r) for s, r in _per_family([items], _merged_sets))
    return IntervalArray(v4, v6)


def intersect(first: Items | Sequence[Items], second: Items | Sequence[Items]) -> PrefixArray:
    """Return the addresses in both ``first`` and ``second`` as minimal prefixes."""
    results = _per_family([_seq(first), _seq(second)], lambda s: sweep.intersection(s[0], s[1]))
    v4, v6 = (_to_prefixes(s, r) for s, r in results)
    return PrefixArray(v4, v6)


def exclude(first: Items | Sequence[Items], second: Items | Sequence[Items]) -> PrefixArray:
    """Return the addresses of ``first`` that are not in ``second`` as minimal prefixes."""
    results = _per_family([_seq(first), _seq(second)], lambda s: sweep.difference(s[0], s[1]))
    v4, v6 = (_to_prefixes(s, r) for s, r in results)
    return PrefixArray(v4, v6)


def free_blocks(parents: Items | Sequence[Items], used: Items | Sequence[Items]) -> PrefixArray:
    """Return the largest free prefixes inside ``parents`` once ``used`` is taken out.

    The same answer as ``cidrkit.core.alloc.free_blocks`` for each parent,
    for any number of parents and used prefixes.
    """
    return exclude(parents, used)


def _seq(items: Items | Sequence[Items]) -> Sequence[Items]:
    if isinstance(items, PrefixArray | IntervalArray):
        return [items]
    return items
