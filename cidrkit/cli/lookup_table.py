"""Read the prefix table of ``cidrkit lookup``: text or CSV, never silently empty.

A CSV table's prefix column is found by its header *and* its content: among
the columns whose header names a prefix (``prefix``, ``subnet_cidr``,
``Network``...), the one whose cells parse as prefixes; failing that, the
column whose cells parse best. A table that is binary, not UTF-8, or has no
usable row is an error naming the file, not a run that marks every address
unmatched.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

from cidrkit.errors import InputError, ParseError, cap_lines, quote

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from types import ModuleType
    from typing import Any

    from cidrkit.bulk.annotate import LabelledTable

PREFIX_WORDS = frozenset(("prefix", "cidr", "network", "subnet", "block", "net", "range"))
# Cells looked at per column to judge its content: enough to tell, cheap on big tables.
SAMPLE_ROWS = 200
_WORD = re.compile(r"[a-z]+")


def load_table(args: argparse.Namespace) -> LabelledTable:
    """The table named by ``--table``, per ``--table-format`` and the column options."""
    from cidrkit.bulk.annotate import LabelledTable

    path: str = args.table
    as_csv = _is_csv(args)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; --table takes a file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read table: {err.strerror}") from None
    text = _text_of(data, path)
    if as_csv:
        column = args.prefix_column or _prefix_column(text, path)
        table = LabelledTable.from_csv(text, path, column, args.label)
    else:
        if args.prefix_column or args.label:
            raise InputError("--prefix-column and --label need a CSV table (--table-format csv)")
        table = LabelledTable.from_text(data.removeprefix(b"\xef\xbb\xbf"), path)
    if len(table) == 0:
        found = (
            f" ({len(table.problems):,} bad rows; the first: {table.problems[0]})"
            if table.problems else ""
        )
        raise InputError(f"{path}: the table has no usable prefix{found}")
    return table


def _is_csv(args: argparse.Namespace) -> bool:
    path: str = args.table
    return bool(
        args.table_format == "csv"
        or (args.table_format == "auto" and path.lower().endswith(".csv"))
    )


def read_native_table(
    engine: ModuleType,
    args: argparse.Namespace,
    data: bytes,
    key: bytes,
    stamp: bytes,
    places: Sequence[str] = (),
) -> Any:
    """The table of ``--table`` (its bytes: ``data``) read and built by the compiled engine.

    The built table is saved at the first of ``places`` that takes it.

    The same table as ``load_table`` gives, built as ``native_table``
    builds it, without a Python object per row: the engine reads the
    lines and cells it reads exactly as the Python reader does, and the
    Python parser judges the rest (``settle_cells``), so every problem is
    worded by it. None when the engine declines the table as a whole (not
    UTF-8, a CSV layout Python's ``csv`` reads otherwise) or when the
    table is unusable (no row, no prefix, a bad column): ``load_table``
    then reads it, or words the error.
    """
    path: str = args.table
    as_csv = _is_csv(args)
    if not as_csv and (args.prefix_column or args.label):
        return None
    reader = engine.TableReader.read(data, as_csv)
    if reader is None or (as_csv and len(reader) < 2):
        return None
    prefix_at, names = 0, []
    if as_csv:
        from cidrkit.bulk.annotate import table_columns

        first = [[cell.decode("utf-8") for cell in reader.record(k)]
                 for k in range(min(len(reader), SAMPLE_ROWS + 1))]
        column = args.prefix_column or _column_of_rows(first, path)
        header = [h.strip() for h in first[0]]
        prefix_at, label_at = table_columns(header, column, args.label, path)
        reader.use_columns(prefix_at, label_at)
        names = [header[i] for i in label_at]
    declined = reader.declined()
    problems: list[str] = []
    settled: tuple[bytes, ...] = (b"", b"", b"", b"")
    kept = reader.parsed()
    if declined:
        from cidrkit.bulk.annotate import settle_cells

        cells = settle_cells(
            [cell for _, cell in declined], [row for row, _ in declined], path, csv_table=as_csv
        )
        settled = (cells.rows, cells.bits, cells.networks, cells.lengths)
        problems = cells.problems
        kept += cells.count
    if not kept:
        return None
    miss = "\t-" + "\t" * len(names)
    # As the Python path prints them: the first few, then a count.
    text = "".join(p + "\n" for p in cap_lines(problems))
    return reader.build(
        *settled,
        miss=miss.encode(),
        problems=text.encode("utf-8", "surrogateescape"),
        key=key,
        stamp=stamp,
        places=list(places),
    )


def _text_of(data: bytes, path: str) -> str:
    """The table's text; an error naming the file for binary or non-UTF-8 data."""
    nul = data.find(b"\0")
    if nul != -1:
        raise InputError(f"{path}: not a text table (a NUL byte at offset {nul}: binary data?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"{path}: not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})"
        ) from None


def _prefix_column(text: str, path: str) -> str:
    """The 1-based number of the prefix column, by header name and content."""
    try:
        rows = list(_first_rows(text))
    except csv.Error as err:
        raise InputError(f"{path}: not a readable CSV table ({err})") from None
    return _column_of_rows(rows, path)


def _column_of_rows(rows: Sequence[list[str]], path: str) -> str:
    """The prefix column's number, judged from the header and the first rows."""
    if not rows:
        raise InputError(f"{path}: empty CSV table, expected a header row")
    header, body = rows[0], rows[1:]
    if not body:
        raise InputError(f"{path}: the table has a header but no rows")
    scores = [_parse_ratio([row[i] for row in body if i < len(row)]) for i in range(len(header))]
    named = [i for i, name in enumerate(header) if _names_a_prefix(name)]
    if named and max(scores[i] for i in named) > 0:
        best = max(named, key=lambda i: scores[i])
    elif scores and max(scores) >= 0.5:
        best = max(range(len(header)), key=lambda i: scores[i])
    elif named:  # named, though nothing in it parses: its rows' errors say why
        best = named[0]
    else:
        names = ", ".join(quote(h, 30) for h in header[:12])
        raise InputError(
            f"{path}: no column holds prefixes (header: {names}); "
            "name the column with --prefix-column"
        )
    return str(best + 1)


def _first_rows(text: str) -> Sequence[list[str]]:
    reader = csv.reader(io.StringIO(text), strict=True)
    rows: list[list[str]] = []
    for row in reader:
        rows.append(row)
        if len(rows) > SAMPLE_ROWS:
            break
    return rows


def _names_a_prefix(header: str) -> bool:
    """``prefix``, ``subnet_cidr``, ``IPv4 Network``: a word of the name is a prefix word."""
    return any(word in PREFIX_WORDS for word in _WORD.findall(header.lower()))


def _parse_ratio(cells: list[str]) -> float:
    """The share of non-empty cells that parse as a prefix or address."""
    from cidrkit.core.prefix import Prefix

    filled = [c.strip() for c in cells if c.strip()]
    if not filled:
        return 0.0
    good = 0
    for cell in filled:
        try:
            Prefix.parse(cell)
        except ParseError:
            continue
        good += 1
    return good / len(filled)
