"""CSV as people really save it: BOM, CRLF, quotes, NBSP, header-named columns.

Rows keep their *physical* line number (the header is line 1, a BOM adds no
line, a quoted field spanning lines counts every line), which is what a
reader needs to find the row in an editor.

Which columns hold networks is decided by header names, never by position
(:func:`network_columns`): a CIDR column (``CIDR``, ``Prefix``, ``subnet_cidr``...),
or an address column paired with a netmask or prefix-length column. An
address column is never read as /32s while a mask or length column exists.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from cidrkit.errors import InputError

#: Header names (normalised) that hold the CIDR, by preference.
CIDR_HEADERS = ("cidr", "prefix", "network", "subnet", "cidr_block", "ip_range", "range",
                "address_space", "ip_prefix", "ip", "address")
#: Header names of a column holding a netmask or a prefix length beside an address.
MASK_HEADERS = ("netmask", "mask", "subnet_mask", "network_mask", "prefix_length", "prefixlen",
                "prefix_len", "length", "cidr_bits", "mask_bits", "mask_length", "bits")
#: Header names of the address such a mask applies to, by preference.
ADDRESS_HEADERS = ("address", "network_address", "ip_address", "network", "ip", "subnet",
                   "prefix", "addr", "base_address", "start_address")
NAME_HEADERS = ("name", "description", "vpc", "site", "owner", "purpose", "comment")


@dataclass(frozen=True, slots=True)
class Table:
    """A parsed CSV: normalised header -> original header, and (line, row) pairs."""

    header: list[str]
    columns: dict[str, str]
    rows: list[tuple[int, dict[str, str]]]


@dataclass(frozen=True, slots=True)
class NetworkColumns:
    """Where a table's networks are: one CIDR column, or an address plus a mask/length column."""

    value: str
    mask: str | None = None


def clean(text: str) -> str:
    """Strip spaces, including the non-breaking ones spreadsheets leave behind."""
    return text.replace("\xa0", " ").strip()


def normalise(header: str) -> str:
    """A header as matched: lowercase, required-field stars dropped, spaces as underscores.

    >>> normalise("Address*"), normalise("Subnet Mask")
    ('address', 'subnet_mask')
    """
    return re.sub(r"[\s\-]+", "_", header.strip().rstrip("*").strip().lower())


def parse_table(text: str) -> Table | None:
    """Parse ``text`` as CSV with a header row; None if it has no usable header.

    Raises InputError when the CSV itself is broken after the header (an
    unterminated quote swallows every row after it: never a silent empty table).
    """
    text = text.removeprefix("\ufeff")
    try:
        dialect: type[csv.Dialect] = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect, strict=True)
    try:
        header = [clean(h) for h in next(reader)]
    except (StopIteration, csv.Error):
        return None
    if len(header) < 2:
        return None
    columns: dict[str, str] = {}
    for h in header:
        if h:
            columns.setdefault(normalise(h), h)
    rows: list[tuple[int, dict[str, str]]] = []
    last = reader.line_num
    try:
        for fields in reader:
            start = last + 1
            last = reader.line_num
            if not any(clean(f) for f in fields):
                continue
            rows.append((start, {h: clean(f) for h, f in zip(header, fields, strict=False)}))
    except csv.Error as err:
        raise InputError(f"line {last + 1}: not valid CSV: {err}") from None
    return Table(header, columns, rows)


def network_columns(table: Table) -> NetworkColumns | None:
    """The columns holding the table's networks, found by header name; None if there are none."""
    mask = next((table.columns[n] for n in MASK_HEADERS if n in table.columns), None)
    if mask is not None:
        address = next((table.columns[n] for n in ADDRESS_HEADERS if n in table.columns), None)
        if address is not None:
            return NetworkColumns(address, mask)
    for name in CIDR_HEADERS:
        if name in table.columns:
            return NetworkColumns(table.columns[name])
    for name, header in table.columns.items():
        if name.endswith(("_cidr", "_cidr_block", "_prefix", "_subnet")) or name == "cidrs":
            return NetworkColumns(header)
    return None


def cidr_column(table: Table) -> str | None:
    """The header of the column that holds CIDRs (or addresses), never by position."""
    found = network_columns(table)
    return found.value if found else None


def describe_columns(table: Table) -> str:
    """Why a table holds no networks: the headers seen, and the ones understood."""
    seen = ", ".join(table.header[:12]) + (", ..." if len(table.header) > 12 else "")
    return (f"a table with columns {seen}; none holds networks: expected a CIDR column "
            f"({', '.join(CIDR_HEADERS[:8])}, *_cidr), or an address column beside a netmask "
            f"or prefix-length column ({', '.join(MASK_HEADERS[:5])})")


def name_column(table: Table) -> str | None:
    """The header of a column naming each row, if any."""
    for name in NAME_HEADERS:
        if name in table.columns:
            return table.columns[name]
    return None
