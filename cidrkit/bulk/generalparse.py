"""The general path of bulk text parsing: any line shape, by separator positions.

Plain IPv4 lines are handled before this by ``dottedv4``; everything else
comes here. The buffer is scanned with numpy, never with a Python loop per
line:

1. find every separator byte (``. : / \\n``) and the line it belongs to;
2. read the field that ends at each separator (up to four characters) as
   both a decimal and a hexadecimal number by gathering the bytes before it;
3. check per line that the separators form the shape of an IPv4 or IPv6
   prefix and place each field in its octet or 16-bit group.

Lines that do not fit the fast shapes (blank lines, comments, surrounding
whitespace, ranges, IPv4-embedded IPv6, zone ids, host bits set, or plain
garbage) are few in real files; they go one by one through the core parser,
which also writes the error message, with the line number, for bad ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from cidrkit.bulk import words
from cidrkit.bulk.arrays import FAMILY_BITS, IntervalArray, Intervals, PrefixArray, Prefixes
from cidrkit.errors import ParseError

I64 = npt.NDArray[np.int64]
Mode = Literal["strict", "masked", "address"]

# One translation table gives every byte its meaning: a digit its value
# (0-15, hex letters included), a separator a code at the top, anything
# else one "other" code between the two. One comparison then finds all
# separators, and the bytes before a separator already hold field values.
_DOT, _COLON, _SLASH, _NEWLINE = 0x20, 0x21, 0x22, 0x23
_OTHER = 0x10
_SEPARATOR_MIN = _DOT


def _table(pairs: dict[str, int], default: int = 0) -> bytes:
    """A 256-byte table for ``bytes.translate``: C speed, no index arrays."""
    table = bytearray([default]) * 256
    for chars, value in pairs.items():
        for ch in chars:
            table[ord(ch)] = value
    return bytes(table)


_MEANING = _table(
    {
        **{str(d): d for d in range(10)},
        **{c: 10 + i for i, c in enumerate("abcdef")},
        **{c: 10 + i for i, c in enumerate("ABCDEF")},
        ".": _DOT,
        ":": _COLON,
        "/": _SLASH,
        "\n": _NEWLINE,
    },
    default=_OTHER,
)
_POW10 = np.array([1, 1, 10, 100, 1000], dtype=np.uint32)
# Read little-endian, the byte just before a separator is the top byte of
# the 32-bit word ending there; a field of n bytes keeps the top n bytes.
_KEEP_TOP_BYTES = np.array([0, 0xFF00_0000, 0xFFFF_0000, 0xFFFF_FF00, 0xFFFF_FFFF], np.uint32)


def _words_before(translated: bytes, positions: I64, field_len: I64) -> npt.NDArray[np.uint32]:
    """Return, per position, the up-to-4 bytes of ``translated`` just before it.

    One unaligned 32-bit gather per field instead of four byte gathers. Bytes
    before the field start are shifted out, so the field sits in the top
    bytes, units digit topmost, and the rest are zero.
    """
    if len(translated) < 4:
        translated = translated.ljust(4, b"\0")
    view = np.ndarray((len(translated) - 3,), dtype="<u4", buffer=translated, strides=(1,))
    word: npt.NDArray[np.uint32] = view[np.maximum(positions - 4, 0)]
    # A field in the first 3 bytes has fewer than 4 bytes before its end;
    # shift the word read at offset 0 so the field still ends at the top.
    short = np.flatnonzero(positions < 4)
    if short.shape[0]:
        word[short] <<= (8 * (4 - positions[short])).astype(np.uint32)
    word &= _KEEP_TOP_BYTES[np.minimum(field_len, 4)]
    return word


def _decimal(word: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """Value of up to four decimal digit bytes (units digit in the top byte).

    SWAR: first each byte pair becomes a two-digit number in its low byte,
    then the two pairs combine; the multiplications never carry across lanes
    that are kept.
    """
    pairs = (word * np.uint32(10) + (word >> np.uint32(8))) & np.uint32(0x00FF_00FF)
    return (pairs * np.uint32(100) + (pairs >> np.uint32(16))) & np.uint32(0xFFFF)


def _hexadecimal(word: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """Value of up to four hex digit bytes (last digit in the top byte)."""
    return (
        (word >> 24)
        | (((word >> 16) & 0xFF) << 4)
        | (((word >> 8) & 0xFF) << 8)
        | ((word & 0xFF) << 12)
    ).astype(np.uint32)


@dataclass(frozen=True, slots=True)
class ParsedText:
    """What a buffer of text lines held.

    ``prefixes`` and ``ranges`` carry, as ``ids``, the 0-based index of the
    line they came from; ``problems`` holds one located ``ParseError`` per bad
    line, in line order. Blank lines and ``#`` comments are skipped silently.
    """

    prefixes: PrefixArray
    ranges: IntervalArray = field(default_factory=IntervalArray.empty)
    problems: list[ParseError] = field(default_factory=list)
    line_count: int = 0


def parse_general(
    data: bytes,
    mode: Mode,
    source: str,
    first_line: int,
    line_numbers: Sequence[int] | I64 | None,
) -> ParsedText:
    """Parse any lines by separator positions; the unusual ones one by one."""
    meaning = data.translate(_MEANING)
    cls = np.frombuffer(meaning, dtype=np.uint8)
    sep_pos = np.flatnonzero(cls >= _SEPARATOR_MIN)
    sep_kind = cls[sep_pos]
    # Index, within sep_pos, of the newline closing each line: the
    # separators of line k are sep_pos[line_first[k] : line_last[k] + 1].
    line_last = np.flatnonzero(sep_kind == _NEWLINE)
    newlines = sep_pos[line_last]
    line_count = int(newlines.shape[0])
    line_first = np.empty_like(line_last)
    line_first[0] = 0
    line_first[1:] = line_last[:-1] + 1
    seps_in_line = line_last - line_first + 1

    # Line shapes from the kinds of a few separators per line, not counts:
    # a length is given when the separator before the newline is '/'.
    top = sep_kind.shape[0] - 1

    def kind_at(index: I64) -> npt.NDArray[np.uint8]:
        kinds: npt.NDArray[np.uint8] = sep_kind[np.minimum(np.maximum(index, 0), top)]
        return kinds

    has_len = (seps_in_line >= 2) & (kind_at(line_last - 1) == _SLASH)
    dots_first = (
        (kind_at(line_first) == _DOT)
        & (kind_at(line_first + 1) == _DOT)
        & (kind_at(line_first + 2) == _DOT)
    )
    fourth = kind_at(line_first + 3)
    v4_shape = dots_first & (
        ((seps_in_line == 4) & (fourth == _NEWLINE)) | ((seps_in_line == 5) & (fourth == _SLASH))
    )
    v6_shape = (seps_in_line >= 3) & (kind_at(line_first) == _COLON)
    # Hex letters (10-15) and other bytes (0x10) are rare in IPv4 files:
    # find both with one scan, then tell them apart at those few positions.
    unusual = np.flatnonzero((cls >= 10) & (cls < _SEPARATOR_MIN))
    unusual_line = np.searchsorted(newlines, unusual)
    has_other = np.zeros(line_count, dtype=bool)
    has_hex = np.zeros(line_count, dtype=bool)
    is_other = cls[unusual] == _OTHER
    has_other[unusual_line[is_other]] = True
    has_hex[unusual_line[~is_other]] = True
    del cls, unusual, unusual_line, is_other

    # The field ending at each separator: its length and decimal value.
    prev = np.empty_like(sep_pos)
    prev[0] = -1
    prev[1:] = sep_pos[:-1]
    flen = sep_pos - prev - 1
    del prev
    dec = _decimal(_words_before(meaning, sep_pos, flen))
    # Leading zeros are refused in decimal fields (octets, lengths), as the
    # core parser does, because some tools read them as octal.
    leading_zero = (flen > 1) & (dec < _POW10[np.minimum(flen, 4)])
    dec_field_ok = (flen >= 1) & (flen <= 3) & ~leading_zero

    clean = ~has_other & (seps_in_line > 1)
    if mode == "address":
        clean &= ~has_len
    v4_lines = np.flatnonzero(clean & ~has_hex & v4_shape)
    v6_lines = np.flatnonzero(clean & v6_shape)

    fast_v4 = _v4_fields(v4_lines, line_first, has_len, dec, dec_field_ok)
    fields = _SeparatorFields(sep_pos, sep_kind, flen, dec, dec_field_ok, meaning)
    fast_v6 = _v6_fields(v6_lines, line_first, seps_in_line, has_len, fields)
    if mode != "address":  # a bare address has no host bits
        fast_v4 = apply_host_bits(fast_v4, mode)
        fast_v6 = apply_host_bits(fast_v6, mode)

    handled = np.zeros(line_count, dtype=bool)
    handled[fast_v4.ids] = True
    handled[fast_v6.ids] = True
    starts = np.empty_like(newlines)
    starts[0] = 0
    starts[1:] = newlines[:-1] + 1
    blank = starts == newlines
    slow_lines = np.flatnonzero(~handled & ~blank)
    slow = _parse_slowly(
        data,
        starts[slow_lines].tolist(),
        newlines[slow_lines].tolist(),
        slow_lines.tolist(),
        mode,
        source,
        first_line,
        line_numbers,
    )
    prefixes = PrefixArray(
        in_line_order(fast_v4, slow.prefixes.v4), in_line_order(fast_v6, slow.prefixes.v6)
    )
    return ParsedText(prefixes, slow.ranges, slow.problems, line_count)


@dataclass(frozen=True, slots=True)
class _SeparatorFields:
    """Per-separator facts shared by the family-specific assemblers."""

    pos: I64
    kind: npt.NDArray[np.uint8]
    length: I64
    dec: npt.NDArray[np.uint32]
    dec_ok: npt.NDArray[np.bool_]
    meaning: bytes


def _lines_holding(mask: npt.NDArray[np.bool_], newlines: I64) -> npt.NDArray[np.bool_]:
    """Return, per line, whether any byte of the line is set in ``mask``."""
    out = np.zeros(newlines.shape[0], dtype=bool)
    positions = np.flatnonzero(mask)
    if positions.shape[0]:
        out[np.searchsorted(newlines, positions)] = True
    return out


def _v4_fields(
    lines: I64,
    line_first: I64,
    line_has_len: npt.NDArray[np.bool_],
    dec: npt.NDArray[np.uint32],
    dec_field_ok: npt.NDArray[np.bool_],
) -> Prefixes:
    """Assemble IPv4 prefixes from lines shaped ``a.b.c.d[/n]`` (shape already checked)."""
    first = line_first[lines]
    has_len = line_has_len[lines]
    last_sep = dec.shape[0] - 1
    ok = np.ones(lines.shape[0], dtype=bool)
    value = np.zeros(lines.shape[0], dtype=np.uint64)
    for k in range(4):
        octet = dec[first + k]
        ok &= dec_field_ok[first + k] & (octet <= 255)
        value = (value << np.uint64(8)) | octet.astype(np.uint64)
    len_field = np.minimum(first + 4, last_sep)
    length = np.where(has_len, dec[len_field], 32)
    ok &= ~has_len | (dec_field_ok[len_field] & (length <= 32))
    return Prefixes(
        32,
        np.zeros(int(np.count_nonzero(ok)), dtype=np.uint64),
        value[ok],
        length[ok].astype(np.uint8),
        lines[ok].astype(np.int64),
    )


def _v6_fields(
    lines: I64,
    line_first: I64,
    seps_in_line: I64,
    line_has_len: npt.NDArray[np.bool_],
    f: _SeparatorFields,
) -> Prefixes:
    """Assemble IPv6 prefixes from lines of hex groups, with at most one ``::``.

    Split at ``:``, an address has 8 non-empty groups, or one empty field in
    the middle (``a::b``), two at either end (``::a``, ``a::``) or three
    (``::``). Groups after the gap count from the right end.
    """
    # Lines with more than 9 address fields cannot be IPv6 (the core says why).
    lines = lines[seps_in_line[lines] - line_has_len[lines] <= 9]
    m = lines.shape[0]
    if m == 0:
        return Prefixes.empty(128)
    has_len = line_has_len[lines]
    # Every separator but the newline ends an address field when a length is
    # given; otherwise the newline ends the last one.
    nfields = seps_in_line[lines] - has_len
    first = line_first[lines]

    # One flat entry per address field: its line, its column, its separator.
    row = np.repeat(np.arange(m), nfields)
    start = np.cumsum(nfields) - nfields
    col = np.arange(row.shape[0]) - start[row]
    sep = first[row] + col
    flen = f.length[sep]
    empty = flen == 0
    n_empty = np.add.reduceat(empty.astype(np.int64), start)
    first_empty = np.minimum.reduceat(np.where(empty, col, 99), start)
    second_empty = np.add.reduceat((empty & (col == 1)).astype(np.int64), start) > 0
    last_col = nfields - 1
    middle = (first_empty >= 1) & (first_empty <= last_col - 1)
    ends_gap = (n_empty == 2) & (
        ((first_empty == 0) & second_empty) | (first_empty == last_col - 1)
    )
    ok = (
        ((n_empty == 0) & (nfields == 8))
        | ((n_empty == 1) & middle & (nfields <= 8))
        | (ends_gap & (nfields >= 3))
        | ((n_empty == 3) & (nfields == 3))
    )
    # Groups have at most 4 digits, and every address field but the last
    # ends at ':' (the last ends at '/' or the newline by construction).
    bad = (flen > 4) | ((col < last_col[row]) & (f.kind[sep] != _COLON))
    ok &= np.add.reduceat(bad.astype(np.int64), start) == 0

    last_sep = f.pos.shape[0] - 1
    len_field = np.minimum(first + nfields, last_sep)
    length = np.where(has_len, f.dec[len_field], 128)
    len_word = _words_before(f.meaning, f.pos[len_field], f.length[len_field])
    ok &= ~has_len | (f.dec_ok[len_field] & _only_decimal_digits(len_word) & (length <= 128))

    # Groups before the gap count from the left, those after from the right.
    group = np.where(col < first_empty[row], col, 8 - nfields[row] + col)
    keep = ~empty & ok[row]
    at = sep[keep]
    values = _hexadecimal(_words_before(f.meaning, f.pos[at], flen[keep]))
    groups = np.zeros((m, 8), dtype=np.uint64)
    groups[row[keep], group[keep]] = values
    shifts = np.array([48, 32, 16, 0], dtype=np.uint64)
    hi = np.bitwise_or.reduce(groups[:, :4] << shifts, axis=1)
    lo = np.bitwise_or.reduce(groups[:, 4:] << shifts, axis=1)
    return Prefixes(128, hi[ok], lo[ok], length[ok].astype(np.uint8), lines[ok].astype(np.int64))


def _only_decimal_digits(word: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """True where no kept byte of a field word is a hex letter (value 10-15)."""
    ok = np.ones(word.shape[0], dtype=bool)
    for shift in (0, 8, 16, 24):
        ok &= ((word >> np.uint32(shift)) & np.uint32(0xFF)) < 10
    return ok


def apply_host_bits(p: Prefixes, mode: Mode) -> Prefixes:
    """Mask host bits (masked mode) or drop prefixes that have them.

    Dropped lines go through the core parser, whose error carries the hint.
    """
    if p.bits == 32:
        mask_lo = np.left_shift(np.uint64(1), (32 - p.length).astype(np.uint64)) - np.uint64(1)
        mask_hi = np.zeros(1, dtype=np.uint64)
    else:
        mask_hi, mask_lo = words.host_mask(p.length, p.bits)
    if mode == "masked":
        return Prefixes(p.bits, p.hi & ~mask_hi, p.lo & ~mask_lo, p.length, p.ids)
    ok = ((p.hi & mask_hi) == 0) & ((p.lo & mask_lo) == 0)
    return p if ok.all() else p.take(ok)


def in_line_order(fast: Prefixes, slow: Prefixes) -> Prefixes:
    """Concatenate fast-path and slow-path prefixes back into line order."""
    if not len(slow):
        return fast
    both = Prefixes.concat([fast, slow], fast.bits)
    return both.take(np.argsort(both.ids, kind="stable"))


def _parse_slowly(
    data: bytes,
    starts: list[int],
    ends: list[int],
    line_index: list[int],
    mode: Mode,
    source: str,
    first_line: int,
    line_numbers: Sequence[int] | I64 | None,
) -> ParsedText:
    """Parse the unusual lines one by one with the core parser."""
    from cidrkit.core import Addr, Prefix, Range
    from cidrkit.core.parse import parse_addr, parse_item

    found: dict[int, list[tuple[int, int, int]]] = {32: [], 128: []}
    spans: dict[int, list[tuple[int, int, int]]] = {32: [], 128: []}
    problems: list[ParseError] = []
    for start, end, index in zip(starts, ends, line_index, strict=True):
        raw = data[start:end].decode("utf-8", errors="replace")
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            item: Addr | Prefix | Range
            if mode == "address":
                item = parse_addr(text)
            elif mode == "masked" and "/" in text:
                item = Prefix.parse_masked(text)
            else:
                item = parse_item(text)
        except ParseError as err:
            number = int(line_numbers[index]) if line_numbers is not None else first_line + index
            problems.append(err.located(f"{source}:{number}"))
            continue
        if isinstance(item, Addr):
            found[item.bits].append((item.value, item.bits, index))
        elif isinstance(item, Prefix):
            found[item.bits].append((item.value, item.length, index))
        else:
            spans[item.bits].append((item.start, item.end, index))
    prefix_parts = []
    interval_parts = []
    for bits in FAMILY_BITS:
        rows = found[bits]
        hi, lo = words.split_ints([r[0] for r in rows])
        length = np.array([r[1] for r in rows], dtype=np.uint8)
        ids = np.array([r[2] for r in rows], dtype=np.int64)
        prefix_parts.append(Prefixes(bits, hi, lo, length, ids))
        span_rows = spans[bits]
        ids = np.array([r[2] for r in span_rows], dtype=np.int64)
        interval_parts.append(Intervals.from_tuples(bits, [(r[0], r[1]) for r in span_rows], ids))
    return ParsedText(
        PrefixArray(prefix_parts[0], prefix_parts[1]),
        IntervalArray(interval_parts[0], interval_parts[1]),
        problems,
    )
