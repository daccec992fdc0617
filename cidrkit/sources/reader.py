"""Read inventories: walk paths, recognise each file's format from its content, import it.

Formats are recognised from content, not only from the file name, because
exports get renamed (``vpcs.json``, ``prod.txt``). Folders are walked in sorted
order so output is deterministic. A file that is not understood is reported as
skipped and never stops the run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from cidrkit.errors import InputError
from cidrkit.sources import aws, azure, gcp, kubernetes, lists, netbox, terraform
from cidrkit.sources.csv_table import cidr_column, parse_table
from cidrkit.sources.jsonloc import Located, load_located
from cidrkit.sources.record import Inventory, Skipped
from cidrkit.sources.sink import Sink

_ADDRESS_START = re.compile(r"^\s*(?:[0-9]{1,3}\.[0-9.]|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:]*)")
_LIST_SUFFIXES = {".txt", ".list", ".lst", ".cidr", ".cidrs", ".ips", ""}
_HIDDEN = re.compile(r"^[.~]|~$")


def iter_files(paths: Iterable[str]) -> Iterator[str]:
    """Every file under ``paths``, folders walked in sorted order, hidden entries skipped."""
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not _HIDDEN.search(d))
                for name in sorted(files):
                    if not _HIDDEN.search(name):
                        yield os.path.join(root, name)
        else:
            yield path


JsonReader = Callable[[Located, Sink], None]


def _json_reader(value: Any) -> tuple[str, JsonReader] | str:
    """The format name and reader for a JSON document, or why it is not understood."""
    if isinstance(value, dict):
        if "Vpcs" in value:
            return "aws-describe-vpcs", aws.read_vpcs
        if "Subnets" in value:
            return "aws-describe-subnets", aws.read_subnets
        for key in aws.REFERENCE_KEYS:
            if key in value:
                return f"aws-{key.lower()}", lambda d, s, k=key: aws.read_references(d, s, k)
        if value.get("version") == 4 and "resources" in value:
            return "terraform-state", terraform.read_state
        if value.get("version") == 3 and "modules" in value:
            return ("Terraform state version 3 (Terraform 0.11 or older) is not supported: "
                    "upgrade it with Terraform 0.12 or later")
        if "format_version" in value and ("values" in value or "planned_values" in value):
            return "terraform-show-json", terraform.read_show
        if isinstance(value.get("results"), list) and all(
            isinstance(r, dict) and "prefix" in r for r in value["results"]
        ):
            return "netbox-api", netbox.read_api
        if value.get("kind") in kubernetes.KINDS:
            return "kubernetes", lambda d, s: kubernetes.read_documents(d, s, yaml=False)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        first = value[0]
        kinds = {v.get("kind") for v in value}
        if "addressSpace" in first or first.get("type") == "Microsoft.Network/virtualNetworks":
            return "azure-vnet-list", azure.read_vnets
        if kinds == {"compute#subnetwork"} or "ipCidrRange" in first:
            return "gcp-subnets", gcp.read_subnetworks
        if kinds == {"compute#network"}:
            return "gcp-networks", gcp.read_networks
    if isinstance(value, dict) and value.get("type") == "Microsoft.Network/virtualNetworks":
        return "azure-vnet", azure.read_vnets
    return "JSON of an unrecognised shape"


def _looks_like_list(path: str, text: str) -> bool:
    """A plain list if the name says so or most content lines start like an address.

    Only the first 200 content lines are judged, so a huge list costs no
    more to recognise than a small one.
    """
    hits = seen = 0
    for line in _content_lines(text):
        seen += 1
        hits += bool(_ADDRESS_START.match(line))
        if seen == 200:
            break
    if not seen:
        return os.path.splitext(path)[1].lower() in _LIST_SUFFIXES
    return hits * 2 >= seen


def _content_lines(text: str) -> Iterator[str]:
    """Lines that are neither blank nor comments, read lazily from the start of ``text``."""
    start = 0
    size = len(text)
    while start < size:
        # Chunks end just after a newline, so no line is cut in two; text
        # without one in the chunk is taken whole.
        end = min(size, start + 65536)
        if end < size:
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut >= start else size
        for line in text[start:end].splitlines():
            stripped = line.strip()
            if stripped and stripped[0] not in "#;":
                yield line
        start = end


def read_file(path: str, text: str, inventory: Inventory) -> None:
    """Import one file's text into ``inventory`` (raises InputError if it cannot be read)."""
    sink = Sink(inventory, path)
    stripped = text.lstrip("\ufeff \t\r\n")
    lower = path.lower()
    if stripped[:1] in "{[" and stripped:
        doc = load_located(text.removeprefix("\ufeff"), path)
        found = _json_reader(doc.value)
        if isinstance(found, str):
            inventory.skipped.append(Skipped(path, found))
            return
        inventory.formats[path] = found[0]
        found[1](doc, sink)
        return
    # The substring tests spare huge lists a regex pass over every line.
    if lower.endswith(".tf") or (("resource" in text or "module" in text)
                                 and re.search(r'^\s*(resource|module)\s+"', text, re.M)):
        from cidrkit.sources.hcl import read_hcl

        inventory.formats[path] = "terraform-hcl"
        read_hcl(text, sink)
        return
    if lower.endswith((".yaml", ".yml")) or (("apiVersion" in text or "kind:" in text)
                                             and re.search(r"^(apiVersion|kind):", text, re.M)):
        from cidrkit.sources.yamlloc import load_documents

        docs = load_documents(text, path)
        if any(isinstance(d, dict) and "connections" in d for d in docs.value):
            inventory.skipped.append(Skipped(path, "a connections file, not an inventory "
                                                   "(pass it with --connections)"))
            return
        if not any(isinstance(d, dict) and d.get("kind") in kubernetes.KINDS for d in docs.value):
            inventory.skipped.append(Skipped(path, "YAML without Kubernetes networking objects"))
            return
        inventory.formats[path] = "kubernetes-yaml"
        kubernetes.read_documents(docs, sink, yaml=True)
        return
    if not _looks_like_list(path, text) or lower.endswith(".csv"):
        table = parse_table(text)
        if table is not None and netbox.is_netbox_header(table.columns):
            inventory.formats[path] = "netbox-csv"
            netbox.read_csv(table, sink)
            return
        if table is not None and cidr_column(table) is not None:
            inventory.formats[path] = "csv"
            lists.read_csv(table, sink)
            return
        if lower.endswith(".csv") or not _looks_like_list(path, text):
            inventory.skipped.append(Skipped(path, "unrecognised format"))
            return
    inventory.formats[path] = "text-list"
    lists.read_text(text, sink)


