"""Address text: strict parsing and canonical formatting for both families.

Parsing is strict on purpose. Anything a person could mean two ways is an
error that says so (``010.0.0.1`` is octal to ``inet_aton`` and decimal to
most humans). Columns in errors are 1-based and point into the text as given.
"""

from __future__ import annotations

from cidrkit.errors import ArgumentError, ParseError, quote

# A piece of the input echoed inside a reason (an octet, a group) is cut to
# this many characters; the whole input is already quoted at the front.
PIECE_LIMIT = 20

V4_BITS = 32
V6_BITS = 128
V4_MAX = (1 << V4_BITS) - 1
V6_MAX = (1 << V6_BITS) - 1


def family_bits(version: int) -> int:
    """The address width of IP version 4 or 6, in bits: 32 or 128.

    >>> family_bits(6)
    128
    """
    if version == 4:
        return V4_BITS
    if version == 6:
        return V6_BITS
    raise ArgumentError(f"IP version must be 4 or 6, not {version!r}")

_HEX = frozenset("0123456789abcdefABCDEF")
_MAPPED_PREFIX = 0xFFFF << 32


def parse_v4(text: str, *, offset: int = 0, whole: str | None = None) -> int:
    """Parse dotted-quad IPv4 text to an int; raise ParseError otherwise.

    ``offset`` and ``whole`` let callers embed this text in a larger input
    (``10.0.0.0/8``, an IPv6 tail) and still get columns and messages that
    point at the whole input.
    """
    parts = text.split(".")
    if len(parts) == 4:
        value = 0
        for part in parts:
            # Fast path: the common, valid case costs one check per octet.
            if not (part.isascii() and part.isdigit()) or len(part) > 3 or (
                len(part) > 1 and part[0] == "0"
            ):
                break
            octet = int(part)
            if octet > 255:
                break
            value = (value << 8) | octet
        else:
            return value
    raise _v4_error(text, offset, whole if whole is not None else text)


def _v4_error(text: str, offset: int, whole: str) -> ParseError:
    """Explain why ``text`` is not a dotted quad, pointing at the first bad octet."""
    parts = text.split(".")
    if len(parts) != 4 and all(part.isascii() and part.isdigit() for part in parts):
        return _octet_count_error(parts, offset, whole)
    column = offset + 1
    for part in parts:
        if part == "":
            return ParseError(whole, "empty octet in IPv4 address", column=column)
        bad = next((c for c in part if not (c.isascii() and c.isdigit())), None)
        if bad is not None:
            return ParseError(
                whole,
                f"unexpected character {bad!r} in IPv4 octet {quote(part, PIECE_LIMIT)}",
                column=column + part.index(bad),
            )
        if len(part) > 1 and part[0] == "0":
            return ParseError(
                whole,
                f"octet {quote(part, PIECE_LIMIT)} has a leading zero, which is ambiguous "
                "(octal to some tools, decimal to others)",
                column=column,
                hint=f"write it as {part.lstrip('0') or '0'} if decimal was meant",
            )
        # Length first: int() of a huge digit string raises its own ValueError.
        if len(part) > 3 or int(part) > 255:
            shown = part if len(part) <= PIECE_LIMIT else part[: PIECE_LIMIT - 1] + "\u2026"
            return ParseError(whole, f"octet {shown} is above 255", column=column)
        column += len(part) + 1
    return _octet_count_error(parts, offset, whole)


def _is_octet(part: str) -> bool:
    return part.isascii() and part.isdigit() and len(part) <= 3 and int(part) <= 255


def _octet_count_error(parts: list[str], offset: int, whole: str) -> ParseError:
    hint = None
    _, slash, length = whole.partition("/")
    if (
        slash
        and 1 <= len(parts) < 4
        and all(_is_octet(p) for p in parts)
        and length.isascii() and length.isdigit() and len(length) <= 2 and int(length) <= 32
    ):
        # "10/8" and "192.168/16" are the classful shorthand of routing
        # tools (trailing zero octets left out): suggest the written-out prefix.
        padded = ".".join(parts + ["0"] * (4 - len(parts)))
        hint = f"did you mean {padded}/{length}?"
    # A lone number is the 32-bit integer form inet_aton() accepts; name the
    # dotted quad it stands for rather than guess silently.
    elif len(parts) == 1 and parts[0].isdigit() and len(parts[0]) <= 10:
        value = int(parts[0])
        if value <= V4_MAX:
            hint = f"did you mean {format_v4(value)}?"
    return ParseError(
        whole,
        f"an IPv4 address has 4 octets, this has {len(parts)}",
        column=offset + 1,
        hint=hint,
    )


