"""Table-driven tests of parsing and formatting, with exact error texts.

Each bad input names the reason, the 1-based column of the first bad
character and, where the fix is obvious, the hint, as a person reads them.
"""

from __future__ import annotations

import pytest

from cidrkit.core import Addr, Prefix, Range, parse_addr, parse_item, parse_prefix
from cidrkit.errors import CidrkitError, ParseError, quote

LEADING_ZERO = "has a leading zero, which is ambiguous (octal to some tools, decimal to others)"

# (text, reason, column, hint)
BAD_PREFIXES: list[tuple[str, str, int | None, str | None]] = [
    ("256.0.0.0", "octet 256 is above 255", 1, None),
    ("10.0.0.300/24", "octet 300 is above 255", 8, None),
    ("10.1000.0.0", "octet 1000 is above 255", 4, None),
    ("1.2.3." + "9" * 5000, "octet " + "9" * 19 + "\u2026 is above 255", 7, None),
    ("010.0.0.1", f"octet '010' {LEADING_ZERO}", 1, "write it as 10 if decimal was meant"),
    ("10.0.0.01/32", f"octet '01' {LEADING_ZERO}", 8, "write it as 1 if decimal was meant"),
    ("10.00.0.0", f"octet '00' {LEADING_ZERO}", 4, "write it as 0 if decimal was meant"),
    ("10.0.0.0/33", "prefix length 33 is out of range for IPv4 (0-32)", 10, None),
    ("2001:db8::/129", "prefix length 129 is out of range for IPv6 (0-128)", 12, None),
    ("10.0.0.0/" + "9" * 5000, "prefix length 999999... is out of range for IPv4 (0-32)", 10, None),
    ("10.0.0.0/-1", "prefix length '-1' is not a number", 10, None),
    ("10.0.0.0/+8", "prefix length '+8' is not a number", 10, None),
    ("10.0.0.0/8x", "prefix length '8x' is not a number", 11, None),
    ("10.0.0.0/8/9", "prefix length '8/9' is not a number", 11, None),
    ("10.0.0.0/", "missing prefix length after '/'", 10, None),
    ("2001:db8::/ffff::", "prefix length 'ffff::' is not a number", 12, None),
    ("10.0.0.0/255.0.255.0", "netmask 255.0.255.0 is not contiguous", 10, None),
    ("10.0.0.0/255.255.0.255", "netmask 255.255.0.255 is not contiguous", 10, None),
    (
        "10.0.0.0/0.0.255.255",
        "0.0.255.255 is a wildcard (host) mask, not a netmask",
        10,
        "did you mean /16?",
    ),
    (
        "10.0.0.0/0.0.0.3",
        "0.0.0.3 is a wildcard (host) mask, not a netmask",
        10,
        "did you mean /30?",
    ),
    ("10.0.0.0/255.255.256.0", "octet 256 is above 255", 18, None),
    ("10..0.1", "empty octet in IPv4 address", 4, None),
    ("10.0.0.", "empty octet in IPv4 address", 8, None),
    (".10.0.0", "empty octet in IPv4 address", 1, None),
    ("1.2.3", "an IPv4 address has 4 octets, this has 3", 1, None),
    ("1.2.3.4.5", "an IPv4 address has 4 octets, this has 5", 1, None),
    ("16909060", "an IPv4 address has 4 octets, this has 1", 1, "did you mean 1.2.3.4?"),
    ("4294967296", "an IPv4 address has 4 octets, this has 1", 1, None),
    ("10.1.300", "an IPv4 address has 4 octets, this has 3", 1, None),
    ("", "empty prefix", 1, None),
    ("/8", "empty address", 1, None),
    ("abc", "not an IPv4 or IPv6 address", 1, None),
    ("host.example", "unexpected character 'h' in IPv4 octet 'host'", 1, None),
    ("0x0a.0.0.0", "unexpected character 'x' in IPv4 octet '0x0a'", 2, None),
    (" 10.0.0.1", "unexpected character ' ' in IPv4 octet ' 10'", 1, None),
    ("10.0.0.1 ", "unexpected character ' ' in IPv4 octet '1 '", 9, None),
    ("\u0663.1.1.1", "unexpected character '\u0663' in IPv4 octet '\u0663'", 1, None),
    ("10.0.0.5/16", "host bits set", 1, "did you mean 10.0.0.0/16?"),
    ("192.0.2.7/24", "host bits set", 1, "did you mean 192.0.2.0/24?"),
    ("10.0.0.5/255.255.0.0", "host bits set", 1, "did you mean 10.0.0.0/16?"),
    ("1.2.3.4/0", "host bits set", 1, "did you mean 0.0.0.0/0?"),
    ("2001:db8::1/32", "host bits set", 1, "did you mean 2001:db8::/32?"),
    ("::ffff:10.0.0.1/120", "host bits set", 1, "did you mean ::ffff:10.0.0.0/120?"),
    ("fe80::1%eth0", "zone index (%...) is not allowed here", 8, None),
    ("fe80::1%eth0/64", "zone index (%...) is not allowed here", 8, None),
    ("1::2::3", "'::' may appear only once", 5, None),
    (":::", "'::' may appear only once", 2, None),
    ("1:2:3:4:5:6:7:8:9", "an IPv6 address has 8 groups, this has 9", 1, None),
    ("1:2:3:4:5:6:7", "an IPv6 address has 8 groups, this has 7", 1, None),
    ("1:2:3:4:5:6:7::8:9", "'::' must stand for at least one zero group", 14, None),
    ("1:2:3:4:5:6:7:8::", "'::' must stand for at least one zero group", 16, None),
    ("12345::", "group '12345' has more than 4 hex digits", 1, None),
    ("2001:db8::00001", "group '00001' has more than 4 hex digits", 11, None),
    ("g::", "unexpected character 'g' in IPv6 group 'g'", 1, None),
    ("2001:db8::-1", "unexpected character '-' in IPv6 group '-1'", 11, None),
    (":1::", "empty group in IPv6 address", 1, None),
    ("1:", "empty group in IPv6 address", 3, None),
    ("1.2.3.4::", "unexpected character '.' in IPv6 group '1.2.3.4'", 2, None),
    ("::1.2.3.256", "octet 256 is above 255", 9, None),
    ("::1.2.3", "an IPv4 address has 4 octets, this has 3", 3, None),
    ("::1.2.3.4:5", "unexpected character '.' in IPv6 group '1.2.3.4'", 4, None),
    ("1:2:3:4:5:6:7:1.2.3.4", "an IPv6 address has 8 groups, this has 9", 1, None),
]


