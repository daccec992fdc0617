"""Infoblox CSV import/export files: networks, network containers and ranges, per network view.

The first field of every row names its object type, and a ``header-<type>``
row gives the columns of the rows of that type that follow (several types
may share one file). Required columns carry a ``*`` (``address*``,
``netmask*``). A network is its address *and* netmask: reading the address
alone would turn every network into a wrong /32. The network view is the
routing domain (``infoblox:<view>``, ``default`` when unset); host records and
other objects are addresses inside those networks, not allocations.
"""

from __future__ import annotations

import csv
import io

from cidrkit.errors import InputError
from cidrkit.sources.csv_table import clean, normalise
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink

_KINDS = {"network": "prefix", "networkcontainer": "container", "ipv6network": "prefix",
          "ipv6networkcontainer": "container", "range": "range", "ipv6range": "range"}


def looks_like_infoblox(text: str) -> bool:
    """True when the first content line is an Infoblox ``header-<type>`` row."""
    first = text.lstrip("\ufeff \t\r\n")[:64].lower()
    return first.startswith("header-")


def _value(kind: str, row: dict[str, str]) -> tuple[str, str] | None:
    """(column, text) of the network or range a row holds."""
    if kind in ("range", "ipv6range"):
        start, end = row.get("start_addr") or row.get("start_address"), row.get("end_addr") or \
            row.get("end_address")
        return ("start_addr", f"{start}-{end}") if start and end else None
    address = row.get("address")
    if not address:
        return None
    if "/" in address:
        return "address", address
    mask = row.get("netmask") or row.get("cidr") or row.get("prefix")
    return ("address", f"{address}/{mask.lstrip('/')}") if mask else ("address", address)


def read_infoblox(text: str, sink: Sink) -> None:
    """Read every network, container and range row of an Infoblox CSV."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    headers: dict[str, list[str]] = {}
    last = 0
    try:
        for fields in reader:
            line, last = last + 1, reader.line_num
            if not fields or not clean(fields[0]):
                continue
            first = clean(fields[0]).lower()
            if first.startswith("header-"):
                headers[first[len("header-"):]] = [normalise(f) for f in fields[1:]]
                continue
            columns = headers.get(first)
            if columns is None:
                continue  # rows of a type whose header this file does not give
            row = {c: clean(f) for c, f in zip(columns, fields[1:], strict=False)}
            view = row.get("network_view") or "default"
            scope = f"infoblox:{view}"
            if first not in _KINDS:
                for key in ("addresses", "ipv4addrs", "ipv4addr", "address"):
                    if row.get(key):
                        sink.ignore(sink.origin(line, column=key), row[key],
                                    f"Infoblox {first}: an address inside a network")
                        break
                continue
            found = _value(first, row)
            if found is None:
                sink.malformed(sink.origin(line), ",".join(fields)[:80],
                               f"Infoblox {first} row without its address and netmask")
                continue
            column, value = found
            labels = Labels(_KINDS[first], row.get("comment") or None)
            sink.item(value, sink.origin(line, column=column), scope, labels)
    except csv.Error as err:
        raise InputError(f"line {last + 1}: not valid CSV: {err}") from None
    if not headers:
        raise InputError("an Infoblox CSV without any header-<type> row")
