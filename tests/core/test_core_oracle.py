"""Property tests of the core against the standard library's ``ipaddress``.

``ipaddress`` is an independent implementation of the same RFCs, so every
answer the core gives for parsing, formatting, containment, splitting,
collapsing and excluding must agree with it. ``ip_addresses()`` is biased
toward special ranges (loopback, mapped, link-local ...), where bugs hide.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

from hypothesis import assume, given
from hypothesis import strategies as st

from cidrkit.core import Addr, IPSet, Prefix, Range
from cidrkit.core.text import format_v4

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Version = Literal[4, 6]
VERSIONS: list[Version] = [4, 6]


@st.composite
def networks(draw: st.DrawFn, version: Version | None = None) -> IPNetwork:
    """A stdlib network with host bits cleared, any length, either family."""
    v = draw(st.sampled_from(VERSIONS)) if version is None else version
    address = draw(st.ip_addresses(v=v))
    length = draw(st.integers(0, address.max_prefixlen))
    return ipaddress.ip_network(f"{address}/{length}", strict=False)


def to_prefix(net: IPNetwork) -> Prefix:
    return Prefix(net.max_prefixlen, int(net.network_address), net.prefixlen)


def to_addr(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Addr:
    return Addr(address.max_prefixlen, int(address))


def expected_text(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The stdlib's text, except IPv4-mapped IPv6 keeps its dotted tail.

    Python 3.11 prints ``::ffff:102:304``; RFC 5952 section 5 recommends
    ``::ffff:1.2.3.4``, which is what cidrkit prints.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return "::ffff:" + format_v4(int(address) & 0xFFFFFFFF)
    return str(address)


@given(st.ip_addresses())
def test_address_text_round_trips_and_matches_stdlib(address: Any) -> None:
    ours = Addr.parse(str(address))
    assert ours.value == int(address)
    assert ours.version == address.version
    assert str(ours) == expected_text(address)
    assert Addr.parse(str(ours)) == ours


@given(st.ip_addresses(v=6))
def test_every_ipv6_spelling_parses_to_the_same_value(address: Any) -> None:
    value = int(address)
    assert Addr.parse(address.exploded).value == value
    assert Addr.parse(address.exploded.upper()).value == value
    assert Addr.parse(str(address).upper()).value == value
    # Dotted-quad tail form of any address (RFC 4291 2.2 form 3).
    groups = address.exploded.split(":")[:6]
    tail = format_v4(value & 0xFFFFFFFF)
    assert Addr.parse(":".join([*groups, tail])).value == value


@given(st.integers(0, 2**128 - 1))
def test_ipv6_formatting_matches_stdlib_on_uniform_values(value: int) -> None:
    address = ipaddress.IPv6Address(value)
    assert str(Addr.v6(value)) == expected_text(address)


@given(
    st.lists(st.sampled_from([0, 0, 0, 1, 0xFFFF, 0xDB8]), min_size=8, max_size=8)
)
def test_ipv6_zero_runs_format_like_stdlib(groups: list[int]) -> None:
    # Dense zero groups exercise RFC 5952 4.2: longest run, first on ties,
    # never a single group.
    value = 0
    for group in groups:
        value = (value << 16) | group
    assert str(Addr.v6(value)) == expected_text(ipaddress.IPv6Address(value))


@given(networks())
def test_prefix_facts_match_stdlib(net: IPNetwork) -> None:
    prefix = Prefix.parse(str(net))
    assert prefix == to_prefix(net)
    assert str(prefix) == f"{expected_text(net.network_address)}/{net.prefixlen}"
    assert prefix.size == net.num_addresses
    assert prefix.first.value == int(net.network_address)
    assert prefix.last.value == int(net.broadcast_address)
    assert prefix.netmask.value == int(net.netmask)
    assert prefix.hostmask.value == int(net.hostmask)


@given(networks(version=4))
def test_ipv4_netmask_form_matches_stdlib(net: ipaddress.IPv4Network) -> None:
    assert Prefix.parse(net.with_netmask) == to_prefix(net)


@given(st.ip_addresses(), st.data())
def test_parse_masked_matches_stdlib_non_strict(address: Any, data: st.DataObject) -> None:
    length = data.draw(st.integers(0, address.max_prefixlen))
    text = f"{address}/{length}"
    net = ipaddress.ip_network(text, strict=False)
    assert Prefix.parse_masked(text) == to_prefix(net)
    if int(net.network_address) != int(address):
        try:
            Prefix.parse(text)
        except ValueError as err:
            assert f"did you mean {to_prefix(net)}?" in str(err)
        else:
            raise AssertionError(f"{text} parsed strictly despite host bits")


@given(networks(), st.ip_addresses())
def test_contains_address_matches_stdlib(net: IPNetwork, address: Any) -> None:
    # Other family: the stdlib says False too (it never converts mapped forms).
    assert to_prefix(net).contains(to_addr(address)) == (address in net)


@given(networks(), networks())
def test_prefix_relations_match_stdlib(a: IPNetwork, b: IPNetwork) -> None:
    same_family = a.version == b.version
    pa, pb = to_prefix(a), to_prefix(b)
    assert pa.overlaps(pb) == (same_family and a.overlaps(b))
    assert pa.contains(pb) == (same_family and b.subnet_of(a))  # type: ignore[arg-type]


@given(networks(), st.integers(0, 6))
def test_subnets_match_stdlib(net: IPNetwork, extra: int) -> None:
    new_length = min(net.prefixlen + extra, net.max_prefixlen)
    prefix = to_prefix(net)
    ours = list(prefix.subnets(new_length))
    assert ours == [to_prefix(n) for n in net.subnets(new_prefix=new_length)]
    assert prefix.subnet_count(new_length) == len(ours)


@given(networks(), st.data())
def test_supernet_matches_stdlib(net: IPNetwork, data: st.DataObject) -> None:
    length = data.draw(st.integers(0, net.prefixlen))
    assert to_prefix(net).supernet(length) == to_prefix(net.supernet(new_prefix=length))


@given(networks(), st.integers())
def test_host_matches_stdlib_indexing(net: IPNetwork, n: int) -> None:
    assume(-net.num_addresses <= n < net.num_addresses)
    assert to_prefix(net).host(n).value == int(net[n])


@given(st.sampled_from(VERSIONS), st.data())
def test_range_to_prefixes_matches_summarize(version: Version, data: st.DataObject) -> None:
    first = data.draw(st.ip_addresses(v=version))
    last = data.draw(st.ip_addresses(v=version))
    first, last = sorted([first, last])
    ours = Range(first.max_prefixlen, int(first), int(last)).to_prefixes()
    theirs = ipaddress.summarize_address_range(first, last)
    assert ours == [to_prefix(n) for n in theirs]


@given(st.lists(networks(version=4), max_size=12), st.lists(networks(version=6), max_size=12))
def test_ipset_prefixes_match_collapse(v4: list[Any], v6: list[Any]) -> None:
    ours = list(IPSet([to_prefix(n) for n in v4 + v6]).prefixes())
    theirs = [*ipaddress.collapse_addresses(v4), *ipaddress.collapse_addresses(v6)]
    assert ours == [to_prefix(n) for n in theirs]


@given(networks(), st.data())
def test_exclude_matches_address_exclude(net: IPNetwork, data: st.DataObject) -> None:
    inner_length = data.draw(st.integers(net.prefixlen, net.max_prefixlen))
    inner_address = data.draw(st.integers(int(net.network_address), int(net.broadcast_address)))
    inner = type(net)((inner_address, inner_length), strict=False)
    ours = list(IPSet([to_prefix(net)]).difference(IPSet([to_prefix(inner)])).prefixes())
    theirs: list[Any] = sorted(net.address_exclude(inner))  # type: ignore[arg-type]
    assert ours == [to_prefix(n) for n in theirs]


@given(st.ip_addresses(v=4))
def test_mapped_round_trip_matches_stdlib(address: ipaddress.IPv4Address) -> None:
    ours = to_addr(address).mapped()
    stdlib = ipaddress.IPv6Address(f"::ffff:{address}")
    assert ours.value == int(stdlib)
    assert ours.is_ipv4_mapped
    assert ours.unmapped() == to_addr(address)
    assert stdlib.ipv4_mapped == address
    assert not Prefix.parse("0.0.0.0/0").contains(ours)
