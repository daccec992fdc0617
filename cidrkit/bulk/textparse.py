"""Vectorised parsing of prefix and address text, a whole buffer at once.

The public entry points. A buffer is cut into pieces of about a megabyte;
plain IPv4 lines of each piece are read by ``dottedv4`` from separator
positions, and the other lines go to the general path in ``generalparse``,
which also reports bad lines with their line number and the core parser's
message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from cidrkit.bulk import dottedv4
from cidrkit.bulk.arrays import FAMILY_BITS, IntervalArray, Intervals, PrefixArray, Prefixes
from cidrkit.bulk.generalparse import (
    I64,
    Mode,
    ParsedText,
    apply_host_bits,
    in_line_order,
    parse_general,
)

__all__ = [
    "Mode",
    "ParsedText",
    "parse_address_text",
    "parse_prefix_text",
    "parse_prefix_text_masked",
]

def parse_prefix_text(
    data: bytes,
    source: str = "<input>",
    first_line: int = 1,
    line_numbers: Sequence[int] | None = None,
) -> ParsedText:
    """Parse one item per line: prefixes, bare addresses (as /32, /128) and ranges.

    Strict like ``Prefix.parse``: a prefix with host bits set is a problem
    (with a hint), not silently masked. ``first_line`` numbers the first line
    of ``data`` in messages, for callers that feed a file in chunks;
    ``line_numbers``, when given, numbers each line of ``data`` instead (for
    text extracted from other lines, such as one CSV column).
    """
    return _parse(data, "strict", source, first_line, line_numbers)


def parse_prefix_text_masked(
    data: bytes,
    source: str = "<input>",
    first_line: int = 1,
    line_numbers: Sequence[int] | None = None,
) -> ParsedText:
    """Like ``parse_prefix_text`` but clear host bits, as ``Prefix.parse_masked`` does."""
    return _parse(data, "masked", source, first_line, line_numbers)


def parse_address_text(
    data: bytes,
    source: str = "<input>",
    first_line: int = 1,
    line_numbers: Sequence[int] | None = None,
) -> ParsedText:
    """Parse one address per line; each becomes a /32 or /128 prefix.

    A line holding a prefix or range is a problem, not an address.
    """
    return _parse(data, "address", source, first_line, line_numbers)


# Buffers are parsed in pieces of about this many bytes: the
# temporaries of one piece stay in cache and are recycled by the allocator,
# instead of page-faulting fresh memory for arrays the size of the input.
PIECE_BYTES = 1 << 20


def _parse(
    data: bytes, mode: Mode, source: str, first_line: int, line_numbers: Sequence[int] | None
) -> ParsedText:
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    if data and not data.endswith(b"\n"):
        data += b"\n"
    return _in_pieces(
        data, PIECE_BYTES, _parse_dotted_piece, mode, source, first_line, line_numbers
    )


def _in_pieces(
    data: bytes,
    piece_bytes: int,
    parse: Callable[[bytes, Mode, str, int, Sequence[int] | I64 | None], ParsedText],
    mode: Mode,
    source: str,
    first_line: int,
    line_numbers: Sequence[int] | I64 | None,
) -> ParsedText:
    """Run ``parse`` on whole-line pieces of ``data`` and join the results."""
    if len(data) <= piece_bytes:
        return parse(data, mode, source, first_line, line_numbers)
    results: list[ParsedText] = []
    offsets: list[int] = []
    start = 0
    lines_before = 0
    while start < len(data):
        stop = data.find(b"\n", min(start + piece_bytes, len(data) - 1)) + 1
        piece = data[start:stop]
        numbers = None
        if line_numbers is not None:
            numbers = line_numbers[lines_before : lines_before + piece.count(b"\n")]
        result = parse(piece, mode, source, first_line + lines_before, numbers)
        results.append(result)
        offsets.append(lines_before)
        lines_before += result.line_count
        start = stop
    return _joined(results, offsets, lines_before)


def _joined(results: list[ParsedText], offsets: list[int], line_count: int) -> ParsedText:
    """Concatenate per-piece results, turning piece line indexes into buffer ones."""
    families = []
    spans = []
    for bits in FAMILY_BITS:
        families.append(
            Prefixes.concat(
                [
                    r.prefixes.family(bits).with_ids(r.prefixes.family(bits).ids + o)
                    for r, o in zip(results, offsets, strict=True)
                ],
                bits,
            )
        )
        pieces = []
        for r, o in zip(results, offsets, strict=True):
            part = r.ranges.family(bits)
            pieces.append(
                Intervals(
                    bits, part.start_hi, part.start_lo, part.end_hi, part.end_lo, part.ids + o
                )
            )
        spans.append(Intervals.concat(pieces, bits))
    problems = [p for r in results for p in r.problems]
    return ParsedText(
        PrefixArray(families[0], families[1]),
        IntervalArray(spans[0], spans[1]),
        problems,
        line_count,
    )


def _parse_dotted_piece(
    data: bytes,
    mode: Mode,
    source: str,
    first_line: int,
    line_numbers: Sequence[int] | I64 | None,
) -> ParsedText:
    """Parse a buffer that ends with a newline (or is empty).

    Plain IPv4 lines are found by separator positions; whatever they leave
    (IPv6, ranges, comments, errors, host bits set) is gathered into a
    smaller buffer for the general path.
    """
    if not data:
        return ParsedText(PrefixArray.empty(), line_count=0)
    found = dottedv4.parse_dotted_lines(data, allow_length=mode != "address")
    fast = Prefixes(
        32,
        np.zeros(found.lines.shape[0], dtype=np.uint64),
        found.value.astype(np.uint64),
        found.length,
        found.lines,
    )
    return _with_general_rest(data, fast, found.newlines, mode, source, first_line, line_numbers)


def _with_general_rest(
    data: bytes,
    fast: Prefixes,
    newlines: I64,
    mode: Mode,
    source: str,
    first_line: int,
    line_numbers: Sequence[int] | I64 | None,
) -> ParsedText:
    """Join the IPv4 lines a fast path found with the general parse of the others.

    ``newlines`` gives the position of every line's newline; ``fast.ids``
    the lines already parsed (host bits not yet looked at).
    """
    line_count = int(newlines.shape[0])
    if mode != "address":
        fast = apply_host_bits(fast, mode)
    if len(fast) == line_count:
        return ParsedText(PrefixArray(fast, Prefixes.empty(128)), line_count=line_count)
    if not len(fast):
        return _in_pieces(data, PIECE_BYTES, parse_general, mode, source, first_line, line_numbers)
    lengths = np.diff(newlines, prepend=-1) - 1
    rest = np.ones(line_count, dtype=bool)
    rest[fast.ids] = False
    rest &= lengths > 0
    rest_lines = np.flatnonzero(rest)
    if not rest_lines.shape[0]:
        return ParsedText(PrefixArray(fast, Prefixes.empty(128)), line_count=line_count)
    # Keep the bytes of the remaining lines, newlines included.
    everything = np.frombuffer(data, dtype=np.uint8)
    rest_data = everything[np.repeat(rest, lengths + 1)].tobytes()
    numbers: Sequence[int] | I64
    if line_numbers is not None:
        numbers = np.asarray(line_numbers, dtype=np.int64)[rest_lines]
    else:
        numbers = rest_lines + first_line
    general = _in_pieces(rest_data, PIECE_BYTES, parse_general, mode, source, first_line, numbers)
    v4, v6 = general.prefixes.families()
    ranges = [r.with_ids(rest_lines[r.ids]) for r in general.ranges.families()]
    return ParsedText(
        PrefixArray(
            in_line_order(fast, v4.with_ids(rest_lines[v4.ids])),
            v6.with_ids(rest_lines[v6.ids]),
        ),
        IntervalArray(ranges[0], ranges[1]),
        general.problems,
        line_count,
    )


