"""Order-preserving int64 coordinates for the interval algorithms.

Every bulk set operation works on half-open ``[a, b)`` intervals of int64
coordinates. For IPv4 a coordinate is the address itself (``b`` can be 2**32,
still an int64). For IPv6 the boundaries (every start and every ``end + 1``)
of all inputs are sorted once and replaced by their rank, so 128-bit values
become small ints. Set algebra never creates a boundary that was not in an
input, so ranks lose nothing, and ``decode`` maps results back exactly;
adjacency (``end + 1 == start``) survives as equal ranks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cidrkit.bulk import words
from cidrkit.bulk.arrays import Intervals

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
HalfOpen = tuple[I64, I64]


@dataclass(frozen=True, slots=True)
class CoordSpace:
    """The coordinate mapping of one family for one operation.

    ``table_hi``/``table_lo`` hold the sorted distinct IPv6 boundaries
    (``None`` for IPv4, where coordinates are addresses). The coordinate
    ``len(table)`` stands for 2**128, the exclusive end of the last address.
    """

    bits: int
    table_hi: U64 | None = None
    table_lo: U64 | None = None

    def decode_start(self, coord: I64) -> tuple[U64, U64]:
        """Return the address ``(hi, lo)`` at inclusive start coordinates."""
        if self.table_hi is None or self.table_lo is None:
            return np.zeros(coord.shape[0], dtype=np.uint64), coord.astype(np.uint64)
        return self.table_hi[coord], self.table_lo[coord]

    def decode_last(self, coord: I64) -> tuple[U64, U64]:
        """Return the last address ``(hi, lo)`` of intervals ending (exclusive) at ``coord``."""
        if self.table_hi is None or self.table_lo is None:
            return np.zeros(coord.shape[0], dtype=np.uint64), (coord - 1).astype(np.uint64)
        size = self.table_hi.shape[0]
        past_end = coord >= size
        safe = np.minimum(coord, size - 1)
        hi, lo = words.sub_one(self.table_hi[safe], self.table_lo[safe])
        hi = np.where(past_end, words.ALL_ONES, hi)
        lo = np.where(past_end, words.ALL_ONES, lo)
        return hi, lo


def encode(bits: int, parts: Sequence[Intervals]) -> tuple[CoordSpace, list[HalfOpen]]:
    """Map inclusive intervals of one family to half-open int64 coordinates.

    All ``parts`` share the returned space, so their coordinates compare.
    """
    if bits == 32:
        return CoordSpace(32), [
            (p.start_lo.astype(np.int64), p.end_lo.astype(np.int64) + 1) for p in parts
        ]
    his: list[U64] = []
    los: list[U64] = []
    ends_wrapped: list[npt.NDArray[np.bool_]] = []
    for p in parts:
        e_hi, e_lo, wrapped = words.add_one(p.end_hi, p.end_lo)
        his += [p.start_hi, e_hi]
        los += [p.start_lo, e_lo]
        ends_wrapped.append(wrapped)
    table_hi, table_lo, rank = rank_128(np.concatenate(his), np.concatenate(los))
    space = CoordSpace(128, table_hi, table_lo)
    out: list[HalfOpen] = []
    at = 0
    past_end = table_hi.shape[0]
    for p, wrapped in zip(parts, ends_wrapped, strict=True):
        n = len(p)
        a = rank[at : at + n]
        b = np.where(wrapped, past_end, rank[at + n : at + 2 * n])
        out.append((a, b))
        at += 2 * n
    return space, out


def rank_128(hi: U64, lo: U64) -> tuple[U64, U64, I64]:
    """Return the sorted distinct values ``(hi, lo)`` and each input's rank among them.

    Wrapped ``end + 1`` values (2**128 read as 0) get a rank too; callers
    replace it. When every low word is zero (prefixes no longer than /64,
    the usual case in routing tables) the high word alone orders the values.
    """
    if hi.shape[0] == 0:
        return hi, lo, np.zeros(0, dtype=np.int64)
    if not lo.any():
        table_hi, rank = np.unique(hi, return_inverse=True)
        return table_hi, np.zeros(table_hi.shape[0], np.uint64), rank.astype(np.int64)
    order = np.lexsort((lo, hi))
    s_hi, s_lo = hi[order], lo[order]
    distinct = np.ones(order.shape[0], dtype=bool)
    distinct[1:] = (s_hi[1:] != s_hi[:-1]) | (s_lo[1:] != s_lo[:-1])
    rank = np.empty(order.shape[0], dtype=np.int64)
    rank[order] = np.cumsum(distinct) - 1
    return s_hi[distinct], s_lo[distinct], rank
