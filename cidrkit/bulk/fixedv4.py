"""IPv4 lines parsed as fixed-width rows: the fast path for the common case.

A line such as ``203.0.113.0/24`` is at most 18 bytes. Every candidate line
is read as one 24-byte row (a single gather of 24-byte items), and:

1. the positions of ``.`` and ``/`` in a row, together with the line length,
   form a 19-bit key; a lookup table turns the key into one of the 243 line
   shapes (octets of 1-3 digits, an optional length of 1-2 digits), or
   "no shape";
2. lines are grouped by shape (real files use a few dozen), so within a
   group every field sits in fixed columns: a field's value is a sum of
   per-column table lookups, with no per-row shuffling;
3. the digit tables map any byte that is not a digit, and a leading zero,
   to a value far above 255, so one comparison per address checks digits,
   leading zeros and octet ranges together.

Lines without a shape (IPv6, comments, whitespace, errors) are not an error
here: the caller sends them down the general path.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U16 = npt.NDArray[np.uint16]
U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]

MIN_LINE = len("0.0.0.0")
MAX_LINE = len("255.255.255.255/32")
# Rows are read 24 bytes wide: as fast as 18, and three whole 64-bit words.
ROW = 24
_NO_SHAPE = 255
_INVALID = 1 << 12  # far above any field value; three of them still fit in uint16


def _digit_table(weight: int, *, leading: bool) -> U16:
    """Map a byte to ``digit * weight``; anything else to ``_INVALID``.

    ``leading`` marks the first digit of a field of two or more digits, where
    ``0`` is refused as the core parser does (some tools read it as octal).
    """
    table = np.full(256, _INVALID, dtype=np.uint16)
    for digit in range(1 if leading else 0, 10):
        table[ord("0") + digit] = digit * weight
    return table


# _DIGIT_VALUE[digits][k]: table for the k-th digit of a field of that many digits.
_DIGIT_VALUE = {
    n: [_digit_table(10 ** (n - 1 - k), leading=(k == 0 and n > 1)) for k in range(n)]
    for n in (1, 2, 3)
}


class _Shape:
    """Where the fields and separators of one line shape sit."""

    __slots__ = ("dots", "fields", "slash")

    def __init__(self, octets: tuple[int, ...], length_digits: int) -> None:
        self.fields: list[tuple[int, int]] = []  # (first column, digits)
        self.dots: list[int] = []
        pos = 0
        for digits in octets:
            self.fields.append((pos, digits))
            pos += digits
            self.dots.append(pos)
            pos += 1
        self.slash = self.dots.pop() if length_digits else -1
        if length_digits:
            self.fields.append((self.slash + 1, length_digits))

    @property
    def line_length(self) -> int:
        first, digits = self.fields[-1]
        return first + digits

    @property
    def key(self) -> int:
        separators = [*self.dots, *([self.slash] if self.slash >= 0 else [])]
        return sum(1 << bit for bit in separators) | (1 << self.line_length)


_SHAPES = [_Shape(tuple(octets), n) for *octets, n in product(*[(1, 2, 3)] * 4, (0, 1, 2))]


def _key_tables() -> tuple[U8, U8]:
    """Key to shape index, for prefixes and for bare addresses (no length)."""
    any_shape = np.full(1 << (MAX_LINE + 1), _NO_SHAPE, dtype=np.uint8)
    address_shape = any_shape.copy()
    for index, shape in enumerate(_SHAPES):
        any_shape[shape.key] = index
        if shape.slash < 0:
            address_shape[shape.key] = index
    return any_shape, address_shape


_KEY_TO_SHAPE, _KEY_TO_ADDRESS_SHAPE = _key_tables()


def padded(data: bytes) -> U8:
    """Return ``data`` as bytes with room to read a whole row past any line start."""
    return np.frombuffer(data + bytes(ROW), dtype=np.uint8)


def parse_v4_rows(
    buffer: U8, starts: I64, lengths: I64, *, allow_length: bool
) -> tuple[Bools, U32, U8]:
    """Parse the lines at ``starts`` (of ``lengths`` bytes) that are plain IPv4.

    ``buffer`` comes from ``padded``. Returns ``(ok, value, length)`` per
    line: ``ok`` is false for a line that is not exactly ``a.b.c.d`` or
    ``a.b.c.d/n`` in canonical decimal (then ``value`` and ``length`` are
    meaningless). ``allow_length=False`` accepts bare addresses only.
    Host bits are not looked at.
    """
    count = starts.shape[0]
    items = np.ndarray(
        (buffer.shape[0] - ROW + 1,), dtype=np.dtype((np.void, ROW)), buffer=buffer, strides=(1,)
    )
    rows: U8 = items[starts].view(np.uint8).reshape(count, ROW)
    bits = _separator_bits(rows.view(np.uint64))
    key = bits[:, 0] | (bits[:, 1] << np.uint32(8)) | (bits[:, 2] << np.uint32(16))
    end_bit = np.left_shift(np.uint32(1), lengths.astype(np.uint32))
    key &= end_bit - np.uint32(1)
    key |= end_bit
    shape = (_KEY_TO_SHAPE if allow_length else _KEY_TO_ADDRESS_SHAPE)[key]

    # Rows sorted by shape: every group is a contiguous block.
    order = np.argsort(shape, kind="stable")
    # Gathered as 24-byte items (a 2-D fancy index is far slower), then
    # turned column-major so that each column of a block is contiguous.
    columns = np.ascontiguousarray(
        rows.view(np.dtype((np.void, ROW)))[:, 0][order].view(np.uint8).reshape(count, ROW).T
    )
    bounds = np.concatenate(([0], np.cumsum(np.bincount(shape, minlength=256))))
    ok = np.zeros(count, dtype=bool)
    value = np.zeros(count, dtype=np.uint32)
    length = np.full(count, 32, dtype=np.uint8)
    for index in np.flatnonzero(np.diff(bounds[: _NO_SHAPE + 1])).tolist():
        block = slice(bounds[index], bounds[index + 1])
        group_ok, group_value, group_length = _parse_group(columns[:, block], _SHAPES[index])
        ok[block] = group_ok
        value[block] = group_value
        if group_length is not None:
            length[block] = group_length
    # Back to line order.
    in_order = np.empty_like(order)
    in_order[order] = np.arange(count)
    return ok[in_order], value[in_order], length[in_order]


def _separator_bits(words: npt.NDArray[np.uint64]) -> U32:
    """One bit per byte of each word (little-endian): set where it is ``.`` or ``/``."""
    # '.' and '/' are 0x2E and 0x2F: clear the low bit, and they are the
    # bytes equal to 0x2E, found as zero bytes of the XOR (exact SWAR test).
    x = words & np.uint64(0xFEFE_FEFE_FEFE_FEFE)
    x ^= np.uint64(0x2E2E_2E2E_2E2E_2E2E)
    low7 = np.uint64(0x7F7F_7F7F_7F7F_7F7F)
    y = x & low7
    y += low7
    y |= x
    # Top bit of each byte set where the byte was zero; then gather the eight
    # top bits into one byte: the multiplier puts bit 7 of byte i at bit
    # 56 + i, and no partial product carries into that byte.
    np.invert(y, out=y)
    y &= np.uint64(0x8080_8080_8080_8080)
    y >>= np.uint64(7)
    y *= np.uint64(0x0102_0408_1020_4080)
    y >>= np.uint64(56)
    return y.astype(np.uint32)


def _parse_group(columns: U8, shape: _Shape) -> tuple[Bools, U32, U8 | None]:
    """Parse lines that all have ``shape``, given column-major: ``columns[j]`` is byte j."""
    values: list[U16] = []
    for first, digits in shape.fields:
        tables = _DIGIT_VALUE[digits]
        field = tables[0][columns[first]]
        for k in range(1, digits):
            field += tables[k][columns[first + k]]
        values.append(field)
    octets = values[:4]
    ok = (octets[0] | octets[1] | octets[2] | octets[3]) < 256
    # The key found the separators (0x2E or 0x2F); OR-ed, the first three
    # give 0x2E only when all are dots.
    dots = columns[shape.dots[0]] | columns[shape.dots[1]] | columns[shape.dots[2]]
    ok &= dots == ord(".")
    wide = [o.astype(np.uint32) for o in octets]
    value = wide[0] << np.uint32(24)
    value |= wide[1] << np.uint32(16)
    value |= wide[2] << np.uint32(8)
    value |= wide[3]
    if shape.slash < 0:
        return ok, value, None
    ok &= (columns[shape.slash] == ord("/")) & (values[4] <= 32)
    return ok, value, values[4].astype(np.uint8)
