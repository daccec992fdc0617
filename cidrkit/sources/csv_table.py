"""CSV as people really save it: BOM, CRLF, quotes, NBSP, header-named columns.

Rows keep their *physical* line number (the header is line 1, a BOM adds no
line, a quoted field spanning lines counts every line), which is what a
reader needs to find the row in an editor.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

#: Header names (lowercase) that hold the CIDR, by preference.
CIDR_HEADERS = ("cidr", "prefix", "network", "subnet", "cidr block", "ip range", "range",
                "address space", "ip prefix", "ip", "address")
NAME_HEADERS = ("name", "description", "vpc", "site", "owner", "purpose")


@dataclass(frozen=True, slots=True)
class Table:
    """A parsed CSV: lowercased header -> original header, and (line, row) pairs."""

    header: list[str]
    columns: dict[str, str]
    rows: list[tuple[int, dict[str, str]]]


def clean(text: str) -> str:
    """Strip spaces, including the non-breaking ones spreadsheets leave behind."""
    return text.replace("\xa0", " ").strip()


def parse_table(text: str) -> Table | None:
    """Parse ``text`` as CSV with a header row; None if it has no usable header."""
    text = text.removeprefix("\ufeff")
    try:
        dialect: type[csv.Dialect] = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [clean(h) for h in next(reader)]
    except (StopIteration, csv.Error):
        return None
    if len(header) < 2:
        return None
    columns = {h.lower(): h for h in header if h}
    rows: list[tuple[int, dict[str, str]]] = []
    last = reader.line_num
    try:
        for fields in reader:
            start = last + 1
            last = reader.line_num
            if not any(clean(f) for f in fields):
                continue
            rows.append((start, {h: clean(f) for h, f in zip(header, fields, strict=False)}))
    except csv.Error:
        return None
    return Table(header, columns, rows)


def cidr_column(table: Table) -> str | None:
    """The header of the column that holds CIDRs, found by name, never by position."""
    for name in CIDR_HEADERS:
        if name in table.columns:
            return table.columns[name]
    return None


def name_column(table: Table) -> str | None:
    """The header of a column naming each row, if any."""
    for name in NAME_HEADERS:
        if name in table.columns:
            return table.columns[name]
    return None
