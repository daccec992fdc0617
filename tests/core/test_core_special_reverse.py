"""Classification against the pinned IANA table, and reverse DNS zone names."""

from __future__ import annotations

import ipaddress

import pytest

from cidrkit.core import Addr, Prefix, parse_item
from cidrkit.core.reverse import reverse_zones, rfc2317_zone
from cidrkit.core.special import classify, registry

# (address or prefix, name, rfc, registry block or None)
CLASSIFIED = [
    ("10.1.2.3", "private", "RFC 1918", "10.0.0.0/8"),
    ("172.16.0.1", "private", "RFC 1918", "172.16.0.0/12"),
    ("172.31.255.255", "private", "RFC 1918", "172.16.0.0/12"),
    ("172.32.0.1", "global", "RFC 6890", None),
    ("192.168.1.1", "private", "RFC 1918", "192.168.0.0/16"),
    ("100.64.0.1", "shared", "RFC 6598", "100.64.0.0/10"),
    ("100.127.255.255", "shared", "RFC 6598", "100.64.0.0/10"),
    ("100.128.0.1", "global", "RFC 6890", None),
    ("127.0.0.1", "loopback", "RFC 1122", "127.0.0.0/8"),
    ("169.254.1.1", "link-local", "RFC 3927", "169.254.0.0/16"),
    ("192.0.2.1", "documentation", "RFC 5737", "192.0.2.0/24"),
    ("198.51.100.1", "documentation", "RFC 5737", "198.51.100.0/24"),
    ("203.0.113.9", "documentation", "RFC 5737", "203.0.113.0/24"),
    ("198.18.0.1", "benchmarking", "RFC 2544", "198.18.0.0/15"),
    ("198.19.255.255", "benchmarking", "RFC 2544", "198.18.0.0/15"),
    ("198.20.0.0", "global", "RFC 6890", None),
    ("224.0.0.1", "multicast", "RFC 5771", "224.0.0.0/4"),
    ("239.255.255.255", "multicast", "RFC 5771", "224.0.0.0/4"),
    ("240.0.0.1", "reserved", "RFC 1112", "240.0.0.0/4"),
    ("255.255.255.255", "broadcast", "RFC 919", "255.255.255.255/32"),
    ("0.0.0.0", "unspecified", "RFC 1122", "0.0.0.0/32"),
    ("0.1.2.3", "this-network", "RFC 791", "0.0.0.0/8"),
    ("8.8.8.8", "global", "RFC 6890", None),
    ("192.0.0.9", "anycast", "RFC 7723", "192.0.0.9/32"),
    ("192.0.0.1", "ietf-protocol", "RFC 7335", "192.0.0.0/29"),
    ("192.88.99.1", "deprecated", "RFC 7526", "192.88.99.0/24"),
    ("::", "unspecified", "RFC 4291", "::/128"),
    ("::1", "loopback", "RFC 4291", "::1/128"),
    ("::ffff:10.0.0.1", "ipv4-mapped", "RFC 4291", "::ffff:0.0.0.0/96"),
    ("2002:c000:201::1", "6to4", "RFC 3056", "2002::/16"),
    ("2001::1", "teredo", "RFC 4380", "2001::/32"),
    ("2001:2::1", "benchmarking", "RFC 5180", "2001:2::/48"),
    ("2001:db8::1", "documentation", "RFC 3849", "2001:db8::/32"),
    ("3fff::1", "documentation", "RFC 9637", "3fff::/20"),
    ("fc00::1", "ula", "RFC 4193", "fc00::/7"),
    ("fd12:3456::1", "ula", "RFC 4193", "fc00::/7"),
    ("fe80::1", "link-local", "RFC 4291", "fe80::/10"),
    ("ff02::1", "multicast", "RFC 4291", "ff00::/8"),
    ("64:ff9b::192.0.2.33", "nat64", "RFC 6052", "64:ff9b::/96"),
    ("2606:4700::1", "global", "RFC 4291", None),
    ("4000::1", "reserved", "RFC 4291", None),
    # Registry entries added since the table was first pinned: each was
    # classified as its enclosing block (or global) before.
    ("2001:30::", "drip", "RFC 9374", "2001:30::/28"),
    ("2001:3f:ffff::1", "drip", "RFC 9374", "2001:30::/28"),
    ("2001:1::3", "anycast", "RFC 9665", "2001:1::3/128"),
    ("100:0:0:1::1", "dummy", "RFC 9780", "100:0:0:1::/64"),
    ("192.88.99.2", "6a44", "RFC 6751", "192.88.99.2/32"),
    # 200::/7 (once OSI NSAP) lies outside 2000::/3: reserved by the IETF.
    ("200::1", "reserved", "RFC 4291", None),
    ("10.0.0.0/8", "private", "RFC 1918", "10.0.0.0/8"),
    ("10.20.0.0/16", "private", "RFC 1918", "10.0.0.0/8"),
    ("2001:db8:1::/48", "documentation", "RFC 3849", "2001:db8::/32"),
]


