"""Read inventories: walk paths, recognise each file's format from its content, import it.

Formats are recognised from content, not only from the file name, because
exports get renamed (``vpcs.json``, ``prod.txt``). Folders are walked in sorted
order so output is deterministic.

Every file is read in isolation: whatever goes wrong in one (a shape no
reader knows, broken syntax, a value of the wrong type, even a bug in a
reader) is reported as that file skipped, with the reason, anything it had
added is taken back, and the rest is still read. Nothing is silent: an empty
file and a recognised file holding no network are listed as notices, a
folder without files as skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from cidrkit.errors import CidrkitError
from cidrkit.sources import kubernetes, lists, netbox, plan_outputs
from cidrkit.sources.csv_table import describe_columns, network_columns, parse_table
from cidrkit.sources.detect import json_reader
from cidrkit.sources.jsonloc import Located, load_located
from cidrkit.sources.record import Inventory, Notice, Origin, Skipped
from cidrkit.sources.sink import Sink

_ADDRESS_START = re.compile(r"^\s*(?:[0-9]{1,3}\.[0-9.]|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:]*)")
_LIST_SUFFIXES = {".txt", ".list", ".lst", ".cidr", ".cidrs", ".ips", ""}
_HIDDEN = re.compile(r"^[.~]|~$")
_YAML_HINT = re.compile(r"^(apiVersion|kind|AWSTemplateFormatVersion|Resources):", re.M)


def iter_files(paths: Iterable[str], inventory: Inventory | None = None) -> Iterator[str]:
    """Every file under ``paths``, folders walked in sorted order, hidden entries skipped.

    With ``inventory``, a folder holding no file at all is reported as skipped.
    """
    for path in paths:
        if os.path.isdir(path):
            found = False
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not _HIDDEN.search(d))
                for name in sorted(files):
                    if not _HIDDEN.search(name):
                        found = True
                        yield os.path.join(root, name)
            if not found and inventory is not None:
                inventory.skipped.append(Skipped(path, "a folder holding no inventory files"))
        else:
            yield path


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


class _Skip(Exception):
    """The file is not an inventory: why, in the user's terms."""


def _read_json(path: str, text: str, inventory: Inventory) -> None:
    from cidrkit.sources.tfplan import EVENT_STREAM, is_event_stream

    if is_event_stream(text):
        raise _Skip(EVENT_STREAM)
    doc = load_located(text.removeprefix("\ufeff"), path)
    found = json_reader(doc.value)
    if isinstance(found, str):
        raise _Skip(found)
    name, reader, base = found
    inventory.formats[path] = name
    reader(doc.inner(base) if base else doc, Sink(inventory, path, base, text))


def _read_yaml(path: str, text: str, inventory: Inventory) -> None:
    from cidrkit.sources.cloudformation import is_template, read_template
    from cidrkit.sources.yamlloc import load_documents

    docs = load_documents(text, path)
    sink = Sink(inventory, path, text=text)
    if any(isinstance(d, dict) and "connections" in d for d in docs.value):
        raise _Skip("a connections file, not an inventory (pass it with --connections)")
    if any(isinstance(d, dict) and isinstance(d.get("tree"), dict) for d in docs.value):
        # The plan holds demands, not blocks: those are placed into its lock.
        raise _Skip("a cidrkit plan, which holds demands rather than blocks: audit its lock "
                    "(PLAN.lock) or its --format json, terraform or csv output")
    if any(is_template(d) for d in docs.value):
        inventory.formats[path] = "cloudformation"
        read_template(docs, sink)
        return
    if not any(isinstance(d, dict) and str(d.get("kind")) in kubernetes.KINDS for d in docs.value):
        kinds = sorted({str(d.get("kind")) for d in docs.value if isinstance(d, dict)
                        and d.get("kind")})
        seen = f" (kinds seen: {', '.join(kinds)})" if kinds else ""
        raise _Skip(f"YAML without Kubernetes networking objects or a CloudFormation "
                    f"template{seen}; understood kinds: {', '.join(sorted(kubernetes.KINDS))}")
    inventory.formats[path] = "kubernetes-yaml"
    kubernetes.read_documents(docs, sink, yaml=True)


def _read_text(path: str, text: str, inventory: Inventory) -> None:
    from cidrkit.sources import aws, awstext, infoblox

    sink = Sink(inventory, path, text=text)
    if awstext.looks_like_text(text) or awstext.looks_like_table(text):
        doc = awstext.load_text(text) if awstext.looks_like_text(text) \
            else awstext.load_table(text)
        if "Vpcs" in doc.value:
            inventory.formats[path] = "aws-cli-text"
            aws.read_vpcs(Located({"Vpcs": doc.value["Vpcs"]}, doc.lines), sink)
        if "Subnets" in doc.value:
            inventory.formats[path] = "aws-cli-text"
            aws.read_subnets(Located({"Subnets": doc.value["Subnets"]}, doc.lines), sink)
        if path not in inventory.formats:
            raise _Skip("AWS CLI text output without VPCs or subnets")
        return
    if infoblox.looks_like_infoblox(text):
        inventory.formats[path] = "infoblox-csv"
        infoblox.read_infoblox(text, sink)
        return
    lower = path.lower()
    if not _looks_like_list(path, text) or lower.endswith(".csv"):
        table = parse_table(text)
        if table is not None and plan_outputs.is_csv(table):
            inventory.formats[path] = "cidrkit-plan-csv"
            plan_outputs.read_csv(table, sink)
            return
        if table is not None and netbox.is_netbox_header(table.columns):
            inventory.formats[path] = "netbox-csv"
            netbox.read_csv(table, sink)
            return
        if table is not None and netbox.is_ip_range_header(table.columns):
            inventory.formats[path] = "netbox-ip-ranges-csv"
            netbox.read_ip_ranges_csv(table, sink)
            return
        if table is not None and network_columns(table) is not None:
            inventory.formats[path] = "csv"
            lists.read_csv(table, sink)
            return
        if lower.endswith(".csv") or not _looks_like_list(path, text):
            rendering = plan_outputs.rendering_for_people(text)
            if rendering is not None:
                raise _Skip(f"{rendering}, made for people: audit its lock (PLAN.lock) or its "
                            "--format json, terraform or csv output")
            if table is not None:
                raise _Skip(f"unrecognised format: {describe_columns(table)}")
            raise _Skip("unrecognised format: not JSON, YAML, HCL, Bicep, a CSV table with a "
                        "network column, nor a list of one CIDR, range or address per line")
    inventory.formats[path] = "text-list"
    lists.read_text(text, sink)


