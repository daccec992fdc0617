"""NetBox prefixes: the UI CSV export, the bulk-import CSV, and ``/api/ipam/prefixes/`` JSON.

The VRF is the scope (``netbox:Global`` when unset): the same prefix in two
VRFs is legitimate, and containers holding children in one VRF are nesting.
Deprecated prefixes are no longer in use, so they are reported as ignored.
"""

from __future__ import annotations

from typing import Any

from cidrkit.sources.csv_table import Table
from cidrkit.sources.jsonloc import Located
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink


def _scope(vrf: str | None) -> str:
    vrf = (vrf or "").strip()
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
    for index, item in enumerate(doc.value.get("results") or []):
        if not isinstance(item, dict) or "prefix" not in item:
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
