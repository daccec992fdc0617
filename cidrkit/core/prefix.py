"""``Prefix``: a CIDR block of either family, stored as ``(bits, value, length)``."""

from __future__ import annotations

from collections.abc import Iterator

from cidrkit.core.addr import Addr, fast_v4, format_addr, parse_addr_text
from cidrkit.core.text import V4_BITS, V6_BITS, format_v4, parse_v4
from cidrkit.core.usable import get_model
from cidrkit.core.value import TYPE_CHECKING, Ordered, set_field
from cidrkit.errors import ArgumentError, LimitError, ParseError

if TYPE_CHECKING:
    from typing import Protocol

    class Span(Protocol):
        """Anything with a family and an inclusive integer interval (Addr, Prefix, Range)."""

        @property
        def bits(self) -> int: ...
        @property
        def start(self) -> int: ...
        @property
        def end(self) -> int: ...

else:
    # Only type checkers need the protocol; at run time the name stays
    # importable without loading ``typing``.
    Span = object


def _mask(bits: int, length: int) -> int:
    return ((1 << bits) - 1) ^ ((1 << (bits - length)) - 1)


class Prefix(Ordered):
    """A CIDR block: ``value`` is the network address, ``length`` the prefix length.

    Invariant: the host bits of ``value`` (the low ``bits - length`` bits) are
    zero. Orders IPv4 before IPv6, then by address, then by prefix length, so
    a supernet sorts just before its first subnet.

    >>> Prefix.parse("192.0.2.0/24").size
    256
    >>> Prefix.parse("192.0.2.7/24")
    Traceback (most recent call last):
    ...
    cidrkit.errors.ParseError: '192.0.2.7/24': host bits set; did you mean 192.0.2.0/24?
    """

    __slots__ = ("bits", "length", "value")
    __match_args__ = ("bits", "value", "length")

    if TYPE_CHECKING:  # read-only fields, as a frozen dataclass has

        @property
        def bits(self) -> int: ...
        @property
        def value(self) -> int: ...
        @property
        def length(self) -> int: ...

    def __init__(self, bits: int, value: int, length: int) -> None:
        if bits not in (V4_BITS, V6_BITS):
            raise ArgumentError(f"address width must be 32 or 128 bits, not {bits}")
        if not 0 <= length <= bits:
            raise ArgumentError(f"prefix length {length} is out of range 0-{bits}")
        if not 0 <= value < 1 << bits:
            raise ArgumentError(f"value {value} does not fit in {bits} bits")
        if value & ((1 << (bits - length)) - 1):
            raise ArgumentError(f"{format_addr(bits, value)}/{length} has host bits set")
        set_field(self, "bits", bits)
        set_field(self, "value", value)
        set_field(self, "length", length)

    # Equality and order by (bits, value, length): IPv4 first, then by
    # address, and a supernet just before its first subnet.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Prefix):
            return (
                self.value == other.value
                and self.length == other.length
                and self.bits == other.bits
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.bits, self.value, self.length))

    def _key(self) -> tuple[int, ...]:
        return (self.bits, self.value, self.length)

    # --- construction -------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Prefix:
        """Parse ``a.b.c.d/n``, ``a.b.c.d/255.255.0.0``, IPv6 ``x::/n`` or a bare address.

        Strict: host bits set is a ParseError whose hint names the network.
        """
        prefix, host_bits_set = _parse(text)
        if host_bits_set:
            raise ParseError(
                text,
                "host bits set",
                column=1,
                hint=f"did you mean {prefix}?",
            )
        return prefix

    @classmethod
    def parse_masked(cls, text: str) -> Prefix:
        """Parse like :meth:`parse`, but clear host bits on purpose.

        ``10.0.0.5/16`` becomes ``10.0.0.0/16`` instead of an error.
        """
        return _parse(text)[0]

    @classmethod
    def containing(cls, addr: Addr, length: int) -> Prefix:
        """The block of ``length`` that holds ``addr``."""
        if not 0 <= length <= addr.bits:
            raise ArgumentError(f"prefix length {length} is out of range 0-{addr.bits}")
        return cls(addr.bits, addr.value & _mask(addr.bits, length), length)

    @classmethod
    def from_addr(cls, addr: Addr) -> Prefix:
        """The single-address prefix (/32 or /128) of ``addr``."""
        return cls(addr.bits, addr.value, addr.bits)

    # --- facts ----------------------------------------------------------------

    @property
    def version(self) -> int:
        return 4 if self.bits == V4_BITS else 6

    @property
    def start(self) -> int:
        return self.value

    @property
    def end(self) -> int:
        """The last address as an int (inclusive)."""
        return self.value | ((1 << (self.bits - self.length)) - 1)

    @property
    def network(self) -> Addr:
        return Addr(self.bits, self.value)

    first = network

    @property
    def last(self) -> Addr:
        return Addr(self.bits, self.end)

    @property
    def broadcast(self) -> Addr | None:
        """IPv4 broadcast address; None for IPv6, /31 (RFC 3021) and /32."""
        if self.bits != V4_BITS or self.length >= 31:
            return None
        return self.last

    @property
    def netmask(self) -> Addr:
        return Addr(self.bits, _mask(self.bits, self.length))

    @property
    def hostmask(self) -> Addr:
        """The wildcard mask (inverse of the netmask), as used in ACLs."""
        return Addr(self.bits, (1 << (self.bits - self.length)) - 1)

    wildcard = hostmask

    @property
    def size(self) -> int:
        """Exact number of addresses (a Python int, so ``::/0`` is 2**128)."""
        return 1 << (self.bits - self.length)

    def usable(self, model: str = "rfc") -> int:
        """Addresses a host can use under ``model`` (rfc, aws, azure, gcp, none)."""
        return get_model(model).usable(self.bits, self.length)

    def usable_bounds(self, model: str = "rfc") -> tuple[Addr, Addr] | None:
        """First and last usable address under ``model``; None when nothing is usable."""
        chosen = get_model(model)
        if chosen.usable(self.bits, self.length) == 0:
            return None
        front, back = chosen.reserved(self.bits, self.length)
        return Addr(self.bits, self.value + front), Addr(self.bits, self.end - back)

    # --- relations ------------------------------------------------------------

    def contains(self, other: Span) -> bool:
        """True when every address of ``other`` (Addr, Prefix or Range) is in this block.

        Values of the other family are never contained.
        """
        if other.bits != self.bits:
            return False
        # Inside the block means the same network bits at both ends.
        shift = self.bits - self.length
        network = self.value >> shift
        if isinstance(other, Addr):
            return other.value >> shift == network
        return other.start >> shift == network and other.end >> shift == network

    def __contains__(self, other: object) -> bool:
        if isinstance(other, Addr):
            # ``addr in prefix`` is the hot question; answer it inline.
            shift = self.bits - self.length
            return other.bits == self.bits and other.value >> shift == self.value >> shift
        if isinstance(other, str):
            from cidrkit.core.parse import parse_item

            other = parse_item(other)
        if not hasattr(other, "bits"):
            return False
        return self.contains(other)  # type: ignore[arg-type]

    def overlaps(self, other: Span) -> bool:
        """True when this block and ``other`` share at least one address."""
        bits = self.bits
        if other.bits != bits:
            return False
        if type(other) is Prefix:
            # Two prefixes overlap only by nesting: they agree on the network
            # bits of the shorter one. (No min(): a builtin call costs more
            # than the whole comparison.)
            length = self.length if self.length < other.length else other.length
            return (self.value ^ other.value) >> (bits - length) == 0
        return self.value <= other.end and other.start <= self.end

    # --- derived blocks -----------------------------------------------------

    def subnet_count(self, new_length: int) -> int:
        """How many ``/new_length`` blocks this prefix splits into, computed arithmetically."""
        self._check_sublength(new_length)
        return 1 << (new_length - self.length)

    def subnets(self, new_length: int | None = None) -> Iterator[Prefix]:
        """Lazily yield the ``/new_length`` blocks of this prefix (default: the two halves).

        A single-address prefix (/32, /128) has no halves: by default it
        yields itself, as ``ipaddress`` and netaddr do, so code ported from
        them behaves the same. An explicit length outside ``length..bits``
        is an ``ArgumentError`` naming the length asked for.
        """
        if new_length is None:
            new_length = min(self.length + 1, self.bits)
        self._check_sublength(new_length)
        step = 1 << (self.bits - new_length)
        bits = self.bits
        for value in range(self.value, self.end + 1, step):
            yield trusted_prefix(bits, value, new_length)

    def subnet(self, index: int, new_length: int) -> Prefix:
        """The ``index``-th ``/new_length`` block (negative counts from the end)."""
        count = self.subnet_count(new_length)
        if not -count <= index < count:
            raise IndexError(f"{self} has {count} /{new_length} blocks; no block {index}")
        index %= count
        return Prefix(self.bits, self.value + (index << (self.bits - new_length)), new_length)

    def _check_sublength(self, new_length: int) -> None:
        if not self.length <= new_length <= self.bits:
            raise ArgumentError(
                f"cannot split {self} into /{new_length} blocks: "
                f"its blocks are /{self.length} to /{self.bits}"
            )

    def supernet(self, length: int | None = None) -> Prefix:
        """The enclosing block of ``length`` (default: one bit shorter).

        The whole space (/0) is its own supernet by default, as in
        ``ipaddress``; an explicit length outside ``0..length`` is an
        ``ArgumentError`` naming the length asked for.
        """
        length = max(self.length - 1, 0) if length is None else length
        if not 0 <= length <= self.length:
            raise ArgumentError(
                f"no /{length} supernet of {self}: its supernets are /0 to /{self.length}"
            )
        return Prefix(self.bits, self.value & _mask(self.bits, length), length)

    def host(self, n: int) -> Addr:
        """The ``n``-th address of the block, 0-based; negative ``n`` counts from the end."""
        if not -self.size <= n < self.size:
            raise LimitError(f"{self} has {self.size:,} addresses; there is no address {n}")
        return Addr(self.bits, (self.value + n) if n >= 0 else (self.end + 1 + n))

    def __str__(self) -> str:
        return f"{format_addr(self.bits, self.value)}/{self.length}"

    def __repr__(self) -> str:
        return f"Prefix('{self}')"


