"""Text-in, text-out helpers used by the merge/exclude/intersect/overlaps commands."""

from __future__ import annotations

from cidrkit.bulk.streams import (
    exclude_text_lines,
    intersect_text_lines,
    merge_text_lines,
    overlap_text_pairs,
)
from cidrkit.bulk.textformat import iter_prefix_text, prefix_strings
from cidrkit.bulk.textparse import parse_prefix_text
from cidrkit.errors import ParseError


def test_merge_streams_canonical_lines_and_collects_problems() -> None:
    problems: list[ParseError] = []
    lines = ["192.0.2.0/25", "192.0.2.128/25", "bad", "2001:DB8::/33", "2001:db8:8000::/33"]
    got = list(merge_text_lines(lines, source="in.txt", problems=problems))
    assert got == ["192.0.2.0/24", "2001:db8::/32"]
    assert [(p.where, p.text) for p in problems] == [("in.txt:3", "bad")]


def test_exclude_and_intersect() -> None:
    assert list(exclude_text_lines(["10.0.0.0/24"], ["10.0.0.0/26", "10.0.0.200"])) == [
        "10.0.0.64/26",
        "10.0.0.128/26",
        "10.0.0.192/29",
        "10.0.0.201/32",
        "10.0.0.202/31",
        "10.0.0.204/30",
        "10.0.0.208/28",
        "10.0.0.224/27",
    ]
    assert list(intersect_text_lines(["10.0.0.0/8"], ["10.1.0.0/16", "11.0.0.0/8"])) == [
        "10.1.0.0/16"
    ]


def test_overlap_pairs_with_line_numbers_and_ranges() -> None:
    lines = ["10.0.0.0/8", "10.1.0.0/16", "10.0.0.1-10.0.0.3", "192.0.2.0/24", "10.1.0.0/16"]
    assert list(overlap_text_pairs(lines)) == [
        (1, "10.0.0.0/8", 3, "10.0.0.1-10.0.0.3", "contains"),
        (1, "10.0.0.0/8", 2, "10.1.0.0/16", "contains"),
        (1, "10.0.0.0/8", 5, "10.1.0.0/16", "contains"),
        (2, "10.1.0.0/16", 5, "10.1.0.0/16", "equal"),
    ]


def test_formatting_matches_the_core() -> None:
    text = "0.0.0.0/0\n255.255.255.255/32\n10.20.30.40/30\n::ffff:1.2.3.4/128\n2001:db8::/32\n"
    parsed = parse_prefix_text(text.encode()).prefixes
    assert "".join(iter_prefix_text(parsed)) == text
    assert prefix_strings(parsed.v4, with_length=False) == [
        "0.0.0.0",
        "255.255.255.255",
        "10.20.30.40",
    ]
