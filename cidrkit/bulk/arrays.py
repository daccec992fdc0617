"""Array types holding many prefixes or ranges of one or both families.

``Prefixes`` and ``Intervals`` hold one family each (IPv4 or IPv6) as
parallel numpy arrays: every value is a 128-bit pair of uint64 words (see
``words``), ``ids`` records where each element came from (a line index, a row
number, a caller's key) and travels with it through every operation that keeps
elements. ``PrefixArray`` and ``IntervalArray`` pair the two families, so
mixed input is split by family once and every operation runs per family.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from cidrkit.bulk import words

if TYPE_CHECKING:
    from cidrkit.core import Prefix, Range

U64 = npt.NDArray[np.uint64]
U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]

FAMILY_BITS = (32, 128)


def _empty_u64() -> U64:
    return np.zeros(0, dtype=np.uint64)


def _empty_ids() -> I64:
    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class Prefixes:
    """Many prefixes of one family: network ``(hi, lo)``, ``length`` and ``ids``.

    Invariants: all arrays have the same length; host bits are zero; IPv4
    values (``bits == 32``) have ``hi == 0``.
    """

    bits: int
    hi: U64
    lo: U64
    length: U8
    ids: I64

    @classmethod
    def empty(cls, bits: int) -> Prefixes:
        """Return an empty array of the family with ``bits`` address bits."""
        return cls(bits, _empty_u64(), _empty_u64(), np.zeros(0, np.uint8), _empty_ids())

    def __len__(self) -> int:
        return int(self.lo.shape[0])

    def last(self) -> tuple[U64, U64]:
        """Return the last address ``(hi, lo)`` of every prefix."""
        if self.bits == 32:
            # One shift does it: IPv4 host masks fit in the low word.
            host = np.left_shift(np.uint64(1), (32 - self.length).astype(np.uint64))
            return self.hi, self.lo | (host - np.uint64(1))
        mask_hi, mask_lo = words.host_mask(self.length, self.bits)
        return self.hi | mask_hi, self.lo | mask_lo

    def take(self, index: npt.NDArray[np.integer]) -> Prefixes:
        """Return the elements at ``index`` (a positional index or a boolean mask)."""
        return Prefixes(
            self.bits, self.hi[index], self.lo[index], self.length[index], self.ids[index]
        )

    def with_ids(self, ids: I64) -> Prefixes:
        """Return the same prefixes with other ``ids``."""
        return Prefixes(self.bits, self.hi, self.lo, self.length, ids)

    def intervals(self) -> Intervals:
        """Return the address range of every prefix, keeping ``ids``."""
        end_hi, end_lo = self.last()
        return Intervals(self.bits, self.hi, self.lo, end_hi, end_lo, self.ids)

    def to_core(self) -> list[Prefix]:
        """Return the prefixes as core ``Prefix`` values, in array order."""
        from cidrkit.core import Prefix

        values = words.join_ints(self.hi, self.lo)
        return [Prefix(self.bits, v, n) for v, n in zip(values, self.length.tolist(), strict=True)]

    @staticmethod
    def concat(parts: Iterable[Prefixes], bits: int) -> Prefixes:
        """Concatenate arrays of the same family."""
        items = [p for p in parts if len(p)]
        if not items:
            return Prefixes.empty(bits)
        if len(items) == 1:
            return items[0]
        return Prefixes(
            bits,
            np.concatenate([p.hi for p in items]),
            np.concatenate([p.lo for p in items]),
            np.concatenate([p.length for p in items]),
            np.concatenate([p.ids for p in items]),
        )


@dataclass(frozen=True, slots=True, eq=False)
class Intervals:
    """Many inclusive address ranges of one family, with ``ids``."""

    bits: int
    start_hi: U64
    start_lo: U64
    end_hi: U64
    end_lo: U64
    ids: I64

    @classmethod
    def empty(cls, bits: int) -> Intervals:
        """Return an empty array of the family with ``bits`` address bits."""
        e = _empty_u64
        return cls(bits, e(), e(), e(), e(), _empty_ids())

    def __len__(self) -> int:
        return int(self.start_lo.shape[0])

    def take(self, index: npt.NDArray[np.integer]) -> Intervals:
        """Return the elements at ``index`` (a positional index or a boolean mask)."""
        return Intervals(
            self.bits,
            self.start_hi[index],
            self.start_lo[index],
            self.end_hi[index],
            self.end_lo[index],
            self.ids[index],
        )

    def with_ids(self, ids: I64) -> Intervals:
        """Return the same intervals with other ``ids``."""
        return Intervals(self.bits, self.start_hi, self.start_lo, self.end_hi, self.end_lo, ids)

    def to_core(self) -> list[Range]:
        """Return the intervals as core ``Range`` values, in array order."""
        from cidrkit.core import Range

        starts = words.join_ints(self.start_hi, self.start_lo)
        ends = words.join_ints(self.end_hi, self.end_lo)
        return [Range(self.bits, s, e) for s, e in zip(starts, ends, strict=True)]

    @staticmethod
    def concat(parts: Iterable[Intervals], bits: int) -> Intervals:
        """Concatenate arrays of the same family."""
        items = [p for p in parts if len(p)]
        if not items:
            return Intervals.empty(bits)
        if len(items) == 1:
            return items[0]
        return Intervals(
            bits,
            np.concatenate([p.start_hi for p in items]),
            np.concatenate([p.start_lo for p in items]),
            np.concatenate([p.end_hi for p in items]),
            np.concatenate([p.end_lo for p in items]),
            np.concatenate([p.ids for p in items]),
        )

    @staticmethod
    def from_tuples(
        bits: int, spans: Iterable[tuple[int, int]], ids: I64 | None = None
    ) -> Intervals:
        """Build from ``(start, end)`` Python ints (inclusive)."""
        pairs = list(spans)
        s_hi, s_lo = words.split_ints([s for s, _ in pairs])
        e_hi, e_lo = words.split_ints([e for _, e in pairs])
        if ids is None:
            ids = np.arange(len(pairs), dtype=np.int64)
        return Intervals(bits, s_hi, s_lo, e_hi, e_lo, ids)


@dataclass(frozen=True, slots=True, eq=False)
class PrefixArray:
    """Prefixes of both families: ``v4`` and ``v6``, each a ``Prefixes``."""

    v4: Prefixes
    v6: Prefixes

    @classmethod
    def empty(cls) -> PrefixArray:
        """Return an array with no prefixes."""
        return cls(Prefixes.empty(32), Prefixes.empty(128))

    @classmethod
    def from_core(cls, prefixes: Iterable[Prefix]) -> PrefixArray:
        """Build from core ``Prefix`` values; ``ids`` are their positions."""
        by_family: dict[int, list[tuple[int, int, int]]] = {32: [], 128: []}
        for index, p in enumerate(prefixes):
            by_family[p.bits].append((p.value, p.length, index))
        parts = []
        for bits in FAMILY_BITS:
            rows = by_family[bits]
            hi, lo = words.split_ints([r[0] for r in rows])
            length = np.fromiter((r[1] for r in rows), dtype=np.uint8, count=len(rows))
            ids = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows))
            parts.append(Prefixes(bits, hi, lo, length, ids))
        return cls(parts[0], parts[1])

    def family(self, bits: int) -> Prefixes:
        """Return the part of the family with ``bits`` address bits (32 or 128)."""
        return self.v4 if bits == 32 else self.v6

    def families(self) -> tuple[Prefixes, Prefixes]:
        """Return ``(v4, v6)``."""
        return self.v4, self.v6

    def __len__(self) -> int:
        return len(self.v4) + len(self.v6)

    def __iter__(self) -> Iterator[Prefix]:
        """Yield core ``Prefix`` values, IPv4 first, each family in array order."""
        yield from self.v4.to_core()
        yield from self.v6.to_core()

    def intervals(self) -> IntervalArray:
        """Return the address range of every prefix, keeping ``ids``."""
        return IntervalArray(self.v4.intervals(), self.v6.intervals())


@dataclass(frozen=True, slots=True, eq=False)
class IntervalArray:
    """Inclusive ranges of both families: ``v4`` and ``v6``, each an ``Intervals``."""

    v4: Intervals
    v6: Intervals

    @classmethod
    def empty(cls) -> IntervalArray:
        """Return an array with no ranges."""
        return cls(Intervals.empty(32), Intervals.empty(128))

    def family(self, bits: int) -> Intervals:
        """Return the part of the family with ``bits`` address bits (32 or 128)."""
        return self.v4 if bits == 32 else self.v6

    def families(self) -> tuple[Intervals, Intervals]:
        """Return ``(v4, v6)``."""
        return self.v4, self.v6

    def __len__(self) -> int:
        return len(self.v4) + len(self.v6)

    def to_core(self) -> list[Range]:
        """Return core ``Range`` values, IPv4 first."""
        return self.v4.to_core() + self.v6.to_core()
