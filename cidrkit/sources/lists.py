"""Hand-made lists: one CIDR, range or address per line, and spreadsheets with a CIDR column.

The scope of a list is the file itself. Text rules: blank lines and lines
starting with ``#`` or ``;`` are skipped, an inline ``# comment`` is dropped
(a CIDR inside a comment is not an allocation), text after the value on the
same line is the entry's name. Ranges may be written ``a-b``, ``a - b`` or
with an en dash; a range that is not one aligned block becomes its minimal
prefix cover. ``10.1.0.0 255.255.0.0`` (netmask after a space) is read as
``10.1.0.0/255.255.0.0``. A bare address is a /32 or /128.
"""

from __future__ import annotations

import re

from cidrkit.sources.csv_table import Table, name_column, network_columns
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink

_RANGE = re.compile(r"^(\S+)\s*[-–—]\s*(\S+)(?:\s+(.*))?$")
_NETMASK = re.compile(r"^(\d+\.\d+\.\d+\.\d+)\s+(255\.\d+\.\d+\.\d+)(?:\s+(.*))?$")
_IPV4_START = re.compile(r"^\d{1,3}\.")

#: From this many lines on, an inventory read with ``columnar`` set keeps a
#: list as columns (see ``bulklist``); below it the per-line objects are cheap.
BULK_MIN_LINES = 1000


def file_scope(path: str) -> str:
    """The scope of a flat list: the file."""
    return f"file:{path}"


def split_entry(line: str) -> tuple[str, str | None] | None:
    """Split one list line into (value text, name); None for blank and comment lines."""
    text = line.replace("\xa0", " ").strip()
    if not text or text[0] in "#;":
        return None
    hash_at = text.find("#")
    if hash_at >= 0:
        text = text[:hash_at].rstrip()
    netmask = _NETMASK.match(text)
    if netmask:
        return f"{netmask.group(1)}/{netmask.group(2)}", netmask.group(3) or None
    ranged = _RANGE.match(text)
    # IPv6 has no dashes, so a dash between two tokens always means a range.
    if ranged and (":" in ranged.group(1) or _IPV4_START.match(ranged.group(1))):
        return f"{ranged.group(1)}-{ranged.group(2)}", ranged.group(3) or None
    head, _, rest = text.partition(" ")
    head = head.rstrip(",;")
    return head, rest.strip() or None


def read_text(text: str, sink: Sink) -> None:
    """Read a plain text list."""
    if sink.inventory.columnar and text.count("\n", 0, 1 << 20) >= BULK_MIN_LINES:
        from cidrkit.sources.bulklist import read_text_columns

        if read_text_columns(text, sink):
            return
    scope = file_scope(sink.file)
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        entry = split_entry(line)
        if entry is None:
            continue
        value, name = entry
        sink.item(value, sink.origin(number), scope, Labels(None, name))


def read_csv(table: Table, sink: Sink) -> None:
    """Read a spreadsheet whose network columns are found by their headers.

    An address beside a netmask or prefix-length column is read as one
    network (``10.0.0.0`` + ``255.255.255.0`` -> ``10.0.0.0/24``).
    """
    found = network_columns(table)
    if found is None:
        return
    column = found.value
    name_col = name_column(table)
    scope = file_scope(sink.file)
    for line, row in table.rows:
        value = row.get(column, "")
        if not value:
            continue
        mask = row.get(found.mask, "").strip().lstrip("/") if found.mask else ""
        if mask and "/" not in value:
            value = f"{value}/{mask}"
        name = row.get(name_col, "") if name_col else ""
        entry = split_entry(value)
        if entry is None:
            sink.ignore(sink.origin(line, column=column), value, "commented-out row")
            continue
        sink.item(entry[0], sink.origin(line, column=column), scope, Labels(None, name or None))
