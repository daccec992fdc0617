"""The list commands' bulk path: joined buffers, exact counts, overlaps as the core words them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cidrkit.bulk.setops import merge
from cidrkit.bulk.textformat import iter_prefix_text, prefix_strings
from cidrkit.bulk.textlists import address_count, join_parsed, overlap_report
from cidrkit.bulk.textparse import parse_prefix_text
from cidrkit.core import IPSet, Prefix, Range
from cidrkit.core.pairs import sorted_overlaps
from tests.bulk.strategies import prefixes, ranges


def parse(*buffers: str) -> list:  # type: ignore[type-arg]
    return [parse_prefix_text(b.encode(), f"in{i}.txt") for i, b in enumerate(buffers)]


def test_join_numbers_lines_across_buffers() -> None:
    # Blank lines, comments and bad lines count as lines: ids point at input lines.
    joined, spans = join_parsed(
        parse("10.0.0.0/8\n\nbad\n", "# c\n2001:db8::/32\n10.1.0.1-10.1.0.9\n")
    )
    assert joined.v4.ids.tolist() == [0]
    assert joined.v6.ids.tolist() == [4]
    assert spans.v4.ids.tolist() == [5]
    assert [str(r) for r in spans.to_core()] == ["10.1.0.1-10.1.0.9"]


def test_join_of_nothing_is_empty() -> None:
    prefixes_, ranges_ = join_parsed([])
    assert (len(prefixes_), len(ranges_)) == (0, 0)


def test_overlap_report_words_pairs_as_the_core() -> None:
    lines = (
        "10.0.0.0/8\n10.1.0.0/16\n10.0.0.1-10.0.0.3\n192.0.2.0/24\n10.1.0.0/16\n"
        "10.0.0.2-10.0.0.7\n"
    )
    texts, pairs = overlap_report(*join_parsed(parse(lines)))
    assert texts == lines.splitlines()
    assert pairs == [
        ("10.0.0.0/8", "10.0.0.1-10.0.0.3", "a_contains_b"),
        ("10.0.0.0/8", "10.0.0.2-10.0.0.7", "a_contains_b"),
        ("10.0.0.0/8", "10.1.0.0/16", "a_contains_b"),
        ("10.0.0.0/8", "10.1.0.0/16", "a_contains_b"),
        ("10.0.0.1-10.0.0.3", "10.0.0.2-10.0.0.7", "partial"),
        ("10.1.0.0/16", "10.1.0.0/16", "equal"),
    ]


items = st.lists(st.one_of(prefixes(), ranges()), max_size=30)


@given(items)
def test_overlap_report_equals_the_core(values: list[Prefix | Range]) -> None:
    texts = [str(v) for v in values]
    got = overlap_report(*join_parsed(parse("\n".join(texts) + "\n")))
    expected = [(str(a), str(b), rel) for a, b, rel in sorted_overlaps(values)]
    assert got == (texts, expected)


@given(st.lists(prefixes(), max_size=30))
def test_address_count_is_exact(values: list[Prefix]) -> None:
    merged = merge(join_parsed(parse("\n".join(str(v) for v in values) + "\n"))[0])
    assert address_count(merged) == IPSet(values).size


def test_address_count_past_two_to_the_64() -> None:
    merged = merge(join_parsed(parse("::/0\n0.0.0.0/0\n"))[0])
    assert address_count(merged) == (1 << 128) + (1 << 32)


def test_formatting_matches_the_core() -> None:
    text = "0.0.0.0/0\n255.255.255.255/32\n10.20.30.40/30\n::ffff:1.2.3.4/128\n2001:db8::/32\n"
    parsed = parse_prefix_text(text.encode()).prefixes
    assert "".join(iter_prefix_text(parsed)) == text
    assert prefix_strings(parsed.v4, with_length=False) == [
        "0.0.0.0",
        "255.255.255.255",
        "10.20.30.40",
    ]
