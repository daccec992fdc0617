"""NetBox prefixes and IP ranges: UI CSV exports, bulk-import CSVs, and the REST API JSON.

IP ranges (``/api/ipam/ip-ranges/``) give their ends *with a mask*
(``"10.0.0.10/24"``): the mask is the enclosing prefix's, so it is dropped and
the range read as the addresses between the two ends.

The VRF is the scope (``netbox:Global`` when unset): the same prefix in two
VRFs is legitimate, and containers holding children in one VRF are nesting.
Deprecated prefixes are no longer in use, so they are reported as ignored.
"""

from __future__ import annotations

from typing import Any

from cidrkit.sources.csv_table import Table
from cidrkit.sources.jsonloc import Located, child, list_at
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink


def _scope(name: object) -> str:
    vrf = name.strip() if isinstance(name, str) else ""
    return f"netbox:{vrf if vrf and vrf.lower() != 'global' else 'Global'}"


def _kind(status: str) -> str:
    return "container" if status.lower() == "container" else "prefix"


def is_netbox_header(columns: dict[str, str]) -> bool:
    """True for the UI export header (``Prefix``, ``VRF``) and the bulk-import one (lowercase)."""
    return "prefix" in columns and ("vrf" in columns or "status" in columns)


def read_csv(table: Table, sink: Sink) -> None:
    """Read a NetBox prefix CSV (either header style)."""
    prefix_col = table.columns["prefix"]
    for line, row in table.rows:
        value = row.get(prefix_col, "").strip()
        if not value:
            continue
        status = row.get(table.columns.get("status", ""), "") or "active"
        origin = sink.origin(line, column=prefix_col)
        if status.strip().lower() == "deprecated":
            sink.ignore(origin, value, "NetBox status Deprecated (no longer in use)")
            continue
        vrf = row.get(table.columns.get("vrf", ""), "")
        name = row.get(table.columns.get("description", ""), "").strip() or None
        sink.prefix(value, origin, _scope(vrf), Labels(_kind(status.strip()), name))


def _label(field: Any, key: str) -> str:
    if isinstance(field, dict):
        value = field.get(key) or field.get("value") or ""
        return str(value)
    return str(field or "")


def read_api(doc: Located, sink: Sink) -> None:
    """Read one page of ``GET /api/ipam/prefixes/`` (``results``)."""
    for index, item in enumerate(list_at(doc, "/results", doc.value.get("results"), "prefixes")):
        if not isinstance(item, dict) or "prefix" not in item:
            sink.expected(sink.origin(doc.line(f"/results/{index}"), f"/results/{index}"), item,
                          "a prefix object")
            continue
        pointer = f"/results/{index}/prefix"
        origin = sink.origin(doc.line(pointer), pointer)
        status = _label(item.get("status"), "value")
        if status.lower() == "deprecated":
            sink.ignore(origin, str(item["prefix"]), "NetBox status Deprecated (no longer in use)")
            continue
        vrf = item.get("vrf")
        vrf_name = vrf.get("name") if isinstance(vrf, dict) else None
        labels = Labels(_kind(status), item.get("description") or None,
                        resource=f"netbox prefix {item.get('id')}" if "id" in item else None)
        sink.prefix(item["prefix"], origin, _scope(vrf_name), labels)


def _range_text(start: object, end: object) -> str:
    """``a-b`` from two range ends written with their enclosing prefix's mask."""
    return f"{str(start).split('/', 1)[0].strip()}-{str(end).split('/', 1)[0].strip()}"


def is_ip_range_header(columns: dict[str, str]) -> bool:
    """True for IP range CSVs: bulk-import (``start_address``) or UI export (``Start address``)."""
    keys = {k.replace(" ", "_") for k in columns}
    return "start_address" in keys and "end_address" in keys


def read_ip_ranges_csv(table: Table, sink: Sink) -> None:
    """Read a NetBox IP range CSV (either header style)."""
    columns = {k.replace(" ", "_"): v for k, v in table.columns.items()}
    start_col, end_col = columns["start_address"], columns["end_address"]
    for line, row in table.rows:
        start, end = row.get(start_col, ""), row.get(end_col, "")
        if not start and not end:
            continue
        origin = sink.origin(line, column=start_col)
        status = row.get(columns.get("status", ""), "") or "active"
        text = _range_text(start, end)
        if status.strip().lower() == "deprecated":
            sink.ignore(origin, text, "NetBox status Deprecated (no longer in use)")
            continue
        name = row.get(columns.get("description", ""), "").strip() or None
        sink.item(text, origin, _scope(row.get(columns.get("vrf", ""), "")), Labels("range", name))


def read_ip_ranges_api(doc: Located, sink: Sink) -> None:
    """Read one page of ``GET /api/ipam/ip-ranges/``."""
    for index, item in enumerate(list_at(doc, "/results", doc.value.get("results"), "IP ranges")):
        pointer = f"/results/{index}"
        if not isinstance(item, dict):
            sink.expected(sink.origin(doc.line(pointer), pointer), item, "an IP range object")
            continue
        ptr = child(pointer, "start_address")
        origin = sink.origin(doc.line(ptr), ptr)
        text = _range_text(item.get("start_address"), item.get("end_address"))
        if _label(item.get("status"), "value").lower() == "deprecated":
            sink.ignore(origin, text, "NetBox status Deprecated (no longer in use)")
            continue
        vrf = item.get("vrf")
        labels = Labels("range", item.get("description") or None,
                        resource=f"netbox ip-range {item.get('id')}" if "id" in item else None)
        sink.item(text, origin, _scope(vrf.get("name") if isinstance(vrf, dict) else None), labels)
