"""Parquet and Arrow IPC inputs of ``cidrkit lookup``: the command hands them here.

Imported only when an input starts with Parquet or Arrow magic bytes, so the
text path never loads pyarrow.
"""

from __future__ import annotations

import argparse
import json

from cidrkit.bulk.annotate import LabelledTable, describe
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.errors import InputError
from cidrkit.scale.formats import ColumnarFormat, sniff_file

COLUMNAR_OUTPUTS = ("parquet", "arrow")


def columnar_format(inputs: list[str]) -> ColumnarFormat | None:
    """The columnar format of the inputs, or None when they are text; a mix is an error."""
    kinds = {name: sniff_file(name) if name != "-" else None for name in inputs}
    found = {kind for kind in kinds.values() if kind is not None}
    if not found:
        return None
    if len(found) > 1 or None in kinds.values():
        listed = ", ".join(f"{name} ({kind or 'text'})" for name, kind in kinds.items())
        raise InputError(f"inputs of one run share one format; got {listed}")
    return found.pop()


def run(args: argparse.Namespace, ctx: Context, table: LabelledTable, fmt: ColumnarFormat) -> int:
    """Annotate Parquet/Arrow inputs into ``--output-file`` (or count hits with ``--stats``)."""
    try:
        from cidrkit.scale.arrow import ArrowLookup
        from cidrkit.scale.files import BatchWriter, OutputFormat, annotate_files, check_inputs
    except ImportError as err:
        raise InputError(
            f"reading {fmt} input needs pyarrow ({err.name} is missing):"
            " pip install 'cidrkit[arrow]'"
        ) from None
    if args.field:
        raise InputError(f"--field is for JSON lines; name the {fmt} address column with --column")
    if args.json and not args.stats:
        raise InputError(
            f"--json writes JSON lines from text input; {fmt} input writes"
            " --output parquet, arrow or csv"
        )
    check_inputs(list(args.inputs), args.column)
    output: OutputFormat = args.output or fmt
    if output not in ("parquet", "arrow", "csv"):
        raise InputError(f"{fmt} input writes --output parquet, arrow or csv, not {output}")
    if output in COLUMNAR_OUTPUTS and not args.stats and not args.output_file:
        raise InputError(f"{output} output is binary: give --output-file FILE")
    lookup = ArrowLookup(table)
    with _sink(args, ctx) as sink:
        writer = None if args.stats else BatchWriter(sink, output)
        result = annotate_files(
            lookup, list(args.inputs), args.column, writer, matched_only=args.matched_only
        )
    for problem in result.problems:
        ctx.stderr.write(describe(problem) + "\n")
    if result.problem_count > len(result.problems):
        more = result.problem_count - len(result.problems)
        ctx.stderr.write(f"cidrkit: \u2026 and {more:,} more errors\n")
    if args.stats:
        _write_stats(ctx, table, result.hits.tolist(), result.misses, as_json=args.json)
    return ExitCode.BAD_INPUT if result.problem_count or table.problems else ExitCode.OK


class _TextSink:
    """A binary sink over the command's text stdout (CSV output is UTF-8 text)."""

    closed = False

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def write(self, data: bytes) -> int:
        self.ctx.stdout.write(bytes(data).decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self.ctx.stdout.flush()

    def __enter__(self) -> _TextSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()


def _sink(args: argparse.Namespace, ctx: Context):  # type: ignore[no-untyped-def]
    if args.output_file:
        try:
            return open(args.output_file, "wb")
        except OSError as err:
            raise InputError(f"{args.output_file}: cannot write: {err.strerror}") from None
    return _TextSink(ctx)


def _write_stats(
    ctx: Context, table: LabelledTable, hits: list[int], misses: int, *, as_json: bool
) -> None:
    """Hit counts per prefix, most first, as the text path prints them."""
    rows = sorted((k for k, n in enumerate(hits) if n), key=lambda k: (-hits[k], k))
    names = table.label_names
    if as_json:
        data = {
            "hits": [
                {
                    "prefix": table.prefix_text[k],
                    "labels": dict(zip(names, table.labels[k], strict=True)),
                    "count": hits[k],
                }
                for k in rows
            ],
            "unmatched": misses,
        }
        ctx.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    for k in rows:
        ctx.stdout.write("\t".join([str(hits[k]), table.prefix_text[k], *table.labels[k]]) + "\n")
    ctx.stdout.write(f"{misses}\t(no match)\n")