@pytest.mark.parametrize(("text", "reason", "column", "hint"), BAD_PREFIXES)
def test_bad_prefix_text_is_explained(
    text: str, reason: str, column: int | None, hint: str | None
) -> None:
    with pytest.raises(ParseError) as caught:
        Prefix.parse(text)
    err = caught.value
    assert (err.text, err.reason, err.column, err.hint) == (text, reason, column, hint)
    assert str(err) == f"{quote(text)}: {reason}" + (f"; {hint}" if hint else "")


def test_parse_error_is_a_value_error_and_a_cidrkit_error() -> None:
    with pytest.raises(ValueError) as caught:
        Prefix.parse("10.0.0.5/16")
    assert isinstance(caught.value, CidrkitError)


def test_located_error_says_where_the_text_came_from() -> None:
    with pytest.raises(ParseError) as caught:
        Prefix.parse("10.0.0.5/16")
    located = caught.value.located("plan.yaml:14")
    assert str(located) == "plan.yaml:14: '10.0.0.5/16': host bits set; did you mean 10.0.0.0/16?"
    assert (located.text, located.column, located.where) == ("10.0.0.5/16", 1, "plan.yaml:14")
    assert caught.value.where is None


# (text, canonical text) for every RFC 4291 2.2 spelling.
GOOD_ADDRESSES = [
    ("0.0.0.0", "0.0.0.0"),
    ("255.255.255.255", "255.255.255.255"),
    ("10.0.0.1", "10.0.0.1"),
    ("::", "::"),
    ("::1", "::1"),
    ("0:0:0:0:0:0:0:0", "::"),
    ("0:0:0:0:0:0:0:1", "::1"),
    ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
    ("2001:DB8::1", "2001:db8::1"),
    ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
    ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
    ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
    ("2001:db8::", "2001:db8::"),
    ("1:0:0:0:0:0:0:0", "1::"),
    ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
    ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
    ("fe80::", "fe80::"),
    ("FF02::1:FF00:1", "ff02::1:ff00:1"),
    ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
    ("::FFFF:1.2.3.4", "::ffff:1.2.3.4"),
    ("0:0:0:0:0:ffff:102:304", "::ffff:1.2.3.4"),
    ("0:0:0:0:0:ffff:1.2.3.4", "::ffff:1.2.3.4"),
    ("::ffff:0:0", "::ffff:0.0.0.0"),
    ("::1.2.3.4", "::102:304"),
    ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
    ("2001:db8:1:2:3:4:192.0.2.1", "2001:db8:1:2:3:4:c000:201"),
]


