"""``Range``: an inclusive interval of addresses, ``first-last``, of one family."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from cidrkit.core.addr import Addr, format_addr, parse_addr_text
from cidrkit.core.prefix import Prefix, Span, trusted_prefix
from cidrkit.core.text import V4_BITS, V6_BITS
from cidrkit.core.value import TYPE_CHECKING, Ordered, set_field
from cidrkit.errors import ArgumentError, FamilyError, ParseError

# Separators people put between the two ends of a range in the wild.
_SEPARATORS = ("-", "\u2013", "\u2014")


class Range(Ordered):
    """Addresses ``start`` to ``end`` inclusive, both ints of a ``bits``-wide family.

    >>> Range.parse("192.0.2.0-192.0.2.10").to_prefixes()
    [Prefix('192.0.2.0/29'), Prefix('192.0.2.8/31'), Prefix('192.0.2.10/32')]
    """

    __slots__ = ("bits", "end", "start")
    __match_args__ = ("bits", "start", "end")

    if TYPE_CHECKING:  # read-only fields, as a frozen dataclass has

        @property
        def bits(self) -> int: ...
        @property
        def start(self) -> int: ...
        @property
        def end(self) -> int: ...

    def __init__(self, bits: int, start: int, end: int) -> None:
        if bits not in (V4_BITS, V6_BITS):
            raise ArgumentError(f"address width must be 32 or 128 bits, not {bits}")
        if not 0 <= start <= end < 1 << bits:
            raise ArgumentError(f"invalid range {start}-{end} for a {bits}-bit family")
        set_field(self, "bits", bits)
        set_field(self, "start", start)
        set_field(self, "end", end)

    # Equality and order by (bits, start, end), IPv4 first.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Range):
            return self.start == other.start and self.end == other.end and self.bits == other.bits
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.bits, self.start, self.end))

    def _key(self) -> tuple[int, ...]:
        return (self.bits, self.start, self.end)

    @classmethod
    def parse(cls, text: str) -> Range:
        """Parse ``first-last`` (spaces around the dash allowed; en dash accepted)."""
        for separator in _SEPARATORS:
            if separator in text:
                left, _, right = text.partition(separator)
                break
        else:
            raise ParseError(text, "a range is written first-last", column=1)
        left_strip = len(left) - len(left.lstrip())
        first = parse_addr_text(left.strip(), offset=left_strip, whole=text)
        right_offset = len(left) + 1 + (len(right) - len(right.lstrip()))
        last = parse_addr_text(right.strip(), offset=right_offset, whole=text)
        if first.bits != last.bits:
            raise ParseError(text, "the two ends of a range are of different families")
        if first.value > last.value:
            raise ParseError(
                text,
                "the range ends before it starts",
                hint=f"did you mean {last}-{first}?",
            )
        return cls(first.bits, first.value, last.value)

    @classmethod
    def between(cls, first: Addr, last: Addr) -> Range:
        """The range from ``first`` to ``last`` inclusive."""
        if first.bits != last.bits:
            raise FamilyError(f"{first} and {last} are of different families")
        return cls(first.bits, first.value, last.value)

    @classmethod
    def from_prefix(cls, prefix: Prefix) -> Range:
        return cls(prefix.bits, prefix.start, prefix.end)

    @property
    def version(self) -> int:
        return 4 if self.bits == V4_BITS else 6

    @property
    def first(self) -> Addr:
        return Addr(self.bits, self.start)

    @property
    def last(self) -> Addr:
        return Addr(self.bits, self.end)

    @property
    def size(self) -> int:
        return self.end - self.start + 1

    def contains(self, other: Span) -> bool:
        return other.bits == self.bits and self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Span) -> bool:
        return other.bits == self.bits and self.start <= other.end and other.start <= self.end

    def to_prefixes(self) -> list[Prefix]:
        """The minimal list of prefixes covering exactly this range, in order."""
        return list(iter_cover(self.bits, self.start, self.end))

    def __str__(self) -> str:
        return f"{format_addr(self.bits, self.start)}-{format_addr(self.bits, self.end)}"

    def __repr__(self) -> str:
        return f"Range('{self}')"


def cover_blocks(bits: int, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield ``(block_start, host_bits)`` of the minimal cover of ``start..end``.

    Greedy: at each step take the largest block that is aligned at ``start``
    and does not pass ``end``. At most ``2 * bits`` blocks come out. Plain
    ints, for callers that only compare blocks and build few prefixes.
    """
    while start <= end:
        # Alignment of start limits the block; so does the space left.
        align = (start & -start).bit_length() - 1 if start else bits
        room = (end - start + 1).bit_length() - 1
        host_bits = min(align, room)
        yield start, host_bits
        start += 1 << host_bits


def iter_cover(bits: int, start: int, end: int) -> Iterator[Prefix]:
    """Yield the minimal prefixes covering ``start..end`` inclusive, lowest first."""
    for block_start, host_bits in cover_blocks(bits, start, end):
        yield trusted_prefix(bits, block_start, bits - host_bits)


def span_of(items: Iterable[Span]) -> Prefix:
    """The smallest single prefix covering every item (all of one family)."""
    bits = None
    low = high = 0
    for item in items:
        if bits is None:
            bits, low, high = item.bits, item.start, item.end
        elif item.bits != bits:
            raise FamilyError("cannot span IPv4 and IPv6 values with one prefix")
        else:
            low, high = min(low, item.start), max(high, item.end)
    if bits is None:
        raise ArgumentError("nothing to span")
    length = bits - (low ^ high).bit_length()
    return Prefix.containing(Addr(bits, low), length)
