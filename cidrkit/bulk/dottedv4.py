"""IPv4 lines parsed by separator positions: the fast path for long plain lists.

Every byte below ``'0'`` (``.``, ``/``, newline, but also blanks, ``#``,
``-``, NUL...) is a separator, found with one comparison over the buffer.
Every separator ends a field, so field lengths are the gaps between
consecutive separators, and one unaligned 32-bit gather per separator reads
the up-to-three digits before it; SWAR arithmetic checks them (digits only,
no leading zero) and gives the value, all in vector form.

A plain line ``a.b.c.d`` has exactly four separators (three dots and the
newline), ``a.b.c.d/n`` five. When every line of the buffer has the same
shape, which is the common case of a generated list, the separators reshape
to one row per line and no per-line gather is needed at all. Otherwise the
lines with four or five separators are gathered by the index of their
newline. Lines that fail any check are not an error here: the caller sends
them down the general path, which writes the messages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U8 = npt.NDArray[np.uint8]
U16 = npt.NDArray[np.uint16]
Bools = npt.NDArray[np.bool_]

_DOT, _SLASH, _NEWLINE = ord("."), ord("/"), ord("\n")
# Every byte becomes a 4-bit code: a digit its value, any byte below '0'
# (the separators) _SEP, anything else _OTHER.
_SEP, _OTHER = 10, 11
_CODES = bytes(
    d - ord("0") if ord("0") <= d <= ord("9") else _SEP if d < ord("0") else _OTHER
    for d in range(256)
)
_NOT_CLEAN = 0x100


def _field_table() -> U16:
    """Field value for each key of four codes (the last one just before the separator).

    ``_NOT_CLEAN`` (or any value above 255) when the digits ending at the
    separator are not 1-3 of them preceded by a separator, have a leading
    zero or exceed 255.
    """
    key = np.arange(1 << 16, dtype=np.uint32)
    code = [(key >> np.uint32(4 * i)) & np.uint32(15) for i in range(4)]  # code[3]: last
    value = np.full(1 << 16, _NOT_CLEAN, dtype=np.uint32)
    for digits in (1, 2, 3):
        field = code[4 - digits :]
        ok = code[3 - digits] == _SEP
        for c in field:
            ok &= c < 10
        if digits > 1:
            ok &= field[0] != 0
        number = np.zeros_like(key)
        for c in field:
            number = number * np.uint32(10) + c
        value = np.where(ok & (number <= 255), number, value)
    return value.astype(np.uint16)


_FIELD_VALUE = _field_table()


@dataclass(frozen=True, slots=True)
class DottedLines:
    """What the fast path made of a buffer.

    ``newlines`` holds the position of every line's newline; ``lines`` the
    indexes of the lines that are plain IPv4, in order, with their address
    ``value`` and prefix ``length`` (32 for a bare address).
    """

    newlines: I64
    lines: I64
    value: U32
    length: U8


def parse_dotted_lines(data: bytes, *, allow_length: bool) -> DottedLines:
    """Find the lines of ``data`` (which ends with a newline) that are plain IPv4.

    A plain line is ``a.b.c.d`` or, with ``allow_length``, ``a.b.c.d/n``, in
    canonical decimal: 1-3 digits per octet, no leading zero, octets up to
    255, a length up to 32. Host bits are not looked at.
    """
    codes = np.frombuffer(bytes([_SEP] * 4) + data.translate(_CODES), dtype=np.uint8)
    # Positions in data; in codes the separator sits four bytes later.
    sep_pos = np.flatnonzero(codes[4:] == _SEP)
    sep_kind = np.frombuffer(data, dtype=np.uint8)[sep_pos]
    value = _fields(codes, sep_pos)
    # (bytes.count is several times slower than this on few separators.)
    count = int(np.count_nonzero(sep_kind == _NEWLINE))
    for width in (4, 5) if allow_length else (4,):
        if sep_pos.shape[0] == width * count:
            kinds = sep_kind.reshape(count, width)
            # With exactly one newline per row, the last column holds them all.
            if (kinds[:, :3] == _DOT).all() and (width == 4 or (kinds[:, 3] == _SLASH).all()):
                return _uniform(value.reshape(count, width), sep_pos[width - 1 :: width])
    field_ok = value <= 255
    line_last = np.flatnonzero(sep_kind == _NEWLINE)
    newlines = sep_pos[line_last]
    return _gathered(sep_kind, value, field_ok, line_last, newlines, allow_length)


def _uniform(rows: U16, newlines: I64) -> DottedLines:
    """Lines that all have the same separators: one row of field values each."""
    columns = rows.T
    # Values of bad fields are above 255, so one OR per row tests them all.
    worst = columns[0] | columns[1]
    worst |= columns[2]
    worst |= columns[3]
    ok = worst <= 255
    if rows.shape[1] == 5:
        ok &= columns[4] <= 32
    if ok.all():
        lines = np.arange(rows.shape[0], dtype=np.int64)
    else:
        lines = np.flatnonzero(ok)
        columns = rows[lines].T
    address, length = _assemble(columns, rows.shape[1])
    return DottedLines(newlines, lines, address, length)


def _fields(codes: U8, sep_pos: I64) -> U16:
    """Value of the field ending at each separator; above 255 when it is not clean.

    Clean: 1-3 digits, no leading zero, value at most 255. The four codes
    before the separator (a 4-bit code each) form a 16-bit key, and one
    table says what such a field is worth.
    """
    words = np.ndarray((codes.shape[0] - 3,), dtype="<u4", buffer=codes, strides=(1,))
    # Little-endian, codes[q-4] .. codes[q-1] sit in bytes 0..3 of words[q]
    # (the buffer starts with four separator codes).
    # np.take: several times faster than indexing on this strided view.
    x = np.take(words, sep_pos)
    x |= x >> np.uint32(4)  # byte 0: codes 0 and 1, byte 2: codes 2 and 3
    x &= np.uint32(0x00FF_00FF)
    x |= x >> np.uint32(8)
    key = x.view(np.uint16)[::2]
    values: U16 = np.take(_FIELD_VALUE, key)
    return values


def _assemble(columns: U16, width: int) -> tuple[U32, U8]:
    """Address and length from the field values of rows, column by column."""
    address = columns[0].astype(np.uint32) << np.uint32(24)
    address |= columns[1].astype(np.uint32) << np.uint32(16)
    address |= columns[2].astype(np.uint32) << np.uint32(8)
    address |= columns[3]
    if width == 4:
        return address, np.full(address.shape[0], 32, dtype=np.uint8)
    return address, columns[4].astype(np.uint8)


def _gathered(
    sep_kind: U8,
    value: U16,
    field_ok: Bools,
    line_last: I64,
    newlines: I64,
    allow_length: bool,
) -> DottedLines:
    """The mixed case: look at each line's separators through its newline index."""
    seps_in_line = np.diff(line_last, prepend=-1)
    parts: list[tuple[I64, U32, U8]] = []
    for width in (4, 5) if allow_length else (4,):
        lines = np.flatnonzero(seps_in_line == width)
        last = line_last[lines]
        ok = (sep_kind[last - width + 1] == _DOT) & (sep_kind[last - width + 2] == _DOT)
        ok &= sep_kind[last - width + 3] == _DOT
        if width == 5:
            ok &= (sep_kind[last - 1] == _SLASH) & (value[last] <= 32)
        for column in range(width):
            ok &= field_ok[last - width + 1 + column]
        last = last[ok]
        columns = np.stack([value[last - width + 1 + column] for column in range(width)])
        address, length = _assemble(columns, width)
        parts.append((lines[ok], address, length))
    if len(parts) == 1:
        return DottedLines(newlines, *parts[0])
    lines = np.concatenate([p[0] for p in parts])
    order = np.argsort(lines, kind="stable")
    return DottedLines(
        newlines,
        lines[order],
        np.concatenate([p[1] for p in parts])[order],
        np.concatenate([p[2] for p in parts])[order],
    )
