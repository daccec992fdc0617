"""Find lines of free text that mention an address inside given prefixes or ranges.

Candidates are found with two regular expressions over a whole chunk of
text at once (IPv4 dotted quads; IPv6 colon groups, with an optional dotted
tail), parsed in bulk, and tested against the patterns with one
longest-prefix-match lookup. Text that only looks like an address (a time
``12:30:45``, a MAC address, ``999.1.1.1``) is not an address and never
matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from cidrkit.bulk.arrays import IntervalArray, PrefixArray
from cidrkit.bulk.lpm import LpmTable
from cidrkit.bulk.setops import merge
from cidrkit.bulk.textparse import parse_address_text

# Not glued to other digits or dots-with-digits, so 1.2.3.4.5 and 11.2.3.4
# inside 311.2.3.45 are not read as addresses; a sentence's final dot is fine.
_V4 = re.compile(r"(?<![0-9])(?<![0-9]\.)(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9])(?!\.[0-9])")
_V6 = re.compile(
    r"(?<![0-9A-Za-z:.])"
    r"(?:[0-9A-Fa-f]{0,4}:){2,7}"
    r"(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]{0,4})"
    r"(?![0-9A-Za-z:])"
)


def pack_intervals(prefixes: PrefixArray) -> tuple[bytes, bytes]:
    """Inclusive ``(first, last)`` of every prefix as the engine reads them.

    IPv4: little-endian u32 pairs; IPv6: u64 quadruples
    ``(first_hi, first_lo, last_hi, last_lo)``.
    """
    v4, v6 = prefixes.v4, prefixes.v6
    packed_v4 = np.stack([v4.lo, v4.last()[1]], axis=1).astype("<u4").tobytes()
    last_hi, last_lo = v6.last()
    packed_v6 = np.stack([v6.hi, v6.lo, last_hi, last_lo], axis=1).astype("<u8").tobytes()
    return packed_v4, packed_v6


@dataclass(frozen=True, slots=True)
class LineMatches:
    """Which lines of a chunk matched, and the matching addresses per line.

    ``selected[k]`` is true when line ``k`` holds at least one address inside
    the patterns; ``found[k]`` lists those addresses as written, in order.
    """

    selected: npt.NDArray[np.bool_]
    found: list[list[str]]


class CidrGrep:
    """Matches text against a fixed set of prefixes and ranges (both families)."""

    def __init__(self, patterns: Sequence[PrefixArray | IntervalArray]) -> None:
        merged = merge(*patterns)
        # Merged prefixes carry no ids; number them so a match is >= 0.
        numbered = PrefixArray(
            merged.v4.with_ids(np.arange(len(merged.v4), dtype=np.int64)),
            merged.v6.with_ids(np.arange(len(merged.v6), dtype=np.int64)),
        )
        self._table = LpmTable(numbered)
        self._merged = merged
        self.empty = len(merged) == 0

    def native(self, engine: ModuleType) -> Any:
        """The same matcher in the compiled engine (``engine.Grep``)."""
        return engine.Grep(*pack_intervals(self._merged))

    def scan(self, lines: Sequence[str]) -> LineMatches:
        """Scan lines (without newlines); return which matched and with what."""
        text = "\n".join(lines)
        starts: list[int] = []
        ends: list[int] = []
        candidates: list[str] = []
        for pattern in (_V6, _V4):
            for m in pattern.finditer(text):
                starts.append(m.start())
                ends.append(m.end())
                candidates.append(m.group())
        selected = np.zeros(len(lines), dtype=bool)
        found: list[list[str]] = [[] for _ in lines]
        if not candidates:
            return LineMatches(selected, found)
        parsed = parse_address_text("\n".join(candidates).encode())
        result = self._table.lookup(parsed.prefixes)
        hit = np.zeros(len(candidates), dtype=bool)
        hit[parsed.prefixes.v4.ids] = result.v4 >= 0
        hit[parsed.prefixes.v6.ids] = result.v6 >= 0
        # The dotted tail of an IPv6 address (::ffff:10.0.0.1) is part of
        # that IPv6 address, not an IPv4 address of its own.
        begin = np.asarray(starts, dtype=np.int64)
        is_v6 = np.zeros(len(candidates), dtype=bool)
        is_v6[parsed.prefixes.v6.ids] = True
        v6_begin, v6_end = begin[is_v6], np.asarray(ends, dtype=np.int64)[is_v6]
        if v6_begin.shape[0]:
            order = np.argsort(v6_begin)
            v6_begin, v6_end = v6_begin[order], v6_end[order]
            at = np.searchsorted(v6_begin, begin, side="right") - 1
            inside_v6 = (at >= 0) & (v6_end[np.maximum(at, 0)] > begin) & ~is_v6
            hit &= ~inside_v6
        if not hit.any():
            return LineMatches(selected, found)
        line_starts = np.zeros(len(lines), dtype=np.int64)
        if len(lines) > 1:
            line_starts[1:] = np.cumsum([len(line) + 1 for line in lines[:-1]])
        hit_at = np.flatnonzero(hit)
        positions = begin[hit_at]
        line_of = np.searchsorted(line_starts, positions, side="right") - 1
        selected[line_of] = True
        # Report addresses in the order they appear in each line.
        for k in np.argsort(positions, kind="stable").tolist():
            found[int(line_of[k])].append(candidates[int(hit_at[k])])
        return LineMatches(selected, found)