@pytest.mark.parametrize(("text", "canonical"), GOOD_ADDRESSES)
def test_address_text_parses_to_canonical_form(text: str, canonical: str) -> None:
    addr = Addr.parse(text)
    assert str(addr) == canonical
    assert Addr.parse(canonical) == addr
    assert repr(addr) == f"Addr('{canonical}')"


# RFC 5952 section 4: exact canonical text for hand-picked values.
FORMATTED = [
    (0x20010DB8000000000000000000000001, "2001:db8::1"),  # 4.2.1 shorten maximally
    (0x20010DB8000000010001000100010001, "2001:db8:0:1:1:1:1:1"),  # 4.2.2 lone zero
    (0x20010000000000010000000000000001, "2001:0:0:1::1"),  # 4.2.3 longest run
    (0x20010DB8000000000001000000000001, "2001:db8::1:0:0:1"),  # 4.2.3 first on tie
    (0x20010DB8AAAABBBBCCCCDDDDEEEEFFFF, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"),  # 4.3
    (0x00000000000000000000000000000000, "::"),
    (0x00010000000000000000000000000000, "1::"),
    (0xFFFF << 48 | 0x0A000001, "::ffff:0:a00:1"),  # IPv4-translated, not mapped
    (0x00000000000000000000FFFF0A000001, "::ffff:10.0.0.1"),  # mapped, section 5
]


@pytest.mark.parametrize(("value", "text"), FORMATTED)
def test_ipv6_formatting_follows_rfc5952(value: int, text: str) -> None:
    assert str(Addr.v6(value)) == text


def test_zone_id_is_rejected_for_addresses_too() -> None:
    with pytest.raises(ParseError, match=r"zone index \(%\.\.\.\) is not allowed here"):
        Addr.parse("fe80::1%25eth0")


GOOD_PREFIXES = [
    ("10.0.0.0/8", "10.0.0.0/8"),
    ("10.0.0.0/255.0.0.0", "10.0.0.0/8"),
    ("0.0.0.0/0", "0.0.0.0/0"),
    ("0.0.0.0/0.0.0.0", "0.0.0.0/0"),
    ("10.0.0.1/255.255.255.255", "10.0.0.1/32"),
    ("192.0.2.0/255.255.255.128", "192.0.2.0/25"),
    ("10.0.0.1", "10.0.0.1/32"),
    ("2001:DB8::/32", "2001:db8::/32"),
    ("::/0", "::/0"),
    ("::1", "::1/128"),
    ("::/08", "::/8"),
    ("::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104"),
]


@pytest.mark.parametrize(("text", "canonical"), GOOD_PREFIXES)
def test_prefix_text_parses_to_canonical_form(text: str, canonical: str) -> None:
    prefix = Prefix.parse(text)
    assert str(prefix) == canonical
    assert repr(prefix) == f"Prefix('{canonical}')"
    assert parse_prefix(canonical) == prefix


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("10.0.0.5/16", "10.0.0.0/16"),
        ("10.0.0.5/255.255.0.0", "10.0.0.0/16"),
        ("255.255.255.255/1", "128.0.0.0/1"),
        ("2001:db8::1/32", "2001:db8::/32"),
        ("2001:db8::1/0", "::/0"),
        ("10.0.0.0/8", "10.0.0.0/8"),
    ],
)
def test_parse_masked_clears_host_bits_on_purpose(text: str, masked: str) -> None:
    assert str(Prefix.parse_masked(text)) == masked


