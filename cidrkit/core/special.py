"""What kind of address is this? One pinned table of the IANA registries.

The table is pinned here, not taken from the running Python's
``ipaddress.is_private`` (which has changed between releases), so the answer
is the same everywhere. Sources: the IANA IPv4 and IPv6 Special-Purpose
Address Registries (RFC 6890), the IPv4 multicast registry (RFC 5771) and
RFC 4291's address types.
"""

from __future__ import annotations

from dataclasses import dataclass

from cidrkit.core.addr import Addr
from cidrkit.core.ipset import IPSet
from cidrkit.core.prefix import Prefix


@dataclass(frozen=True, slots=True)
class Classification:
    """The registry entry an address or prefix falls in.

    ``name`` is a stable machine key (``private``, ``shared``, ``global`` …),
    ``label`` the registry's own wording, ``rfc`` where the rule comes from,
    ``is_global`` whether such addresses are reachable on the public Internet.
    ``prefix`` is the registry block itself (None for ``global`` and ``mixed``).
    """

    name: str
    label: str
    rfc: str
    is_global: bool
    prefix: Prefix | None = None


# When the table was last compared, entry by entry, with the IANA IPv4 and
# IPv6 Special-Purpose Address Registries (newest entries then: RFC 6751's
# 6a44 relay, RFC 9665's SRP anycast, RFC 9374's DETs, RFC 9780's dummy prefix).
REGISTRY_CHECKED = "2026-12-04"

# (block, name, label, rfc, globally reachable)
_TABLE_TEXT: tuple[tuple[str, str, str, str, bool], ...] = (
    ("0.0.0.0/8", "this-network", "This network", "RFC 791", False),
    ("0.0.0.0/32", "unspecified", "This host on this network", "RFC 1122", False),
    ("10.0.0.0/8", "private", "Private-Use", "RFC 1918", False),
    ("100.64.0.0/10", "shared", "Shared Address Space (carrier-grade NAT)", "RFC 6598", False),
    ("127.0.0.0/8", "loopback", "Loopback", "RFC 1122", False),
    ("169.254.0.0/16", "link-local", "Link Local", "RFC 3927", False),
    ("172.16.0.0/12", "private", "Private-Use", "RFC 1918", False),
    ("192.0.0.0/24", "ietf-protocol", "IETF Protocol Assignments", "RFC 6890", False),
    ("192.0.0.0/29", "ietf-protocol", "IPv4 Service Continuity Prefix", "RFC 7335", False),
    ("192.0.0.8/32", "ietf-protocol", "IPv4 dummy address", "RFC 7600", False),
    ("192.0.0.9/32", "anycast", "Port Control Protocol Anycast", "RFC 7723", True),
    ("192.0.0.10/32", "anycast", "TURN Anycast", "RFC 8155", True),
    ("192.0.0.170/31", "ietf-protocol", "NAT64/DNS64 Discovery", "RFC 8880", False),
    ("192.0.2.0/24", "documentation", "Documentation (TEST-NET-1)", "RFC 5737", False),
    ("192.31.196.0/24", "as112", "AS112-v4", "RFC 7535", True),
    ("192.52.193.0/24", "amt", "AMT", "RFC 7450", True),
    ("192.88.99.0/24", "deprecated", "Deprecated (6to4 Relay Anycast)", "RFC 7526", False),
    ("192.88.99.2/32", "6a44", "6a44-relay anycast address", "RFC 6751", False),
    ("192.168.0.0/16", "private", "Private-Use", "RFC 1918", False),
    ("192.175.48.0/24", "as112", "Direct Delegation AS112 Service", "RFC 7534", True),
    ("198.18.0.0/15", "benchmarking", "Benchmarking", "RFC 2544", False),
    ("198.51.100.0/24", "documentation", "Documentation (TEST-NET-2)", "RFC 5737", False),
    ("203.0.113.0/24", "documentation", "Documentation (TEST-NET-3)", "RFC 5737", False),
    ("224.0.0.0/4", "multicast", "Multicast", "RFC 5771", False),
    ("240.0.0.0/4", "reserved", "Reserved for Future Use", "RFC 1112", False),
    ("255.255.255.255/32", "broadcast", "Limited Broadcast", "RFC 919", False),
    ("::/128", "unspecified", "Unspecified Address", "RFC 4291", False),
    ("::1/128", "loopback", "Loopback Address", "RFC 4291", False),
    ("::ffff:0:0/96", "ipv4-mapped", "IPv4-mapped Address", "RFC 4291", False),
    ("64:ff9b::/96", "nat64", "IPv4-IPv6 Translation (well-known prefix)", "RFC 6052", True),
    ("64:ff9b:1::/48", "nat64", "IPv4-IPv6 Translation (local use)", "RFC 8215", False),
    ("100::/64", "discard", "Discard-Only Address Block", "RFC 6666", False),
    ("100:0:0:1::/64", "dummy", "Dummy IPv6 Prefix", "RFC 9780", False),
    ("2001::/23", "ietf-protocol", "IETF Protocol Assignments", "RFC 2928", False),
    ("2001::/32", "teredo", "Teredo", "RFC 4380", False),
    ("2001:1::1/128", "anycast", "Port Control Protocol Anycast", "RFC 7723", True),
    ("2001:1::2/128", "anycast", "TURN Anycast", "RFC 8155", True),
    ("2001:1::3/128", "anycast", "DNS-SD Service Registration Protocol Anycast", "RFC 9665",
     True),
    ("2001:2::/48", "benchmarking", "Benchmarking", "RFC 5180", False),
    ("2001:3::/32", "amt", "AMT", "RFC 7450", True),
    ("2001:4:112::/48", "as112", "AS112-v6", "RFC 7535", True),
    ("2001:10::/28", "deprecated", "Deprecated (previously ORCHID)", "RFC 4843", False),
    ("2001:20::/28", "orchid", "ORCHIDv2", "RFC 7343", True),
    ("2001:30::/28", "drip", "Drone Remote ID Protocol Entity Tags (DETs)", "RFC 9374", True),
    ("2001:db8::/32", "documentation", "Documentation", "RFC 3849", False),
    ("2002::/16", "6to4", "6to4", "RFC 3056", False),
    ("2620:4f:8000::/48", "as112", "Direct Delegation AS112 Service", "RFC 7534", True),
    ("3fff::/20", "documentation", "Documentation", "RFC 9637", False),
    ("5f00::/16", "srv6", "Segment Routing (SRv6) SIDs", "RFC 9602", False),
    ("fc00::/7", "ula", "Unique Local Unicast", "RFC 4193", False),
    ("fe80::/10", "link-local", "Link-Local Unicast", "RFC 4291", False),
    ("ff00::/8", "multicast", "Multicast", "RFC 4291", False),
)

