"""``cidrkit lookup``: annotate every address in logs or records with its prefix and labels."""

from __future__ import annotations

import argparse
import os

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.errors import MAX_REPORTED, InputError, cap_lines

# A plain constant rather than typing.TYPE_CHECKING, and the modules only
# some runs need imported where they are used: a lookup against a saved
# table starts in tens of milliseconds, and imports are most of them.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import TextIO

    from cidrkit.bulk.annotate import Annotator, Format, LabelledTable

CHUNK_LINES = 65_536
PROGRESS_ABOVE_BYTES = 16 << 20


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Annotate every IP address in the input with the most specific prefix of TABLE\n"
        "that contains it, and that prefix's labels. Streams: memory holds the table\n"
        "and one chunk of input, whatever the input size.\n\n"
        "Input: text lines (the address is the first word), CSV (--column) or JSON\n"
        "lines (--field); Parquet and Arrow IPC files are recognised by their first\n"
        "bytes, read one row group at a time, and keep every column (--column names\n"
        "the address column). TABLE: one prefix per line, or a CSV with a header; its\n"
        "prefix column is the one named like a prefix (prefix, cidr, subnet_cidr,\n"
        "network...) whose cells are prefixes, else the column of prefixes, or\n"
        "--prefix-column; the other columns are labels."
    )
    parser.add_argument(
        "inputs", nargs="*", metavar="INPUT", help="files to read, - for stdin (default)"
    )
    parser.add_argument("--table", required=True, metavar="TABLE", help="prefixes to match against")
    parser.add_argument(
        "--table-format",
        choices=["auto", "text", "csv"],
        default="auto",
        help="TABLE format (default: csv if the name ends in .csv)",
    )
    parser.add_argument("--prefix-column", metavar="COL", help="TABLE column holding the prefix")
    parser.add_argument(
        "--label",
        action="append",
        metavar="COL",
        help="TABLE column to report (repeatable; default: all others)",
    )
    parser.add_argument(
        "--column",
        metavar="COL",
        help="input is CSV; the address is in COL (name or 1-based number)",
    )
    parser.add_argument(
        "--field", metavar="PATH", help="input is JSON lines; the address is in PATH (a.b.c)"
    )
    parser.add_argument(
        "--output",
        choices=["text", "csv", "jsonl", "parquet", "arrow"],
        help="output format (default: the input's)",
    )
    parser.add_argument(
        "--output-file", metavar="FILE", help="write to FILE (needed for parquet and arrow output)"
    )
    parser.add_argument(
        "--matched-only", action="store_true", help="drop records that match nothing"
    )
    parser.add_argument(
        "--stats", action="store_true", help="print hit counts per prefix instead of the records"
    )
    parser.add_argument(
        "--json", action="store_true",
        help="print JSON: with --stats one object, otherwise JSON lines (--output jsonl)",
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.column and args.field:
        raise InputError("give --column (CSV input) or --field (JSON lines input), not both")
    # Text lines in and out go through the compiled engine when it is built;
    # Parquet/Arrow inputs and --output-file take the columnar path below.
    if (not (args.column or args.field or args.json or args.output_file)
            and args.output in (None, "text") and not _any_columnar(args.inputs or ["-"])):
        from cidrkit.cli.native import load_engine

        engine = load_engine(ctx.env)
        if engine is not None:
            from cidrkit.cli.lookup_native import run_native

            return run_native(engine, args, ctx)

    from cidrkit.bulk.annotate import Annotator
    from cidrkit.cli.lookup_table import load_table

    table = load_table(args)
    for line in cap_lines(table.problems):
        ctx.stderr.write(line + "\n")
    input_format: Format = "csv" if args.column else "jsonl" if args.field else "text"
    if args.json and not args.stats and args.output not in (None, "jsonl"):
        raise InputError(f"--json prints JSON lines; it cannot be combined with --output "
                         f"{args.output}")
    output_format: Format = args.output or ("jsonl" if args.json else input_format)
    errors = len(table.problems)
    inputs = args.inputs or ["-"]
    columnar = _columnar_run(args, ctx, table, inputs)
    if columnar is not None:
        return columnar
    annotator = Annotator(
        table,
        input_format,
        output_format,
        column=args.column,
        json_field=args.field,
        matched_only=args.matched_only,
    )
    for name in inputs:
        annotator.begin("<stdin>" if name == "-" else name)
        errors += _annotate_stream(annotator, name, ctx, write=not args.stats)
    if args.stats:
        _write_stats(ctx, annotator, as_json=args.json)
    return ExitCode.BAD_INPUT if errors else ExitCode.OK


def _any_columnar(inputs: list[str]) -> bool:
    """Whether any named input is a Parquet or Arrow file (eight bytes read, no pyarrow)."""
    from cidrkit.scale.formats import sniff_file

    return any(name != "-" and sniff_file(name) is not None for name in inputs)


def _columnar_run(
    args: argparse.Namespace, ctx: Context, table: LabelledTable, inputs: list[str]
) -> int | None:
    """Parquet/Arrow inputs go to their own path; text binary output is refused here."""
    from cidrkit.cli import lookup_columnar

    fmt = lookup_columnar.columnar_format(inputs)
    if fmt is not None:
        return lookup_columnar.run(args, ctx, table, fmt)
    if args.output in lookup_columnar.COLUMNAR_OUTPUTS:
        raise InputError(f"--output {args.output} needs Parquet or Arrow input")
    if args.output_file:
        raise InputError("--output-file is for Parquet and Arrow input; text goes to stdout")
    return None


def _annotate_stream(annotator: Annotator, name: str, ctx: Context, *, write: bool) -> int:
    """Feed one input through the annotator in chunks; return how many problems it had."""
    from contextlib import ExitStack

    problems = 0
    with ExitStack() as stack:
        if name == "-":
            stream: TextIO = ctx.stdin
            total = None
        else:
            try:
                stream = stack.enter_context(open(name, encoding="utf-8", errors="replace"))
                total = os.path.getsize(name)
            except OSError as err:
                raise InputError(f"{name}: cannot read: {err.strerror}") from None
        progress = Progress(ctx, name, total)
        first_line = 1
        for chunk in _chunks(stream):
            out, found = annotator.process(chunk, first_line)
            first_line += len(chunk)
            for message in found[: max(0, MAX_REPORTED - problems)]:
                ctx.stderr.write(message + "\n")
            problems += len(found)
            if write and out:
                ctx.stdout.write("\n".join(out) + "\n")
            if progress.active:
                progress.update(sum(len(line) + 1 for line in chunk))
        progress.done()
    if problems > MAX_REPORTED:
        more = problems - MAX_REPORTED
        ctx.stderr.write(f"cidrkit: \u2026 and {more:,} more errors in {name}\n")
    return problems


def _chunks(stream: TextIO) -> Iterator[list[str]]:
    from itertools import islice

    lines = (line.rstrip("\r\n") for line in stream)
    while chunk := list(islice(lines, CHUNK_LINES)):
        yield chunk


class Progress:
    """A one-line progress report on stderr, only for big inputs on a terminal."""

    def __init__(self, ctx: Context, name: str, total: int | None) -> None:
        self.ctx = ctx
        self.name = "stdin" if name == "-" else name
        self.total = total
        self.seen = 0
        self.active = ctx.is_terminal(ctx.stderr) and (
            total is None or total > PROGRESS_ABOVE_BYTES
        )

    def update(self, size: int) -> None:
        self.seen += size
        if not self.active:
            return
        done = f"{self.seen / 1e6:,.1f} MB"
        if self.total:
            share = min(self.seen / self.total, 1.0)
            bar = "#" * int(share * 30)
            done = f"[{bar:<30}] {share:4.0%} of {self.total / 1e6:,.1f} MB"
        self.ctx.stderr.write(f"\rcidrkit lookup: {self.name}: {done}")
        self.ctx.stderr.flush()

    def done(self) -> None:
        if self.active:
            self.ctx.stderr.write("\r\x1b[K")


def _write_stats(ctx: Context, annotator: Annotator, *, as_json: bool) -> None:
    rows = annotator.stats()
    names = annotator.table.label_names
    if as_json:
        import json

        data = {
            "hits": [
                {"prefix": prefix, "labels": dict(zip(names, labels, strict=True)), "count": count}
                for prefix, labels, count in rows
            ],
            "unmatched": annotator.misses,
        }
        ctx.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    for prefix, labels, count in rows:
        ctx.stdout.write("\t".join([str(count), prefix, *labels]) + "\n")
    ctx.stdout.write(f"{annotator.misses}\t(no match)\n")
