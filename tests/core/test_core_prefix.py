"""Exact facts about prefixes at the edges: sizes, usable counts, hosts, splits, order."""

from __future__ import annotations

import ipaddress

import pytest

from cidrkit.core import Addr, Prefix, Range
from cidrkit.errors import ArgumentError, FamilyError, LimitError

P = Prefix.parse
A = Addr.parse


@pytest.mark.parametrize(
    ("text", "size", "first", "last", "netmask", "hostmask", "broadcast"),
    [
        ("0.0.0.0/0", 2**32, "0.0.0.0", "255.255.255.255", "0.0.0.0", "255.255.255.255",
         "255.255.255.255"),
        ("128.0.0.0/1", 2**31, "128.0.0.0", "255.255.255.255", "128.0.0.0", "127.255.255.255",
         "255.255.255.255"),
        ("10.0.0.0/8", 2**24, "10.0.0.0", "10.255.255.255", "255.0.0.0", "0.255.255.255",
         "10.255.255.255"),
        ("192.0.2.0/30", 4, "192.0.2.0", "192.0.2.3", "255.255.255.252", "0.0.0.3",
         "192.0.2.3"),
        ("192.0.2.4/31", 2, "192.0.2.4", "192.0.2.5", "255.255.255.254", "0.0.0.1", None),
        ("192.0.2.9/32", 1, "192.0.2.9", "192.0.2.9", "255.255.255.255", "0.0.0.0", None),
        ("::/0", 2**128, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::",
         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", None),
        ("2001:db8::/32", 2**96, "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
         "ffff:ffff::", "::ffff:ffff:ffff:ffff:ffff:ffff", None),
        ("2001:db8::/127", 2, "2001:db8::", "2001:db8::1",
         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "::1", None),
        ("2001:db8::1/128", 1, "2001:db8::1", "2001:db8::1",
         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::", None),
    ],
)
def test_prefix_facts_at_every_edge(
    text: str,
    size: int,
    first: str,
    last: str,
    netmask: str,
    hostmask: str,
    broadcast: str | None,
) -> None:
    prefix = P(text)
    assert prefix.size == size
    assert (str(prefix.first), str(prefix.network), str(prefix.last)) == (first, first, last)
    assert (prefix.start, prefix.end) == (A(first).value, A(last).value)
    assert (str(prefix.netmask), str(prefix.hostmask)) == (netmask, hostmask)
    assert prefix.wildcard == prefix.hostmask
    assert (None if prefix.broadcast is None else str(prefix.broadcast)) == broadcast


def test_ipv6_whole_space_count_is_exact() -> None:
    assert P("::/0").size == 340282366920938463463374607431768211456
    assert P("::/0").usable() == 2**128
    assert P("::/0").subnet_count(64) == 2**64


# (prefix, {model: usable count}); rfc follows RFC 3021 for /31 and keeps the
# single /32; clouds reserve 5 (AWS, Azure) or 4 (GCP) and refuse small subnets.
USABLE = [
    ("10.0.0.0/8", {"rfc": 16777214, "aws": 16777211, "azure": 16777211, "gcp": 16777212,
                    "none": 16777216}),
    ("10.0.0.0/16", {"rfc": 65534, "aws": 65531, "azure": 65531, "gcp": 65532, "none": 65536}),
    ("10.0.0.0/24", {"rfc": 254, "aws": 251, "azure": 251, "gcp": 252, "none": 256}),
    ("10.0.0.0/28", {"rfc": 14, "aws": 11, "azure": 11, "gcp": 12, "none": 16}),
    ("10.0.0.0/29", {"rfc": 6, "aws": 0, "azure": 3, "gcp": 4, "none": 8}),
    ("10.0.0.0/30", {"rfc": 2, "aws": 0, "azure": 0, "gcp": 0, "none": 4}),
    ("10.0.0.0/31", {"rfc": 2, "aws": 0, "azure": 0, "gcp": 0, "none": 2}),
    ("10.0.0.0/32", {"rfc": 1, "aws": 0, "azure": 0, "gcp": 0, "none": 1}),
    ("0.0.0.0/0", {"rfc": 2**32 - 2, "none": 2**32}),
    ("2001:db8::/64", {"rfc": 2**64, "aws": 2**64 - 5, "azure": 2**64 - 5, "gcp": 2**64 - 4,
                       "none": 2**64}),
    ("2001:db8::/65", {"rfc": 2**63, "aws": 0, "azure": 0, "gcp": 0}),
    ("2001:db8::/127", {"rfc": 2, "none": 2}),
    ("2001:db8::/128", {"rfc": 1, "none": 1}),
]


@pytest.mark.parametrize(("text", "counts"), USABLE)
def test_usable_counts_per_model(text: str, counts: dict[str, int]) -> None:
    prefix = P(text)
    assert {model: prefix.usable(model) for model in counts} == counts


def test_aws_smallest_subnet_is_a_28() -> None:
    # AWS accepts /16../28; the AWS model here only caps the long end.
    assert P("10.0.0.0/28").usable("aws") == 11
    assert P("10.0.0.0/29").usable("aws") == 0


@pytest.mark.parametrize(
    ("text", "model", "bounds"),
    [
        ("192.0.2.0/24", "rfc", ("192.0.2.1", "192.0.2.254")),
        ("192.0.2.0/24", "aws", ("192.0.2.4", "192.0.2.254")),
        ("192.0.2.0/24", "azure", ("192.0.2.4", "192.0.2.254")),
        ("192.0.2.0/24", "gcp", ("192.0.2.2", "192.0.2.253")),
        ("192.0.2.0/24", "none", ("192.0.2.0", "192.0.2.255")),
        ("192.0.2.4/31", "rfc", ("192.0.2.4", "192.0.2.5")),
        ("192.0.2.9/32", "rfc", ("192.0.2.9", "192.0.2.9")),
        ("192.0.2.8/29", "aws", None),
        ("2001:db8::/64", "rfc", ("2001:db8::", "2001:db8::ffff:ffff:ffff:ffff")),
        ("2001:db8::/64", "aws", ("2001:db8::4", "2001:db8::ffff:ffff:ffff:fffe")),
    ],
)
def test_usable_bounds(text: str, model: str, bounds: tuple[str, str] | None) -> None:
    got = P(text).usable_bounds(model)
    assert (None if got is None else (str(got[0]), str(got[1]))) == bounds


def test_unknown_usable_model_names_the_choices() -> None:
    with pytest.raises(ValueError) as caught:
        P("10.0.0.0/24").usable("oracle")
    assert str(caught.value) == (
        "unknown usable-address model 'oracle'; choose one of rfc, aws, azure, gcp, none"
    )


@pytest.mark.parametrize(
    ("text", "n", "expected"),
    [
        ("192.0.2.0/24", 0, "192.0.2.0"),
        ("192.0.2.0/24", 1, "192.0.2.1"),
        ("192.0.2.0/24", 255, "192.0.2.255"),
        ("192.0.2.0/24", -1, "192.0.2.255"),
        ("192.0.2.0/24", -2, "192.0.2.254"),
        ("192.0.2.0/24", -256, "192.0.2.0"),
        ("192.0.2.9/32", -1, "192.0.2.9"),
        ("::/0", -1, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("2001:db8::/32", 2**96 - 1, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"),
    ],
)
def test_nth_host(text: str, n: int, expected: str) -> None:
    assert str(P(text).host(n)) == expected


@pytest.mark.parametrize("n", [256, -257])
def test_nth_host_out_of_range(n: int) -> None:
    with pytest.raises(LimitError) as caught:
        P("192.0.2.0/24").host(n)
    assert str(caught.value) == f"192.0.2.0/24 has 256 addresses; there is no address {n}"


def test_subnets_are_lazy_even_for_huge_splits() -> None:
    # 2**64 blocks: materialising them would never finish.
    blocks = P("2001:db8::/32").subnets(96)
    assert [str(next(blocks)) for _ in range(3)] == [
        "2001:db8::/96",
        "2001:db8::1:0:0/96",
        "2001:db8::2:0:0/96",
    ]
    assert P("2001:db8::/32").subnet_count(96) == 2**64
    assert str(P("2001:db8::/32").subnet(-1, 96)) == "2001:db8:ffff:ffff:ffff:ffff::/96"


@pytest.mark.parametrize(
    ("text", "length", "expected"),
    [
        ("10.0.0.0/8", None, ["10.0.0.0/9", "10.128.0.0/9"]),
        ("10.0.0.0/30", 32, ["10.0.0.0/32", "10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32"]),
        ("10.0.0.0/24", 24, ["10.0.0.0/24"]),
        ("0.0.0.0/0", 1, ["0.0.0.0/1", "128.0.0.0/1"]),
        ("2001:db8::/126", 127, ["2001:db8::/127", "2001:db8::2/127"]),
    ],
)
def test_subnets(text: str, length: int | None, expected: list[str]) -> None:
    assert [str(p) for p in P(text).subnets(length)] == expected


@pytest.mark.parametrize("length", [7, 33])
def test_subnets_length_out_of_range(length: int) -> None:
    with pytest.raises(ValueError) as caught:
        list(P("10.0.0.0/8").subnets(length))
    assert str(caught.value) == (
        f"cannot split 10.0.0.0/8 into /{length} blocks: its blocks are /8 to /32"
    )


@pytest.mark.parametrize("text", ["1.2.3.4/32", "::1/128", "255.255.255.255/32"])
def test_subnets_of_a_single_address_prefix_is_the_prefix_itself(text: str) -> None:
    # As ipaddress and netaddr answer; it used to raise.
    assert list(P(text).subnets()) == [P(text)]
    assert [str(n) for n in ipaddress.ip_network(text).subnets()] == [text]


def test_subnet_index_out_of_range() -> None:
    with pytest.raises(IndexError) as caught:
        P("10.0.0.0/8").subnet(2, 9)
    assert str(caught.value) == "10.0.0.0/8 has 2 /9 blocks; no block 2"


@pytest.mark.parametrize(
    ("text", "length", "expected"),
    [
        ("10.1.2.0/24", None, "10.1.2.0/23"),
        ("10.1.3.0/24", None, "10.1.2.0/23"),
        ("10.1.3.0/24", 8, "10.0.0.0/8"),
        ("10.1.3.0/24", 0, "0.0.0.0/0"),
        ("10.1.3.0/24", 24, "10.1.3.0/24"),
        ("2001:db8:8000::/33", None, "2001:db8::/32"),
        ("::1/128", 0, "::/0"),
    ],
)
def test_supernet(text: str, length: int | None, expected: str) -> None:
    assert str(P(text).supernet(length)) == expected


@pytest.mark.parametrize("text", ["0.0.0.0/0", "::/0"])
def test_supernet_of_the_whole_space_is_itself(text: str) -> None:
    # As ipaddress answers; it used to raise "no /-1 supernet".
    assert P(text).supernet() == P(text)
    assert str(ipaddress.ip_network(text).supernet()) == text


@pytest.mark.parametrize(("length", "message"), [
    (25, "no /25 supernet of 10.0.0.0/24: its supernets are /0 to /24"),
    (-1, "no /-1 supernet of 10.0.0.0/24: its supernets are /0 to /24"),
])
def test_supernet_length_out_of_range_names_the_length_asked_for(
    length: int, message: str
) -> None:
    with pytest.raises(ArgumentError) as caught:
        P("10.0.0.0/24").supernet(length)
    assert str(caught.value) == message


def test_mixed_family_lists_sort_ipv4_first_without_error() -> None:
    prefixes = [P(t) for t in ["2001:db8::/32", "10.0.0.0/8", "::/0", "10.0.0.0/16",
                                "0.0.0.0/0", "::ffff:10.0.0.0/104", "10.0.0.0/7"]]
    assert [str(p) for p in sorted(prefixes)] == [
        "0.0.0.0/0", "10.0.0.0/7", "10.0.0.0/8", "10.0.0.0/16",
        "::/0", "::ffff:10.0.0.0/104", "2001:db8::/32",
    ]
    addrs = [A(t) for t in ["::1", "255.255.255.255", "::", "0.0.0.0"]]
    assert [str(a) for a in sorted(addrs)] == ["0.0.0.0", "255.255.255.255", "::", "::1"]
    ranges = [Range.parse(t) for t in ["::1-::2", "10.0.0.1-10.0.0.2"]]
    assert [str(r) for r in sorted(ranges)] == ["10.0.0.1-10.0.0.2", "::1-::2"]


def test_ipv4_mapped_ipv6_is_ipv6() -> None:
    mapped = A("::ffff:10.0.0.1")
    assert mapped.version == 6 and mapped.is_ipv4_mapped
    assert not P("10.0.0.0/8").contains(mapped)
    assert mapped not in P("10.0.0.0/8")
    assert not P("10.0.0.0/8").overlaps(P("::ffff:10.0.0.0/104"))
    assert mapped != A("10.0.0.1")
    assert mapped.unmapped() == A("10.0.0.1")
    assert A("10.0.0.1").mapped() == mapped
    assert mapped.unmapped() in P("10.0.0.0/8")
    assert P("::ffff:0:0/96").contains(mapped)
    assert not A("10.0.0.1").is_ipv4_mapped


def test_mapping_conversions_refuse_the_wrong_family() -> None:
    with pytest.raises(FamilyError) as caught:
        A("2001:db8::1").unmapped()
    assert str(caught.value) == "2001:db8::1 is not an IPv4-mapped IPv6 address (::ffff:0:0/96)"
    with pytest.raises(FamilyError) as caught:
        A("::ffff:10.0.0.1").mapped()
    assert str(caught.value) == "::ffff:10.0.0.1 is not an IPv4 address"


@pytest.mark.parametrize(
    ("outer", "inner", "contains", "overlaps"),
    [
        ("10.0.0.0/8", "10.0.0.0/8", True, True),
        ("10.0.0.0/8", "10.255.255.255", True, True),
        ("10.0.0.0/8", "11.0.0.0", False, False),
        ("10.0.0.0/8", "9.255.255.255-10.0.0.0", False, True),
        ("10.0.0.0/8", "10.1.0.0-10.2.0.0", True, True),
        ("10.0.0.0/16", "10.0.0.0/8", False, True),
        ("10.0.0.0/8", "::a00:0/104", False, False),
        ("0.0.0.0/0", "::", False, False),
        ("::/0", "0.0.0.0", False, False),
        ("::/0", "::ffff:10.0.0.1", True, True),
    ],
)
def test_contains_and_overlaps(outer: str, inner: str, contains: bool, overlaps: bool) -> None:
    from cidrkit.core import parse_item

    prefix, item = P(outer), parse_item(inner)
    assert (prefix.contains(item), prefix.overlaps(item)) == (contains, overlaps)
    assert (inner in prefix) == contains
    assert (item in prefix) == contains


def test_contains_refuses_unrelated_objects_quietly() -> None:
    assert 42 not in P("10.0.0.0/8")
    assert None not in P("10.0.0.0/8")


def test_prefix_helpers() -> None:
    assert Prefix.containing(A("10.1.2.3"), 16) == P("10.1.0.0/16")
    assert Prefix.from_addr(A("2001:db8::1")) == P("2001:db8::1/128")
    assert Range.from_prefix(P("10.0.0.0/30")) == Range.parse("10.0.0.0-10.0.0.3")
    with pytest.raises(ValueError, match="prefix length 33 is out of range 0-32"):
        Prefix.containing(A("10.1.2.3"), 33)


def test_addr_arithmetic_and_ints() -> None:
    assert A("10.0.0.255") + 1 == A("10.0.1.0")
    assert A("10.0.1.0") - 1 == A("10.0.0.255")
    assert int(A("0.0.1.0")) == 256
    assert hex(A("::ff")) == "0xff"
    with pytest.raises(ValueError, match="does not fit in 32 bits"):
        A("255.255.255.255") + 1


def test_values_are_frozen_and_hashable() -> None:
    prefix = P("10.0.0.0/8")
    with pytest.raises(AttributeError):
        prefix.length = 9  # type: ignore[misc]
    assert len({P("10.0.0.0/8"), P("10.0.0.0/8"), P("10.0.0.0/16")}) == 2
    assert eval(repr(prefix), {"Prefix": Prefix.parse}) == prefix


def test_range_facts() -> None:
    r = Range.parse("192.0.2.0-192.0.2.10")
    assert (r.size, str(r.first), str(r.last), r.version) == (11, "192.0.2.0", "192.0.2.10", 4)
    assert [str(p) for p in r.to_prefixes()] == ["192.0.2.0/29", "192.0.2.8/31", "192.0.2.10/32"]
    assert Range.parse("0.0.0.0-255.255.255.255").to_prefixes() == [P("0.0.0.0/0")]
    assert Range.parse("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").to_prefixes() == [P("::/0")]
    assert [str(p) for p in Range.parse("0.0.0.1-255.255.255.254").to_prefixes()][:3] == [
        "0.0.0.1/32", "0.0.0.2/31", "0.0.0.4/30",
    ]
    assert len(Range.parse("0.0.0.1-255.255.255.254").to_prefixes()) == 62
    assert Range.between(A("10.0.0.1"), A("10.0.0.2")) == Range.parse("10.0.0.1-10.0.0.2")
    with pytest.raises(FamilyError):
        Range.between(A("10.0.0.1"), A("::1"))
    assert r.contains(A("192.0.2.10")) and not r.contains(A("192.0.2.11"))
    assert r.overlaps(P("192.0.2.8/29")) and not r.overlaps(P("192.0.2.16/28"))
    assert repr(r) == "Range('192.0.2.0-192.0.2.10')"


@pytest.mark.parametrize(
    "value",
    [Addr.parse("192.0.2.1"), Addr.parse("::ffff:1.2.3.4"), Prefix.parse("2001:db8::/32"),
     Range.parse("10.0.0.1-10.0.0.9")],
)
def test_values_pickle_copy_and_match_by_fields(value: Addr | Prefix | Range) -> None:
    import copy
    import pickle

    for clone in (pickle.loads(pickle.dumps(value)), copy.copy(value), copy.deepcopy(value)):
        assert clone == value and hash(clone) == hash(value) and type(clone) is type(value)
    match value:
        case Prefix(128, _, length):
            assert length == 32
        case Addr(bits, number):
            assert Addr(bits, number) == value
        case Range(32, start, end):
            assert (start, end) == (0x0A000001, 0x0A000009)
        case _:
            raise AssertionError(value)


def test_values_refuse_assignment_and_deletion() -> None:
    addr = Addr.parse("192.0.2.1")
    with pytest.raises(AttributeError) as caught:
        addr.value = 5  # type: ignore[misc]
    assert str(caught.value) == "Addr is immutable: cannot set 'value'"
    with pytest.raises(AttributeError) as caught:
        del addr.bits
    assert str(caught.value) == "Addr is immutable: cannot delete 'bits'"
    with pytest.raises(AttributeError):
        addr.extra = 1  # type: ignore[attr-defined]


def test_values_of_different_types_are_never_equal() -> None:
    addr, prefix = Addr.parse("10.0.0.1"), Prefix.parse("10.0.0.1/32")
    rng = Range.parse("10.0.0.1-10.0.0.1")
    assert addr != prefix and prefix != rng and rng != addr
    assert addr != (32, 0x0A000001)
    assert len({addr, prefix, rng}) == 3
    with pytest.raises(TypeError):
        _ = addr < prefix  # type: ignore[operator]
