"""Canonical text of many prefixes, produced in blocks for streaming output.

IPv4 text is assembled with numpy: each row of a byte matrix receives the
digits of its four octets and its length at computed offsets, and the
padding is squeezed out in one pass. IPv6 text uses the core formatter
(RFC 5952), one value at a time; it is the rarer and shorter output.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from cidrkit.bulk import words
from cidrkit.bulk.arrays import PrefixArray, Prefixes

BLOCK = 1 << 16

# Decimal text of 0..255 as up to three ASCII bytes, and its length.
_DIGITS = np.zeros((256, 3), dtype=np.uint8)
_DIGIT_COUNT = np.zeros(256, dtype=np.int64)
for _v in range(256):
    _text = str(_v).encode()
    _DIGITS[_v, : len(_text)] = np.frombuffer(_text, dtype=np.uint8)
    _DIGIT_COUNT[_v] = len(_text)


def iter_prefix_text(prefixes: PrefixArray, *, with_length: bool = True) -> Iterator[str]:
    """Yield the canonical text of every prefix, one per line, in blocks.

    Each yielded string holds up to ``BLOCK`` lines, each ending in a
    newline. ``with_length=False`` writes bare addresses (the network).
    """
    for part in prefixes.families():
        for start in range(0, len(part), BLOCK):
            chunk = part.take(np.arange(start, min(start + BLOCK, len(part))))
            yield "".join(line + "\n" for line in prefix_strings(chunk, with_length=with_length))


def prefix_strings(part: Prefixes, *, with_length: bool = True) -> list[str]:
    """Return the canonical text of each prefix of one family, in array order."""
    if part.bits == 32:
        text = _v4_text(part.lo, part.length if with_length else None)
        return text.split("\n")[:-1] if text else []
    from cidrkit.core.text import format_v6

    values = words.join_ints(part.hi, part.lo)
    if not with_length:
        return [format_v6(v) for v in values]
    return [f"{format_v6(v)}/{n}" for v, n in zip(values, part.length.tolist(), strict=True)]


def _v4_text(values: npt.NDArray[np.uint64], length: npt.NDArray[np.uint8] | None) -> str:
    """Newline-terminated dotted quads (with ``/length`` when given)."""
    n = values.shape[0]
    if n == 0:
        return ""
    width = 3 * 4 + 3 + 3 + 1  # octets, dots, "/nn", newline
    out = np.zeros((n, width), dtype=np.uint8)
    rows = np.arange(n)
    cursor = np.zeros(n, dtype=np.int64)
    fields = [(values >> np.uint64(shift)) & np.uint64(255) for shift in (24, 16, 8, 0)]
    if length is not None:
        fields.append(length.astype(np.uint64))
    separators = [ord(".")] * 3 + ([ord("/")] if length is not None else []) + [ord("\n")]
    for field, separator in zip(fields, separators, strict=True):
        octet = field.astype(np.int64)
        digits = _DIGITS[octet]
        count = _DIGIT_COUNT[octet]
        for k in range(3):
            has = count > k
            out[rows[has], cursor[has] + k] = digits[has, k]
        cursor += count
        out[rows, cursor] = separator
        cursor += 1
    flat = out.ravel()
    text: str = flat[flat != 0].tobytes().decode("ascii")
    return text