def parse_v6(text: str, *, offset: int = 0, whole: str | None = None) -> int:
    """Parse IPv6 text in any RFC 4291 form (``::``, upper case, dotted tail)."""
    whole = whole if whole is not None else text
    if "%" in text:
        raise ParseError(
            whole, "zone index (%...) is not allowed here", column=offset + text.index("%") + 1
        )
    gap = text.find("::")
    if gap != -1 and text.find("::", gap + 1) != -1:
        raise ParseError(
            whole, "'::' may appear only once", column=offset + text.find("::", gap + 1) + 1
        )
    if gap == -1:
        head = _groups(text, offset, whole, last=True)
        if len(head) != 8:
            raise ParseError(
                whole, f"an IPv6 address has 8 groups, this has {len(head)}", column=offset + 1
            )
        groups = head
    else:
        head = _groups(text[:gap], offset, whole, last=False) if gap else []
        rest = text[gap + 2 :]
        tail = _groups(rest, offset + gap + 2, whole, last=True) if rest else []
        missing = 8 - len(head) - len(tail)
        if missing < 1:
            raise ParseError(
                whole, "'::' must stand for at least one zero group", column=offset + gap + 1
            )
        groups = head + [0] * missing + tail
    value = 0
    for group in groups:
        value = (value << 16) | group
    return value


def _groups(text: str, offset: int, whole: str, *, last: bool) -> list[int]:
    """16-bit groups of a ':'-separated run; a dotted quad may end the address."""
    groups: list[int] = []
    column = offset + 1
    pieces = text.split(":")
    for index, piece in enumerate(pieces):
        # Fast path, the valid group: a set test runs in C, where scanning
        # for the bad character below costs a generator per group.
        if 0 < len(piece) <= 4 and _HEX.issuperset(piece):
            groups.append(int(piece, 16))
            column += len(piece) + 1
            continue
        if last and index == len(pieces) - 1 and "." in piece:
            v4 = parse_v4(piece, offset=column - 1, whole=whole)
            groups.extend((v4 >> 16, v4 & 0xFFFF))
            break
        if piece == "":
            raise ParseError(whole, "empty group in IPv6 address", column=column)
        bad = next((c for c in piece if c not in _HEX), None)
        if bad is not None:
            raise ParseError(
                whole,
                f"unexpected character {bad!r} in IPv6 group {quote(piece, PIECE_LIMIT)}",
                column=column + piece.index(bad),
            )
        if len(piece) > 4:
            raise ParseError(
                whole, f"group {quote(piece, PIECE_LIMIT)} has more than 4 hex digits",
                column=column,
            )
        groups.append(int(piece, 16))
        column += len(piece) + 1
    return groups


def format_v4(value: int) -> str:
    """Dotted-quad text of a 32-bit int."""
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


# Zero runs as they appear in ":g:g:...:g:" text, longest first.
_ZERO_RUNS = tuple(":" + "0:" * n for n in range(8, 1, -1))


def format_v6(value: int) -> str:
    """RFC 5952 canonical text: lower case, no leading zeros, longest zero run as ``::``.

    IPv4-mapped addresses (``::ffff:0:0/96``) keep the dotted tail, as
    RFC 5952 section 5 recommends, because that is how people recognise them.
    """
    if value >> 32 == 0xFFFF:
        return "::ffff:" + format_v4(value & V4_MAX)
    hi = value >> 64
    lo = value & 0xFFFF_FFFF_FFFF_FFFF
    # Every group between colons, so a zero group is exactly ":0:".
    text = ":%x:%x:%x:%x:%x:%x:%x:%x:" % (  # noqa: UP031 - one C call for eight groups
        hi >> 48,
        (hi >> 32) & 0xFFFF,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        (lo >> 32) & 0xFFFF,
        (lo >> 16) & 0xFFFF,
        lo & 0xFFFF,
    )
    # RFC 5952 4.2.3: the longest run wins, the first one on ties (find()
    # returns the leftmost); 4.2.2: a single zero group stays "0".
    for run in _ZERO_RUNS:
        at = text.find(run)
        if at >= 0:
            text = f"{text[:at]}::{text[at + len(run) :]}"
            break
    # Drop the framing colons, except where they are half of "::".
    return text[(text[1] != ":") : len(text) - (text[-2] != ":")]


def is_mapped_v4(value: int) -> bool:
    """True for an IPv6 int inside ``::ffff:0:0/96`` (RFC 4291 2.5.5.2)."""
    return value >> 32 == 0xFFFF


def mapped_value(v4_value: int) -> int:
    """The IPv6 int of the IPv4-mapped form of an IPv4 int."""
    return _MAPPED_PREFIX | v4_value