_new_object = object.__new__


def trusted_prefix(bits: int, value: int, length: int) -> Prefix:
    """A Prefix built without the checks of ``__init__``.

    Only for values that hold the invariants by construction (blocks cut
    from a valid prefix or range); it saves a third of the cost in loops
    that yield many blocks.
    """
    prefix: Prefix = _new_object(Prefix)
    set_field(prefix, "bits", bits)
    set_field(prefix, "value", value)
    set_field(prefix, "length", length)
    return prefix


# "0".."32" -> int, and the netmask of each IPv4 length: the fast path of _parse.
_V4_LENGTHS: dict[str, int] = {str(n): n for n in range(33)}
_V4_MASKS: tuple[int, ...] = tuple(_mask(V4_BITS, n) for n in range(33))


def _parse(text: str) -> tuple[Prefix, bool]:
    """Parse prefix text; return the masked prefix and whether host bits were set."""
    address_text, slash, length_text = text.partition("/")
    # Fast path for the overwhelmingly common "a.b.c.d/n"; anything unusual
    # (netmasks, IPv6, errors) falls through to the explaining parser below.
    value = fast_v4(address_text)
    if value is not None:
        length = _V4_LENGTHS.get(length_text) if slash else V4_BITS
        if length is not None:
            masked = value & _V4_MASKS[length]
            return trusted_prefix(V4_BITS, masked, length), masked != value
    if text.strip() == "":
        raise ParseError(text, "empty prefix", column=1)
    addr = parse_addr_text(address_text, whole=text)
    if not slash:
        return Prefix(addr.bits, addr.value, addr.bits), False
    length = _parse_length(length_text, addr.bits, text, len(address_text) + 2)
    value = addr.value & _mask(addr.bits, length)
    return Prefix(addr.bits, value, length), value != addr.value