def read_file(path: str, text: str, inventory: Inventory) -> None:
    """Import one file's text into ``inventory``.

    Raises CidrkitError when the file cannot be read as an inventory
    (:func:`read_inventory` reports that as the file skipped).
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    lower = path.lower()
    if not stripped:
        # Listed, not skipped: an empty outputs.tf beside real files is normal;
        # alone, it leaves the audit with nothing read, which exits 2.
        inventory.notices.append(Notice(Origin(path), "(empty)", "an empty file: nothing to read"))
        return
    if stripped[:1] in "{[":
        _read_json(path, text, inventory)
        return
    # The substring tests spare huge lists a regex pass over every line.
    if lower.endswith(".tf") or (("resource" in text or "module" in text)
                                 and re.search(r'^\s*(resource|module)\s+"', text, re.M)):
        from cidrkit.sources.hcl import read_hcl

        inventory.formats[path] = "terraform-hcl"
        read_hcl(text, Sink(inventory, path, text=text))
        return
    if lower.endswith(".bicep") or ("resource" in text and _is_bicep(text)):
        from cidrkit.sources.arm import read_template
        from cidrkit.sources.bicep import load_bicep

        inventory.formats[path] = "bicep"
        read_template(load_bicep(text, path), Sink(inventory, path, text=text))
        return
    if lower.endswith((".yaml", ".yml", ".template")) or (
            ("apiVersion" in text or "kind:" in text or "Resources:" in text)
            and _YAML_HINT.search(text)):
        _read_yaml(path, text, inventory)
        return
    _read_text(path, text, inventory)


def _is_bicep(text: str) -> bool:
    from cidrkit.sources.bicep import looks_like_bicep

    return looks_like_bicep(text)


def _mark(inventory: Inventory) -> tuple[int, ...]:
    return (len(inventory.records), len(inventory.malformed), len(inventory.ignored),
            len(inventory.notices), len(inventory.tables))


def _rollback(inventory: Inventory, mark: tuple[int, ...], path: str,
              aliases: dict[str, str]) -> None:
    """Take back everything a file that failed half-way had added."""
    records, malformed, ignored, notices, tables = mark
    del inventory.records[records:]
    del inventory.malformed[malformed:]
    del inventory.ignored[ignored:]
    del inventory.notices[notices:]
    del inventory.tables[tables:]
    inventory.formats.pop(path, None)
    inventory.aliases.clear()
    inventory.aliases.update(aliases)


def read_one(path: str, inventory: Inventory) -> None:
    """Read one file into ``inventory``; any failure becomes a skipped entry, never an exception."""
    inventory.files.append(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        inventory.skipped.append(Skipped(path, "not UTF-8 text (a binary file, or another "
                                               "encoding: save it as UTF-8)"))
        return
    except OSError as err:
        inventory.skipped.append(Skipped(path, f"cannot read: {err.strerror or err}"))
        return
    mark, aliases = _mark(inventory), dict(inventory.aliases)
    try:
        read_file(path, text, inventory)
    except (_Skip, CidrkitError) as err:
        _rollback(inventory, mark, path, aliases)
        inventory.skipped.append(Skipped(path, _reason(str(err), path)))
        return
    except RecursionError:
        _rollback(inventory, mark, path, aliases)
        inventory.skipped.append(Skipped(path, "nested too deeply to read"))
        return
    except Exception as err:  # one broken file must never end the run
        _rollback(inventory, mark, path, aliases)
        inventory.skipped.append(Skipped(
            path, f"internal error while reading ({type(err).__name__}: {str(err)[:120]}); "
                  "please report it with the file"))
        return
    added = len(inventory.records) - mark[0] + sum(len(t) for _, t in inventory.tables[mark[4]:])
    if not added and _mark(inventory)[1:4] == mark[1:4] and path in inventory.formats:
        inventory.notices.append(Notice(Origin(path), inventory.formats[path],
                                        "recognised, but holds no network"))


def _reason(message: str, path: str) -> str:
    """An error message without the file name the skipped entry already shows."""
    return message.removeprefix(f"{path}: ")


def read_inventory(paths: Iterable[str], columnar: bool = False) -> Inventory:
    """Read every file under ``paths``; unreadable or unknown files are reported, never fatal.

    ``columnar`` keeps large text lists as columns (``Inventory.tables``)
    rather than one ``Record`` per line: the audit reads millions of lines
    that way in seconds.
    """
    inventory = Inventory(columnar=columnar)
    for path in iter_files(paths, inventory):
        read_one(path, inventory)
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