def test_parse_masked_still_rejects_bad_text() -> None:
    with pytest.raises(ParseError, match="prefix length 33 is out of range"):
        Prefix.parse_masked("10.0.0.5/33")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.0.0.1-10.0.0.9", Range(32, 0x0A000001, 0x0A000009)),
        ("10.0.0.1 - 10.0.0.9", Range(32, 0x0A000001, 0x0A000009)),
        ("10.0.0.1\u201310.0.0.9", Range(32, 0x0A000001, 0x0A000009)),
        ("10.0.0.1 \u2014 10.0.0.9", Range(32, 0x0A000001, 0x0A000009)),
        ("10.0.0.1-10.0.0.1", Range(32, 0x0A000001, 0x0A000001)),
        ("2001:db8::1-2001:db8::ff", Range(128, (0x20010DB8 << 96) | 1, (0x20010DB8 << 96) | 0xFF)),
    ],
)
def test_range_text_parses(text: str, expected: Range) -> None:
    assert Range.parse(text) == expected
    assert parse_item(text) == expected


@pytest.mark.parametrize(
    ("text", "reason", "column", "hint"),
    [
        (
            "10.0.0.9-10.0.0.1",
            "the range ends before it starts",
            None,
            "did you mean 10.0.0.1-10.0.0.9?",
        ),
        ("10.0.0.1-::1", "the two ends of a range are of different families", None, None),
        ("10.0.0.1-", "empty address", 10, None),
        ("10.0.0.1-10.0.0.256", "octet 256 is above 255", 17, None),
        ("10.0.0.1 - 10.0.0.x", "unexpected character 'x' in IPv4 octet 'x'", 19, None),
        ("a-b", "not an IPv4 or IPv6 address", 1, None),
        ("10.0.0.1", "a range is written first-last", 1, None),
    ],
)
def test_bad_range_text_is_explained(
    text: str, reason: str, column: int | None, hint: str | None
) -> None:
    with pytest.raises(ParseError) as caught:
        Range.parse(text)
    err = caught.value
    assert (err.reason, err.column, err.hint) == (reason, column, hint)


def test_parse_item_chooses_the_type_from_the_text() -> None:
    assert parse_item("10.0.0.0/8") == Prefix(32, 0x0A000000, 8)
    assert parse_item("10.0.0.1") == Addr(32, 0x0A000001)
    assert parse_item("::1") == Addr(128, 1)
    assert parse_item("10.0.0.1-10.0.0.2") == Range(32, 0x0A000001, 0x0A000002)


def test_parse_addr_refuses_a_prefix() -> None:
    with pytest.raises(ParseError) as caught:
        parse_addr("10.0.0.0/8")
    assert (caught.value.reason, caught.value.column) == ("expected an address, not a prefix", 9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((33, 0), "address width must be 32 or 128 bits, not 33"),
        ((32, -1), "value -1 does not fit in 32 bits"),
        ((32, 2**32), "value 4294967296 does not fit in 32 bits"),
        ((128, 2**128), f"value {2**128} does not fit in 128 bits"),
    ],
)
def test_addr_constructor_checks_its_invariants(args: tuple[int, int], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        Addr(*args)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((32, 0x0A000005, 16), "10.0.0.5/16 has host bits set"),
        ((32, 0, 33), "prefix length 33 is out of range 0-32"),
        ((128, 0, -1), "prefix length -1 is out of range 0-128"),
        ((64, 0, 0), "address width must be 32 or 128 bits, not 64"),
    ],
)
def test_prefix_constructor_checks_its_invariants(
    args: tuple[int, int, int], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        Prefix(*args)
    assert str(caught.value) == message


def test_range_constructor_checks_its_invariants() -> None:
    with pytest.raises(ValueError) as caught:
        Range(32, 10, 9)
    assert str(caught.value) == "invalid range 10-9 for a 32-bit family"


def test_top_level_package_reexports_the_core() -> None:
    import cidrkit
    import cidrkit.core
    import cidrkit.errors

    for name in ["Addr", "Prefix", "Range", "IPSet", "IPSetBuilder", "parse_addr",
                 "parse_item", "parse_prefix", "parse_range"]:
        assert getattr(cidrkit, name) is getattr(cidrkit.core, name)
    assert getattr(cidrkit, "ParseError") is cidrkit.errors.ParseError  # noqa: B009
    assert getattr(cidrkit, "CidrkitError") is cidrkit.errors.CidrkitError  # noqa: B009
