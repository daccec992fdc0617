"""Canonical text of many prefixes, produced in blocks for streaming output.

Both families are assembled with numpy in fixed-width rows: every field has
its own columns, filled from digit tables with its text left-aligned and the
unused bytes left zero, and one pass squeezes the zero bytes out. IPv6 rows
follow RFC 5952: groups without leading zeros, the longest run of two or more
zero groups (the first on ties) written as ``::``. IPv4-mapped values keep
their dotted tail and go through the core formatter; they are rare.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import numpy as np
import numpy.typing as npt

from cidrkit.bulk import words
from cidrkit.bulk.arrays import PrefixArray, Prefixes

BLOCK = 1 << 16
U8 = npt.NDArray[np.uint8]


def _decimal_table(limit: int, width: int) -> U8:
    """Decimal text of 0..limit as ``width`` left-aligned ASCII bytes, zero-padded."""
    table = np.zeros((limit + 1, width), dtype=np.uint8)
    for value in range(limit + 1):
        text = str(value).encode()
        table[value, : len(text)] = np.frombuffer(text, dtype=np.uint8)
    return table


_DIGITS = _decimal_table(255, 3)


@cache
def _hex_groups() -> U8:
    """Lower-case hex text of every 16-bit group, left-aligned in 4 zero-padded bytes."""
    values = np.arange(1 << 16, dtype=np.uint32)
    count = 1 + (values > 0xF) + (values > 0xFF) + (values > 0xFFF)
    alphabet = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    table = np.zeros((1 << 16, 4), dtype=np.uint8)
    for k in range(4):
        # Character k of a group of ``count`` digits is nibble count-1-k.
        shift = (4 * (count - 1 - k)).clip(0).astype(np.uint32)
        char = alphabet[(values >> shift) & 0xF]
        table[:, k] = np.where(k < count, char, 0)
    return table


def iter_prefix_text(prefixes: PrefixArray, *, with_length: bool = True) -> Iterator[str]:
    """Yield the canonical text of every prefix, one per line, in blocks.

    Each yielded string holds up to ``BLOCK`` lines, each ending in a
    newline. ``with_length=False`` writes bare addresses (the network).
    """
    for part in prefixes.families():
        for start in range(0, len(part), BLOCK):
            chunk = part.take(np.arange(start, min(start + BLOCK, len(part))))
            yield _text(chunk, with_length)


def prefix_strings(part: Prefixes, *, with_length: bool = True) -> list[str]:
    """Return the canonical text of each prefix of one family, in array order."""
    text = _text(part, with_length)
    return text.split("\n")[:-1] if text else []


def _text(part: Prefixes, with_length: bool) -> str:
    if part.bits == 32:
        return _v4_text(part.lo, part.length if with_length else None)
    return _v6_text(part.hi, part.lo, part.length if with_length else None)


def _v4_text(values: npt.NDArray[np.uint64], length: U8 | None) -> str:
    """Newline-terminated dotted quads (with ``/length`` when given)."""
    n = values.shape[0]
    if n == 0:
        return ""
    # "ddd.ddd.ddd.ddd/dd\n": 19 columns.
    out = np.zeros((n, 19), dtype=np.uint8)
    for k, shift in enumerate((24, 16, 8, 0)):
        octet = ((values >> np.uint64(shift)) & np.uint64(255)).astype(np.intp)
        out[:, 4 * k : 4 * k + 3] = _DIGITS[octet]
        if k < 3:
            out[:, 4 * k + 3] = ord(".")
    if length is not None:
        out[:, 15] = ord("/")
        out[:, 16:18] = _DIGITS[length][:, :2]
    out[:, 18] = ord("\n")
    return _squeezed(out)


def _v6_text(hi: npt.NDArray[np.uint64], lo: npt.NDArray[np.uint64], length: U8 | None) -> str:
    """Newline-terminated RFC 5952 text (with ``/length`` when given)."""
    n = hi.shape[0]
    if n == 0:
        return ""
    groups = np.empty((n, 8), dtype=np.intp)
    for k, shift in enumerate((48, 32, 16, 0)):
        groups[:, k] = (hi >> np.uint64(shift)) & np.uint64(0xFFFF)
        groups[:, k + 4] = (lo >> np.uint64(shift)) & np.uint64(0xFFFF)

    # Length of the zero run ending at each group; the first maximum is the
    # end of the first longest run.
    run = np.zeros((n, 8), dtype=np.int8)
    run[:, 0] = groups[:, 0] == 0
    for k in range(1, 8):
        run[:, k] = (run[:, k - 1] + 1) * (groups[:, k] == 0)
    best_end = run.argmax(axis=1)
    best = run[np.arange(n), best_end]
    compress = best >= 2
    first = np.where(compress, best_end - best + 1, 8)
    stop = np.where(compress, best_end + 1, 8)

    # Columns: a spare ':' slot, then group g at 1+5g..4+5g with its ':' at
    # 5+5g, a spare ':' slot at 40, "/ddd" at 41-44 and the newline at 45.
    # "::" is the group's colons left standing around the blanked run; a
    # run at either end borrows the spare slot on that side.
    out = np.zeros((n, 46), dtype=np.uint8)
    table = _hex_groups()
    column = np.arange(8)
    in_run = (column >= first[:, None]) & (column < stop[:, None])
    for g in range(8):
        out[:, 1 + 5 * g : 5 + 5 * g] = table[groups[:, g]]
        if g < 7:
            out[:, 5 + 5 * g] = np.where(in_run[:, g] & in_run[:, g + 1], 0, ord(":"))
    out[:, 1:40:5][in_run] = 0
    out[:, 0] = np.where(compress & (first == 0), ord(":"), 0)
    out[:, 40] = np.where(compress & (stop == 8), ord(":"), 0)
    if length is not None:
        out[:, 41] = ord("/")
        out[:, 42:45] = _DIGITS[length]
    out[:, 45] = ord("\n")
    text = _squeezed(out)
    mapped = np.flatnonzero((hi == 0) & ((lo >> np.uint64(32)) == np.uint64(0xFFFF)))
    if not mapped.shape[0]:
        return text
    from cidrkit.core.text import format_v6

    lines = text.split("\n")
    values = words.join_ints(hi[mapped], lo[mapped])
    for row, value in zip(mapped.tolist(), values, strict=True):
        suffix = f"/{int(length[row])}" if length is not None else ""
        lines[row] = format_v6(value) + suffix
    return "\n".join(lines)


def _squeezed(rows: U8) -> str:
    """The bytes of ``rows`` without the zero padding, as text."""
    flat = rows.ravel()
    text: str = flat[flat != 0].tobytes().decode("ascii")
    return text
