"""``Addr``: one IP address of either family, stored as ``(bits, value)``."""

from __future__ import annotations

from cidrkit.core.text import (
    V4_BITS,
    V6_BITS,
    format_v4,
    format_v6,
    is_mapped_v4,
    mapped_value,
    parse_v4,
    parse_v6,
)
from cidrkit.core.value import TYPE_CHECKING, Ordered, set_field
from cidrkit.errors import ArgumentError, FamilyError, ParseError


class Addr(Ordered):
    """An IPv4 or IPv6 address.

    ``bits`` is the family's width (32 or 128) and ``value`` the address as an
    unsigned int below ``2**bits``. Field order makes sorting put every IPv4
    address before every IPv6 address, then order by value.

    IPv4-mapped IPv6 addresses (``::ffff:10.0.0.1``) are IPv6 addresses: they
    never equal or fall inside IPv4 values. Convert on purpose with
    :meth:`unmapped` and :meth:`mapped`.

    >>> Addr.parse("192.0.2.1")
    Addr('192.0.2.1')
    >>> str(Addr.parse("2001:DB8:0:0:0:0:0:1"))
    '2001:db8::1'
    """

    __slots__ = ("bits", "value")
    __match_args__ = ("bits", "value")

    if TYPE_CHECKING:  # read-only fields, as a frozen dataclass has

        @property
        def bits(self) -> int: ...
        @property
        def value(self) -> int: ...

    def __init__(self, bits: int, value: int) -> None:
        if bits not in (V4_BITS, V6_BITS):
            raise ArgumentError(f"address width must be 32 or 128 bits, not {bits}")
        if not 0 <= value < 1 << bits:
            raise ArgumentError(f"value {value} does not fit in {bits} bits")
        set_field(self, "bits", bits)
        set_field(self, "value", value)

    # Equality and order by (bits, value): IPv4 sorts before IPv6, and a
    # value never equals one of another type.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Addr):
            return self.value == other.value and self.bits == other.bits
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.bits, self.value))

    def _key(self) -> tuple[int, ...]:
        return (self.bits, self.value)

    @classmethod
    def parse(cls, text: str) -> Addr:
        """Parse IPv4 dotted-quad or IPv6 text; raise ParseError naming the fault."""
        return parse_addr_text(text)

    @classmethod
    def v4(cls, value: int) -> Addr:
        """The IPv4 address with this 32-bit value."""
        return cls(V4_BITS, value)

    @classmethod
    def v6(cls, value: int) -> Addr:
        """The IPv6 address with this 128-bit value."""
        return cls(V6_BITS, value)

    @property
    def version(self) -> int:
        """4 or 6."""
        return 4 if self.bits == V4_BITS else 6

    # Range-like view, so containment code can treat all value types alike.
    @property
    def start(self) -> int:
        return self.value

    @property
    def end(self) -> int:
        return self.value

    @property
    def size(self) -> int:
        """One address."""
        return 1

    @property
    def is_ipv4_mapped(self) -> bool:
        """True for an IPv6 address in ``::ffff:0:0/96``."""
        return self.bits == V6_BITS and is_mapped_v4(self.value)

    def unmapped(self) -> Addr:
        """The IPv4 address inside an IPv4-mapped IPv6 address."""
        if not self.is_ipv4_mapped:
            raise FamilyError(f"{self} is not an IPv4-mapped IPv6 address (::ffff:0:0/96)")
        return Addr(V4_BITS, self.value & 0xFFFFFFFF)

    def mapped(self) -> Addr:
        """The IPv4-mapped IPv6 form (``::ffff:a.b.c.d``) of an IPv4 address."""
        if self.bits != V4_BITS:
            raise FamilyError(f"{self} is not an IPv4 address")
        return Addr(V6_BITS, mapped_value(self.value))

    def __add__(self, offset: int) -> Addr:
        return Addr(self.bits, self.value + offset)

    def __sub__(self, offset: int) -> Addr:
        return Addr(self.bits, self.value - offset)

    def __int__(self) -> int:
        return self.value

    def __index__(self) -> int:
        return self.value

    def __str__(self) -> str:
        return format_v4(self.value) if self.bits == V4_BITS else format_v6(self.value)

    def __repr__(self) -> str:
        return f"Addr('{self}')"


# Every valid octet spelling maps to its value; anything else ("256", "010",
# "1a", "") is absent. One dict lookup per octet both converts and validates,
# which makes the common IPv4 case faster than the stdlib's parser.
OCTET: dict[str, int] = {str(n): n for n in range(256)}


def fast_v4(text: str) -> int | None:
    """The value of a valid dotted quad, or None (the caller then explains why)."""
    parts = text.split(".")
    if len(parts) != 4:
        return None
    a, b, c, d = parts
    octet = OCTET
    if a in octet and b in octet and c in octet and d in octet:
        return (octet[a] << 24) | (octet[b] << 16) | (octet[c] << 8) | octet[d]
    return None


def parse_addr_text(text: str, *, offset: int = 0, whole: str | None = None) -> Addr:
    """Parse one address of either family, choosing the family from the text."""
    value = fast_v4(text)
    if value is not None:
        addr: Addr = _new_object(Addr)
        set_field(addr, "bits", V4_BITS)
        set_field(addr, "value", value)
        return addr
    whole = whole if whole is not None else text
    if text == "":
        raise ParseError(whole, "empty address", column=offset + 1)
    if ":" in text:
        return Addr(V6_BITS, parse_v6(text, offset=offset, whole=whole))
    if "." in text or text.isdigit():
        return Addr(V4_BITS, parse_v4(text, offset=offset, whole=whole))
    bad = next((i for i, c in enumerate(text) if not (c.isascii() and c.isalnum())), 0)
    raise ParseError(whole, "not an IPv4 or IPv6 address", column=offset + bad + 1)


_new_object = object.__new__


def format_addr(bits: int, value: int) -> str:
    """Canonical text of an address given as ``(bits, value)``."""
    return format_v4(value) if bits == V4_BITS else format_v6(value)