@pytest.mark.parametrize(("text", "name", "rfc", "block"), CLASSIFIED)
def test_classify_against_the_pinned_table(
    text: str, name: str, rfc: str, block: str | None
) -> None:
    item = parse_item(text)
    assert not isinstance(item, type(None))
    found = classify(item)  # type: ignore[arg-type]
    assert (found.name, found.rfc) == (name, rfc)
    assert (None if found.prefix is None else str(found.prefix)) == block


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("10.0.0.0/7", "spans several registry blocks: global, private"),
        ("100.0.0.0/8", "spans several registry blocks: global, shared"),
        ("fc00::/6", "spans several registry blocks: link-local, multicast, reserved, ula"),
    ],
)
def test_classify_reports_mixed_for_a_prefix_across_entries(text: str, label: str) -> None:
    found = classify(Prefix.parse(text))
    assert (found.name, found.prefix, found.is_global) == ("mixed", None, False)
    assert found.label == label


def test_global_flag_follows_the_registry() -> None:
    assert classify(parse_item("8.8.8.8")).is_global  # type: ignore[arg-type]
    assert not classify(parse_item("10.0.0.1")).is_global  # type: ignore[arg-type]
    assert classify(parse_item("192.0.0.9")).is_global  # type: ignore[arg-type]
    # RFC 9374 DETs and RFC 9665 SRP anycast are globally reachable, though
    # inside 2001::/23 (IETF protocol assignments, not global).
    assert classify(parse_item("2001:30::")).is_global  # type: ignore[arg-type]
    assert classify(parse_item("2001:1::3")).is_global  # type: ignore[arg-type]
    assert not classify(parse_item("2001:40::")).is_global  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "2001:db8::/32",
     "192.0.2.0/24", "127.0.0.0/8", "fe80::/10"],
)
def test_classify_agrees_with_stdlib_on_the_stable_private_blocks(text: str) -> None:
    # These blocks have never changed between Python releases.
    assert ipaddress.ip_network(text).is_private
    assert not classify(Prefix.parse(text)).is_global


def test_registry_table_is_well_formed() -> None:
    table = registry()
    assert len(table) == len({(e.prefix, e.name) for e in table})
    assert all(e.prefix is not None for e in table)


@pytest.mark.parametrize(
    ("text", "zones"),
    [
        ("10.0.0.0/8", ["10.in-addr.arpa."]),
        ("192.168.0.0/16", ["168.192.in-addr.arpa."]),
        ("192.168.1.0/24", ["1.168.192.in-addr.arpa."]),
        ("0.0.0.0/0", ["in-addr.arpa."]),
        ("10.0.0.0/7", ["10.in-addr.arpa.", "11.in-addr.arpa."]),
        ("192.0.2.64/26", ["2.0.192.in-addr.arpa."]),
        ("192.0.2.5/32", ["2.0.192.in-addr.arpa."]),
        ("2001:db8::/32", ["8.b.d.0.1.0.0.2.ip6.arpa."]),
        ("2001:db8::/30", ["8.b.d.0.1.0.0.2.ip6.arpa.", "9.b.d.0.1.0.0.2.ip6.arpa.",
                           "a.b.d.0.1.0.0.2.ip6.arpa.", "b.b.d.0.1.0.0.2.ip6.arpa."]),
        ("::/0", ["ip6.arpa."]),
        ("2001:db8::1/128", [".".join("1" + "0" * 23 + "8bd01002") + ".ip6.arpa."]),
    ],
)
def test_reverse_zones(text: str, zones: list[str]) -> None:
    assert reverse_zones(Prefix.parse(text)) == zones


def test_a_20_has_sixteen_24_zones() -> None:
    zones = reverse_zones(Prefix.parse("192.168.16.0/20"))
    assert zones == [f"{n}.168.192.in-addr.arpa." for n in range(16, 32)]


def test_a_106_has_four_108_zones() -> None:
    zones = reverse_zones(Prefix.parse("2001:db8::/106"))
    tail = ".".join("0" * 18 + "8bd01002") + ".ip6.arpa."
    assert zones == [f"{n}.{tail}" for n in "0123"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("192.0.2.0/25", "0/25.2.0.192.in-addr.arpa."),
        ("192.0.2.128/25", "128/25.2.0.192.in-addr.arpa."),
        ("192.0.2.64/26", "64/26.2.0.192.in-addr.arpa."),
        ("192.0.2.5/32", "5/32.2.0.192.in-addr.arpa."),
        ("192.0.2.0/24", None),
        ("10.0.0.0/8", None),
        ("2001:db8::/126", None),
    ],
)
def test_rfc2317_names(text: str, name: str | None) -> None:
    assert rfc2317_zone(Prefix.parse(text)) == name


@pytest.mark.parametrize("length", range(0, 25))
def test_reverse_zones_never_name_a_classless_zone(length: int) -> None:
    # "0/24.x.in-addr.arpa." style names belong only to RFC 2317 delegation.
    prefix = Prefix.containing(Addr.parse("10.0.0.0"), length)
    zones = reverse_zones(prefix)
    assert zones and all("/" not in zone for zone in zones)
    assert all(zone.endswith("in-addr.arpa.") for zone in zones)
    # Zones cover the prefix exactly when it sits on or above a /24.
    labels = -(-length // 8)
    assert len(zones) == 2 ** (labels * 8 - length)