def read_inventory(paths: Iterable[str], columnar: bool = False) -> Inventory:
    """Read every file under ``paths``; unreadable or unknown files are reported, never fatal.

    ``columnar`` keeps large text lists as columns (``Inventory.tables``)
    rather than one ``Record`` per line: the audit reads millions of lines
    that way in seconds.
    """
    inventory = Inventory(columnar=columnar)
    for path in iter_files(paths):
        inventory.files.append(path)
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
        except UnicodeDecodeError:
            inventory.skipped.append(Skipped(path, "not UTF-8 text"))
            continue
        except OSError as err:
            inventory.skipped.append(Skipped(path, f"cannot read: {err.strerror or err}"))
            continue
        try:
            read_file(path, text, inventory)
        except InputError as err:
            inventory.skipped.append(Skipped(path, str(err)))
    _apply_aliases(inventory)
    return inventory


def _apply_aliases(inventory: Inventory) -> None:
    """Map planned Terraform scopes onto the live scopes their state shows."""
    if not inventory.aliases:
        return
    aliases = inventory.aliases
    inventory.records[:] = [
        replace(r, scope=aliases[r.scope]) if r.scope in aliases else r
        for r in inventory.records
    ]
    for _, table in inventory.tables:
        table.scope = aliases.get(table.scope, table.scope)
