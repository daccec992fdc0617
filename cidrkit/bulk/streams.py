"""Text in, text out: the bulk path for commands that read lists of prefixes.

Each function takes input lines (any iterable of ``str``), parses them all
at once, runs the operation and yields canonical result lines one at a time,
so output starts streaming as soon as the computation is done. Bad lines are
appended to ``problems`` (located ``ParseError`` values) and skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from cidrkit.bulk.arrays import IntervalArray, PrefixArray
from cidrkit.bulk.overlaps import RELATION_NAMES, overlap_pairs
from cidrkit.bulk.setops import exclude, intersect, merge
from cidrkit.bulk.textformat import iter_prefix_text, prefix_strings
from cidrkit.bulk.textparse import ParsedText, parse_prefix_text
from cidrkit.errors import ParseError


def read_lines(
    lines: Iterable[str], source: str = "<input>", problems: list[ParseError] | None = None
) -> ParsedText:
    """Parse lines of prefixes, addresses and ranges; collect problems if asked."""
    parsed = parse_prefix_text("\n".join(line.rstrip("\r\n") for line in lines).encode(), source)
    if problems is not None:
        problems.extend(parsed.problems)
    return parsed


def _items(parsed: ParsedText) -> list[PrefixArray | IntervalArray]:
    return [parsed.prefixes, parsed.ranges]


def _lines(result: PrefixArray) -> Iterator[str]:
    for block in iter_prefix_text(result):
        yield from block.splitlines()


def merge_text_lines(
    lines: Iterable[str], *, source: str = "<input>", problems: list[ParseError] | None = None
) -> Iterator[str]:
    """Yield the minimal sorted prefixes covering every input line."""
    return _lines(merge(*_items(read_lines(lines, source, problems))))


def exclude_text_lines(
    lines: Iterable[str],
    remove: Iterable[str],
    *,
    sources: tuple[str, str] = ("<input>", "<exclude>"),
    problems: list[ParseError] | None = None,
) -> Iterator[str]:
    """Yield the minimal prefixes of ``lines`` once every ``remove`` line is taken out."""
    keep = read_lines(lines, sources[0], problems)
    drop = read_lines(remove, sources[1], problems)
    return _lines(exclude(_items(keep), _items(drop)))


def intersect_text_lines(
    lines: Iterable[str],
    other: Iterable[str],
    *,
    sources: tuple[str, str] = ("<input>", "<other>"),
    problems: list[ParseError] | None = None,
) -> Iterator[str]:
    """Yield the minimal prefixes of the addresses both inputs hold."""
    first = read_lines(lines, sources[0], problems)
    second = read_lines(other, sources[1], problems)
    return _lines(intersect(_items(first), _items(second)))


def overlap_text_pairs(
    lines: Iterable[str], *, source: str = "<input>", problems: list[ParseError] | None = None
) -> Iterator[tuple[int, str, int, str, str]]:
    """Yield ``(line, text, line, text, relation)`` for every overlapping pair of prefixes.

    Line numbers are 1-based; the text is canonical. Ranges in the input are
    compared too. Pairs come sorted by the first element's address.
    """
    parsed = read_lines(lines, source, problems)
    text_of: dict[int, str] = {}
    for part in parsed.prefixes.families():
        text_of.update(zip(part.ids.tolist(), prefix_strings(part), strict=True))
    for span in (parsed.ranges.v4, parsed.ranges.v6):
        text_of.update(zip(span.ids.tolist(), [str(r) for r in span.to_core()], strict=True))
    if len(parsed.ranges):
        items: PrefixArray | IntervalArray = IntervalArray(
            *(
                type(parsed.ranges.v4).concat(
                    [parsed.prefixes.family(bits).intervals(), parsed.ranges.family(bits)], bits
                )
                for bits in (32, 128)
            )
        )
    else:
        items = parsed.prefixes
    pairs = overlap_pairs(items)
    for first, second, relation in zip(
        pairs.first.tolist(), pairs.second.tolist(), pairs.relation.tolist(), strict=True
    ):
        yield first + 1, text_of[first], second + 1, text_of[second], RELATION_NAMES[relation]
