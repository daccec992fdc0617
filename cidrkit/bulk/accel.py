"""The bulk path for the core ``IPSet``: normalising many intervals with numpy.

Registered with ``cidrkit.core.ipset.set_accelerator`` when ``cidrkit.bulk``
is imported; the core then hands it any input above its size threshold and
expects exactly what its own pure-Python ``normalise`` returns.
"""

from __future__ import annotations

from cidrkit.bulk import coords, sweep
from cidrkit.bulk.arrays import FAMILY_BITS, Intervals
from cidrkit.bulk.words import join_ints

Interval = tuple[int, int, int]


def normalise_intervals(intervals: list[Interval]) -> list[Interval]:
    """Sort and merge ``(bits, start, end)`` intervals so none overlap or touch.

    IPv4 intervals come first, then IPv6, each family sorted by address.
    """
    out: list[Interval] = []
    for bits in FAMILY_BITS:
        spans = [(s, e) for b, s, e in intervals if b == bits]
        if not spans:
            continue
        space, [(a, b)] = coords.encode(bits, [Intervals.from_tuples(bits, spans)])
        a, b = sweep.union(a, b)
        starts = join_ints(*space.decode_start(a))
        ends = join_ints(*space.decode_last(b))
        out.extend((bits, s, e) for s, e in zip(starts, ends, strict=True))
    return out