def _parse_length(text: str, bits: int, whole: str, column: int) -> int:
    """Parse the part after '/': a decimal length or, for IPv4, a dotted netmask."""
    if text.isascii() and text.isdigit():
        # Bound the digits before int(): a huge digit string would raise a
        # plain ValueError (int's digit limit) instead of this ParseError.
        length = int(text) if len(text.lstrip("0")) <= 3 else bits + 1
        if length > bits:
            family = "IPv4" if bits == V4_BITS else "IPv6"
            raise ParseError(
                whole,
                f"prefix length {text if len(text) <= 8 else text[:6] + '...'} "
                f"is out of range for {family} (0-{bits})",
                column=column,
            )
        return length
    if text == "":
        raise ParseError(whole, "missing prefix length after '/'", column=column)
    if bits == V4_BITS and "." in text:
        mask = parse_v4(text, offset=column - 1, whole=whole)
        inverted = mask ^ 0xFFFFFFFF
        if inverted & (inverted + 1) == 0:
            return 32 - inverted.bit_length()
        if mask & (mask + 1) == 0:
            # Low ones only: a Cisco-style wildcard, not a netmask.
            return _reject_wildcard(whole, mask, column)
        raise ParseError(whole, f"netmask {format_v4(mask)} is not contiguous", column=column)
    bad = next((i for i, c in enumerate(text) if not (c.isascii() and c.isdigit())), 0)
    raise ParseError(
        whole, f"prefix length {text!r} is not a number", column=column + bad
    )


def _reject_wildcard(whole: str, mask: int, column: int) -> int:
    length = 32 - mask.bit_length()
    raise ParseError(
        whole,
        f"{format_v4(mask)} is a wildcard (host) mask, not a netmask",
        column=column,
        hint=f"did you mean /{length}?",
    )
