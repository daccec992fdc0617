"""Reverse DNS zones for prefixes (in-addr.arpa and ip6.arpa).

Zones are cut on label boundaries: 8 bits per label for IPv4, 4 bits (a
nibble) for IPv6. A prefix on a boundary has exactly one zone; any other
prefix is covered by the zones one boundary further down.
"""

from __future__ import annotations

from cidrkit.core.prefix import Prefix


def _label_bits(prefix: Prefix) -> int:
    return 8 if prefix.bits == 32 else 4


def _zone_name(prefix: Prefix) -> str:
    """The zone for a prefix that sits exactly on a label boundary."""
    step = _label_bits(prefix)
    labels = prefix.length // step
    if prefix.bits == 32:
        octets = [str((prefix.value >> (24 - 8 * i)) & 255) for i in range(labels)]
        return ".".join([*reversed(octets), "in-addr.arpa."]) if octets else "in-addr.arpa."
    nibbles = [f"{(prefix.value >> (124 - 4 * i)) & 15:x}" for i in range(labels)]
    return ".".join([*reversed(nibbles), "ip6.arpa."]) if nibbles else "ip6.arpa."


def reverse_zones(prefix: Prefix) -> list[str]:
    """The reverse zones that together hold exactly the PTR names of ``prefix``.

    ``192.168.1.0/24`` gives ``['1.168.192.in-addr.arpa.']``; a /20 gives its
    16 /24 zones; a /106 gives its 4 /108 zones. An IPv4 prefix longer than
    /24 lives inside its /24's zone (see :func:`rfc2317_zone` for delegation).

    >>> reverse_zones(Prefix.parse("192.0.2.0/23"))
    ['2.0.192.in-addr.arpa.', '3.0.192.in-addr.arpa.']
    """
    step = _label_bits(prefix)
    if prefix.bits == 32 and prefix.length > 24:
        return [_zone_name(prefix.supernet(24))]
    boundary = -(-prefix.length // step) * step
    return [_zone_name(block) for block in prefix.subnets(boundary)]


def rfc2317_zone(prefix: Prefix) -> str | None:
    """The RFC 2317 classless delegation name (``64/26.2.0.192.in-addr.arpa.``).

    Only IPv4 prefixes from /25 to /32 have one; None otherwise.
    """
    if prefix.bits != 32 or prefix.length <= 24:
        return None
    last_octet = prefix.value & 255
    return f"{last_octet}/{prefix.length}.{_zone_name(prefix.supernet(24))}"
