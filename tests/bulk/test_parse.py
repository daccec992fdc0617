"""Vectorised text parsing agrees with the core parser, line by line."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.bulk import parse_address_text, parse_prefix_text, parse_prefix_text_masked
from cidrkit.core import Prefix

from .strategies import prefixes


def texts(parsed_prefixes: object) -> list[str]:
    return [str(p) for p in parsed_prefixes]  # type: ignore[attr-defined]


def _spellings(p: Prefix) -> list[str]:
    """Several valid ways to write the same prefix."""
    net = ipaddress.ip_network(str(p))
    out = [str(p), f"{net.network_address.exploded}/{p.length}", str(p).upper()]
    if p.length == p.bits:
        out.append(str(net.network_address))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(prefixes(), max_size=40), st.data())
def test_any_spelling_parses_to_the_core_value(items: list[Prefix], data: st.DataObject) -> None:
    lines = [data.draw(st.sampled_from(_spellings(p))) for p in items]
    parsed = parse_prefix_text("\n".join(lines).encode())
    assert parsed.problems == []
    got = sorted(parsed.prefixes, key=lambda p: (p.bits, p.value, p.length))
    assert got == sorted(items, key=lambda p: (p.bits, p.value, p.length))
    # ids are line indexes and keep line order within a family.
    for part in parsed.prefixes.families():
        assert part.ids.tolist() == sorted(part.ids.tolist())


def test_mixed_file_with_bad_lines_reports_each_by_line_number() -> None:
    data = (
        b"10.0.0.0/8\n"
        b"\n"
        b"# a comment\n"
        b"  192.0.2.0/24  \r\n"
        b"10.0.0.5/16\n"
        b"2001:db8::/32\n"
        b"not-an-address\n"
        b"::ffff:192.0.2.1\n"
        b"198.51.100.1-198.51.100.9\n"
        b"1:2:3:4:5:6:7:8:9\n"
        b"256.0.0.0/8\n"
        b"ABCD::/16\n"
        b"0.0.0.0/0\n"
        b"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
    )
    parsed = parse_prefix_text(data, "inv.txt")
    assert texts(parsed.prefixes) == [
        "10.0.0.0/8",
        "192.0.2.0/24",
        "0.0.0.0/0",
        "2001:db8::/32",
        "::ffff:192.0.2.1/128",
        "abcd::/16",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
    ]
    assert parsed.prefixes.v4.ids.tolist() == [0, 3, 12]
    assert [str(r) for r in parsed.ranges.to_core()] == ["198.51.100.1-198.51.100.9"]
    # The wording of each reason belongs to the core parser; here, what and where.
    assert [(e.where, e.text) for e in parsed.problems] == [
        ("inv.txt:5", "10.0.0.5/16"),
        ("inv.txt:7", "not-an-address"),
        ("inv.txt:10", "1:2:3:4:5:6:7:8:9"),
        ("inv.txt:11", "256.0.0.0/8"),
    ]
    assert "10.0.0.0/16" in str(parsed.problems[0])
    assert parsed.line_count == 14


def test_masked_parsing_clears_host_bits() -> None:
    parsed = parse_prefix_text_masked(b"10.0.0.5/16\n2001:db8::1/32\n")
    assert texts(parsed.prefixes) == ["10.0.0.0/16", "2001:db8::/32"]


def test_address_parsing_refuses_prefixes() -> None:
    parsed = parse_address_text(b"192.0.2.1\n192.0.2.0/24\n2001:db8::1\n", "a.txt")
    assert texts(parsed.prefixes) == ["192.0.2.1/32", "2001:db8::1/128"]
    assert [e.where for e in parsed.problems] == ["a.txt:2"]


def test_shapes_close_to_valid_are_rejected_like_the_core() -> None:
    bad = [
        "1.2.3",
        "1.2.3.4.5",
        "01.2.3.4",
        "1.2.3.4/033",
        "1.2.3.4/33",
        "1.2.3.4/",
        "1::2::3",
        ":::",
        "1:2:3:4:5:6:7::8",
        "12345::",
        "::/129",
        "::/1a",
        "1.2/3.4",
        "::1/1/2",
    ]
    parsed = parse_prefix_text("\n".join(bad).encode())
    assert len(parsed.prefixes) == 0
    assert [int((e.where or "").rsplit(":", 1)[1]) for e in parsed.problems] == list(
        range(1, len(bad) + 1)
    )


def test_line_numbers_can_be_given_explicitly() -> None:
    parsed = parse_prefix_text(b"10.0.0.0/8\nbad\n", "t.csv", line_numbers=[2, 7])
    assert [e.where for e in parsed.problems] == ["t.csv:7"]


def _core_reading(lines: list[str]) -> tuple[list[tuple[int, str]], list[int], list[int]]:
    """Line by line with the core parser: (prefix lines, range lines, bad lines)."""
    from cidrkit.core import Addr, Range, parse_item
    from cidrkit.errors import ParseError

    good, spans, bad = [], [], []
    for index, raw in enumerate(lines):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            item = parse_item(text)
        except ParseError:
            bad.append(index)
            continue
        if isinstance(item, Range):
            spans.append(index)
        elif isinstance(item, Addr):
            good.append((index, str(Prefix(item.bits, item.value, item.bits))))
        else:
            good.append((index, str(item)))
    return good, spans, bad


near_addresses = st.text(alphabet="0123456789abcdefABCDEF.:/- ", max_size=24)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(near_addresses, prefixes().map(str)), max_size=25))
def test_any_text_reads_exactly_as_the_core_reads_it(lines: list[str]) -> None:
    lines = [line.replace("\n", "") for line in lines]
    parsed = parse_prefix_text("\n".join(lines).encode())
    good, spans, bad = _core_reading(lines)
    got = sorted(
        (i, text)
        for part in parsed.prefixes.families()
        for i, text in zip(part.ids.tolist(), [str(p) for p in part.to_core()], strict=True)
    )
    assert got == sorted(good)
    assert sorted(parsed.ranges.v4.ids.tolist() + parsed.ranges.v6.ids.tolist()) == spans
    assert [int((e.where or "").rsplit(":", 1)[1]) - 1 for e in parsed.problems] == bad


def test_pieces_of_a_large_buffer_join_seamlessly(monkeypatch: pytest.MonkeyPatch) -> None:
    from cidrkit.bulk import textparse

    lines = [f"10.{i // 256}.{i % 256}.0/24" for i in range(3000)]
    lines[1234] = "10.0.0.1/24"  # host bits: a problem on its own line
    lines[2345] = "192.0.2.1-192.0.2.5"
    data = "\n".join(lines).encode()
    whole = parse_prefix_text(data, "big.txt")
    monkeypatch.setattr(textparse, "PIECE_BYTES", 1000)
    pieces = parse_prefix_text(data, "big.txt")
    assert texts(pieces.prefixes) == texts(whole.prefixes)
    assert pieces.prefixes.v4.ids.tolist() == whole.prefixes.v4.ids.tolist()
    assert pieces.ranges.v4.ids.tolist() == [2345]
    assert [e.where for e in pieces.problems] == ["big.txt:1235"]
    assert pieces.line_count == 3000
