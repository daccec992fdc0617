"""Large inputs for the list commands: whole buffers through the numpy engine.

``merge``, ``exclude``, ``intersect`` and ``overlaps`` read their inputs as
raw chunks first. Small inputs go line by line through the core, as every
other command does; once files and stdin hold more than
``BULK_THRESHOLD_BYTES``, each chunk is parsed at once by ``cidrkit.bulk``
(imported only then, so quick commands never load numpy).

Reading is shared with every other command (``inputs.gather``); only the
parsing differs, and the work is ``cidrkit.bulk``'s (``bulk.textlists``,
``bulk.setops``). Both paths print the same bytes and report bad lines the
same way; tests hold them to it.
"""

from __future__ import annotations

from cidrkit.cli.inputs import Chunk, Diagnostics, Source, decode
from cidrkit.errors import ParseError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from cidrkit.bulk.arrays import IntervalArray, PrefixArray
    from cidrkit.cli.context import Context

# About 10,000 lines of prefixes: below this the core is quicker than
# importing numpy; above it the bulk engine wins by a growing margin.
BULK_THRESHOLD_BYTES = 160 * 1024


def is_large(*sides: list[Chunk]) -> bool:
    """True when the inputs are big enough for the bulk engine to pay off."""
    return sum(len(c.data) for side in sides for c in side) > BULK_THRESHOLD_BYTES


def parse_chunks(chunks: list[Chunk], diags: Diagnostics) -> tuple[PrefixArray, IntervalArray]:
    """Parse every chunk with the bulk engine; report bad lines as the core path does.

    ``ids`` of the result number the lines across all chunks (chunk after
    chunk), so callers can map an element back to its text.
    """
    from cidrkit.bulk.textlists import join_parsed
    from cidrkit.bulk.textparse import parse_prefix_text

    parts = []
    for chunk in chunks:
        decode(chunk)  # the same "not UTF-8" error as the core path
        parsed = parse_prefix_text(chunk.data, chunk.name or "")
        for err in parsed.problems:
            _report(chunk, err, diags)
        parts.append(parsed)
    return join_parsed(parts)


def _report(chunk: Chunk, err: ParseError, diags: Diagnostics) -> None:
    """Print a bulk parse problem exactly as the core path would."""
    bare = ParseError(err.text, err.reason, column=err.column, hint=err.hint)
    line = int(err.where.rsplit(":", 1)[1]) if err.where else None
    diags.parse_error(Source(err.text, chunk.name, line), bare)


def write_prefix_array(ctx: Context, result: PrefixArray, *, ranges: bool, as_json: bool) -> None:
    """Print a bulk result exactly as ``setops.write_set`` prints an IPSet."""
    from cidrkit.bulk.setops import merge_ranges
    from cidrkit.bulk.textformat import iter_prefix_text
    from cidrkit.bulk.textlists import address_count
    from cidrkit.cli.output import json_count, write_json

    if ranges:
        texts = [str(r) for r in merge_ranges(result).to_core()]
        if as_json:
            write_json(ctx, {"ranges": texts, "addresses": json_count(address_count(result))})
        else:
            ctx.stdout.writelines(f"{t}\n" for t in texts)
        return
    if as_json:
        blocks = "".join(iter_prefix_text(result))
        write_json(ctx, {
            "prefixes": blocks.splitlines(), "addresses": json_count(address_count(result)),
        })
        return
    for block in iter_prefix_text(result):
        ctx.stdout.write(block)
