"""``cidrkit overlaps``: do two items overlap? With more, list every overlapping pair."""

from __future__ import annotations

import argparse

from cidrkit.cli.bulkio import is_large
from cidrkit.cli.common import INPUT_HELP, add_json
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Chunk, Diagnostics, gather, parse_all, sources
from cidrkit.cli.output import write_json
from cidrkit.core.addr import Addr
from cidrkit.core.pairs import overlapping_pairs, relation
from cidrkit.core.parse import Item, item_key, parse_item
from cidrkit.core.prefix import Prefix
from cidrkit.errors import InputError

_SAYS = {
    "equal": "{a} and {b} are the same block",
    "a_contains_b": "{a} contains {b}",
    "b_contains_a": "{a} is inside {b}",
    "partial": "{a} and {b} partly overlap",
}

Pair = tuple[str, str, str]  # (a, b, relation), a sorting before b


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("items", nargs="*", metavar="ITEM", help=INPUT_HELP)
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing; exit code only")
    add_json(parser)
    parser.epilog = (
        "Pairs are sorted by their first item (IPv4 first, then by address, wider first).\n"
        "A bare address counts as a /32 or /128. Exit code 1 when nothing overlaps."
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    chunks = gather(args.items, ctx)
    if is_large(chunks):
        texts, pairs = _bulk_pairs(chunks, diags)
    else:
        texts, pairs = _core_pairs(parse_all(sources(chunks), parse_item, diags))
    if len(texts) < 2 and not diags.errors:
        raise InputError(f"overlaps needs at least two items, got {len(texts)}")
    if args.json:
        write_json(ctx, {
            "pairs": [{"a": a, "b": b, "relation": rel} for a, b, rel in pairs],
            "overlapping": bool(pairs),
        })
    elif not args.quiet:
        write = ctx.stdout.write
        for a, b, rel in pairs:
            write(_SAYS[rel].format(a=a, b=b) + "\n")
        if not pairs and len(texts) == 2:
            write(f"{texts[0]} and {texts[1]} do not overlap\n")
    return diags.exit_code(ExitCode.OK if pairs else ExitCode.FALSE)


def _core_pairs(parsed: list[Item]) -> tuple[list[str], list[Pair]]:
    items = [Prefix.from_addr(i) if isinstance(i, Addr) else i for i in parsed]
    found = []
    for i, j in overlapping_pairs(items):
        a, b = sorted((items[i], items[j]), key=item_key)
        found.append((item_key(a), item_key(b), str(a), str(b), relation(a, b) or "partial"))
    found.sort(key=lambda pair: (pair[0], pair[1]))
    return [str(i) for i in items], [(a, b, rel) for _, _, a, b, rel in found]


def _bulk_pairs(chunks: list[Chunk], diags: Diagnostics) -> tuple[list[str], list[Pair]]:
    """The same pairs in the same order, found by the numpy sweep."""
    import numpy as np

    from cidrkit.bulk.arrays import IntervalArray, Intervals
    from cidrkit.bulk.overlaps import CONTAINS, EQUAL, overlap_pairs
    from cidrkit.bulk.textformat import prefix_strings
    from cidrkit.cli.bulkio import parse_chunks

    prefixes, ranges = parse_chunks(chunks, diags)
    text_of: dict[int, str] = {}
    for part in prefixes.families():
        text_of.update(zip(part.ids.tolist(), prefix_strings(part), strict=True))
    for span in (ranges.v4, ranges.v6):
        text_of.update(zip(span.ids.tolist(), [str(r) for r in span.to_core()], strict=True))
    v4, v6 = (
        Intervals.concat([prefixes.family(bits).intervals(), ranges.family(bits)], bits)
        for bits in (32, 128)
    )
    spans = IntervalArray(v4, v6)
    # Rank every item as core sorting would: family, start, then wider first.
    size = max(text_of, default=-1) + 1
    rank = np.zeros(size, dtype=np.int64)
    placed = 0
    for family in (v4, v6):
        order = np.lexsort((~family.end_lo, ~family.end_hi, family.start_lo, family.start_hi))
        rank[family.ids[order]] = np.arange(placed, placed + len(order))
        placed += len(order)
    found = overlap_pairs(spans)
    first, second = found.first, found.second
    swap = rank[first] > rank[second]
    a = np.where(swap, second, first)
    b = np.where(swap, first, second)
    order = np.lexsort((rank[b], rank[a]))
    names = {EQUAL: "equal"}
    pairs = []
    for ia, ib, kind, swapped in zip(
        a[order].tolist(), b[order].tolist(), found.relation[order].tolist(),
        swap[order].tolist(), strict=True,
    ):
        if kind == CONTAINS:
            rel = "b_contains_a" if swapped else "a_contains_b"
        else:
            rel = names.get(kind, "partial")
        pairs.append((text_of[ia], text_of[ib], rel))
    return [text_of[i] for i in sorted(text_of)], pairs
