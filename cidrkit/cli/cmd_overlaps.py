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
from cidrkit.core.pairs import sorted_overlaps
from cidrkit.core.parse import Item, parse_item
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
    if is_large(chunks) and (found := _native_pairs(chunks, args, ctx)) is not None:
        return ExitCode.OK if found else ExitCode.FALSE
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
    # A bare address is compared, and printed, as the /32 or /128 it stands for.
    items = [Prefix.from_addr(i) if isinstance(i, Addr) else i for i in parsed]
    pairs: list[Pair] = [(str(a), str(b), rel) for a, b, rel in sorted_overlaps(items)]
    return [str(i) for i in items], pairs


def _native_pairs(chunks: list[Chunk], args: argparse.Namespace, ctx: Context) -> bool | None:
    """Find and print the pairs of plain prefix lists in the compiled engine.

    Returns whether any pair overlaps, after printing what the Python path
    prints; None (nothing printed) when the engine is off or declines: a
    line that is not a plain prefix or address (comments, ranges, errors),
    or two items or fewer, whose wording stays here.
    """
    from cidrkit.cli.native import byte_writer, load_engine

    engine = load_engine(ctx.env)
    if engine is None:
        return None
    style = "count" if args.quiet and not args.json else "json" if args.json else "text"
    found: tuple[int, int] | None = engine.overlaps_text(
        [chunk.data for chunk in chunks], byte_writer(ctx.stdout), style=style
    )
    if found is None or found[0] <= 2:
        return None
    return found[1] > 0


def _bulk_pairs(chunks: list[Chunk], diags: Diagnostics) -> tuple[list[str], list[Pair]]:
    """The same texts and pairs, in the same order, found by the numpy sweep."""
    from cidrkit.bulk.textlists import overlap_report
    from cidrkit.cli.bulkio import parse_chunks

    return overlap_report(*parse_chunks(chunks, diags))