_TABLE: tuple[Classification, ...] = tuple(
    Classification(name, label, rfc, is_global, Prefix.parse(block))
    for block, name, label, rfc, is_global in _TABLE_TEXT
)

_GLOBAL_V4 = Classification("global", "Global unicast", "RFC 6890", True)
_GLOBAL_V6 = Classification("global", "Global unicast", "RFC 4291", True)
# IPv6 outside 2000::/3 and outside every entry above is still unassigned by IANA.
_UNICAST_V6 = Prefix.parse("2000::/3")
_RESERVED_V6 = Classification("reserved", "Reserved by IETF", "RFC 4291", False)


def classify(item: Addr | Prefix) -> Classification:
    """The most specific registry entry holding ``item``.

    A prefix that straddles entries (``0.0.0.0/0``) is ``mixed``; one outside
    every entry is ``global`` (or ``reserved`` for IPv6 outside 2000::/3).

    >>> found = classify(Addr.parse("192.0.2.1"))
    >>> found.name, found.rfc, found.is_global
    ('documentation', 'RFC 5737', False)
    """
    inside = [entry for entry in _TABLE if entry.prefix and entry.prefix.contains(item)]
    if inside:
        return max(inside, key=lambda entry: entry.prefix.length if entry.prefix else 0)
    if isinstance(item, Prefix) and any(
        entry.prefix and item.overlaps(entry.prefix) for entry in _TABLE
    ):
        touched = [e for e in _TABLE if e.prefix and item.overlaps(e.prefix)]
        names = {e.name for e in touched}
        # Space between the entries counts too: 10.0.0.0/7 is half private,
        # half global.
        rest = IPSet([item]) - IPSet(e.prefix for e in touched if e.prefix)
        if rest.family(4):
            names.add(_GLOBAL_V4.name)
        if rest & IPSet([_UNICAST_V6]):
            names.add(_GLOBAL_V6.name)
        if rest.family(6) - IPSet([_UNICAST_V6]):
            names.add(_RESERVED_V6.name)
        return Classification(
            "mixed", "spans several registry blocks: " + ", ".join(sorted(names)), "RFC 6890", False
        )
    if item.bits == 32:
        return _GLOBAL_V4
    if _UNICAST_V6.contains(item):
        return _GLOBAL_V6
    return _RESERVED_V6


def registry() -> tuple[Classification, ...]:
    """The pinned registry table, in the order above."""
    return _TABLE
