"""Parse any address, prefix or range text into the right value type."""

from __future__ import annotations

from cidrkit.core.addr import Addr, parse_addr_text
from cidrkit.core.prefix import Prefix
from cidrkit.core.range import Range
from cidrkit.errors import ParseError

Item = Addr | Prefix | Range


def parse_addr(text: str) -> Addr:
    """Parse one IPv4 or IPv6 address (no prefix length)."""
    if "/" in text:
        raise ParseError(text, "expected an address, not a prefix", column=text.index("/") + 1)
    return parse_addr_text(text)


def parse_prefix(text: str) -> Prefix:
    """Parse a prefix strictly (host bits set is an error with a hint)."""
    return Prefix.parse(text)


def parse_range(text: str) -> Range:
    """Parse ``first-last``."""
    return Range.parse(text)


def is_range_text(text: str) -> bool:
    """True when ``text`` looks like ``first-last`` rather than a prefix or address."""
    return "/" not in text and any(sep in text for sep in ("-", "\u2013", "\u2014"))


def parse_item(text: str) -> Item:
    """Parse a prefix (``a/n``), a range (``a-b``) or a bare address.

    A bare address comes back as an ``Addr``; callers that want a /32 or
    /128 use ``Prefix.parse`` instead.

    >>> [parse_item(t) for t in ("192.0.2.1", "192.0.2.0/24", "192.0.2.1-192.0.2.9")]
    [Addr('192.0.2.1'), Prefix('192.0.2.0/24'), Range('192.0.2.1-192.0.2.9')]
    """
    if is_range_text(text):
        return Range.parse(text)
    if "/" in text:
        return Prefix.parse(text)
    return parse_addr_text(text)


def item_key(item: Item) -> tuple[int, int, int]:
    """A sort key ordering any mix of addresses, prefixes and ranges.

    IPv4 before IPv6, then by first address, then wider before narrower, which
    is the order ``Prefix`` itself sorts in.
    """
    return (item.bits, item.start, -item.end)
