"""AWS CLI ``--output text`` and ``--output table`` of ``describe-vpcs`` / ``describe-subnets``.

Both are rebuilt into the JSON shape of ``--output json``, with the line of
every value, and then read by :mod:`cidrkit.sources.aws`, so states,
scopes and labels follow exactly the same rules.

Text output prints one row per object, named by its key in capitals
(``VPCS``, ``SUBNETS``), scalar values in key order; nested objects follow as
their own rows (``CIDRBLOCKASSOCIATIONSET``, then its ``CIDRBLOCKSTATE``;
``TAGS Name prod``). Values are recognised by shape (a CIDR, ``vpc-...``,
``subnet-...``, a 12-digit account, a zone), not by position, because the
column order has changed between CLI versions. Table output draws the same
keys in nested boxes (``|  CidrBlock  |  10.0.0.0/16  |``); its depth is the
number of bars before a row.
"""

from __future__ import annotations

import re
from typing import Any

from cidrkit.sources.jsonloc import Located, looks_like_cidr

_TEXT_ROW = re.compile(r"^(VPCS|SUBNETS)\t", re.M)
_TABLE_TITLE = re.compile(r"^\|\s+(DescribeVpcs|DescribeSubnets)\s+\|\s*$", re.M)
_ZONE = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d[a-z]$")


def looks_like_text(text: str) -> bool:
    """True for ``--output text`` of describe-vpcs or describe-subnets."""
    return bool(_TEXT_ROW.search(text[:65536]))


def looks_like_table(text: str) -> bool:
    """True for ``--output table`` of describe-vpcs or describe-subnets."""
    return bool(_TABLE_TITLE.search(text[:4096]))


class _Builder:
    """Collects objects and the line of every value under its JSON Pointer."""

    def __init__(self) -> None:
        self.lines: dict[str, int] = {}

    def put(self, holder: dict[str, Any], pointer: str, key: str, value: Any, line: int) -> None:
        holder[key] = value
        self.lines[f"{pointer}/{key}"] = line


def load_text(text: str) -> Located:
    """``--output text`` rebuilt as ``{"Vpcs": [...]}`` or ``{"Subnets": [...]}`` with lines."""
    build = _Builder()
    top: dict[str, list[dict[str, Any]]] = {}
    current: dict[str, Any] | None = None
    pointer = ""
    association: dict[str, Any] | None = None
    assoc_ptr = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.rstrip("\r").split("\t")
        name = fields[0].strip().upper()
        values = [f.strip() for f in fields[1:]]
        if name in ("VPCS", "SUBNETS"):
            key = "Vpcs" if name == "VPCS" else "Subnets"
            items = top.setdefault(key, [])
            current, pointer, association = {}, f"/{key}/{len(items)}", None
            items.append(current)
            build.lines[pointer] = number
            _scalars(build, current, pointer, values, number)
        elif current is None:
            continue
        elif name in ("CIDRBLOCKASSOCIATIONSET", "IPV6CIDRBLOCKASSOCIATIONSET"):
            set_key = "CidrBlockAssociationSet" if name.startswith("CIDR") \
                else "Ipv6CidrBlockAssociationSet"
            cidr_key = "CidrBlock" if name.startswith("CIDR") else "Ipv6CidrBlock"
            assocs = current.setdefault(set_key, [])
            association, assoc_ptr = {}, f"{pointer}/{set_key}/{len(assocs)}"
            assocs.append(association)
            for value in values:
                if looks_like_cidr(value):
                    build.put(association, assoc_ptr, cidr_key, value, number)
                elif value.startswith(("vpc-cidr-assoc-", "subnet-cidr-assoc-")):
                    association["AssociationId"] = value
        elif name in ("CIDRBLOCKSTATE", "IPV6CIDRBLOCKSTATE") and association is not None:
            state_key = "CidrBlockState" if name.startswith("CIDR") else "Ipv6CidrBlockState"
            state = next((v for v in values if v and not v.startswith("{")), "")
            association[state_key] = {"State": state}
        elif name == "TAGS" and len(values) >= 2:
            current.setdefault("Tags", []).append({"Key": values[0], "Value": values[1]})
    return Located(top, build.lines)


def _scalars(build: _Builder, obj: dict[str, Any], pointer: str, values: list[str],
             line: int) -> None:
    """The fields of a VPCS/SUBNETS row that matter, told apart by their shape."""
    for value in values:
        if looks_like_cidr(value) and "CidrBlock" not in obj:
            build.put(obj, pointer, "CidrBlock", value, line)
        elif value.startswith("vpc-") and not value.startswith("vpc-cidr"):
            obj["VpcId"] = value
        elif value.startswith("subnet-") and not value.startswith("subnet-cidr"):
            obj["SubnetId"] = value
        elif value.startswith("arn:aws"):
            obj["SubnetArn"] = value
        elif re.fullmatch(r"\d{12}", value):
            obj["OwnerId"] = value
        elif _ZONE.match(value):
            obj["AvailabilityZone"] = value
        elif value in ("True", "False") and "IsDefault" not in obj:
            obj["IsDefault"] = value == "True"


def load_table(text: str) -> Located:
    """``--output table`` rebuilt into the JSON shape, with the line of every value.

    A box title at depth d opens an object whose rows are drawn at depth d,
    inside the object open at depth d - 1. Titles ending in ``State`` are
    single objects (``{"State": ...}``), ``Tags`` a Key/Value table; every
    other title is one more item of a list.
    """
    build = _Builder()
    root: dict[str, Any] = {}
    open_at: dict[int, tuple[Any, str]] = {1: (root, "")}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.startswith("|") or set(line) <= set("|+-"):
            continue
        depth = len(line) - len(line.lstrip("|"))
        cells = [c.strip() for c in line.strip("|").split("|")]
        parent = open_at.get(depth - 1)
        if len(cells) == 1:
            title = cells[0]
            if title.startswith("Describe") or parent is None or not isinstance(parent[0], dict):
                continue
            for deeper in [d for d in open_at if d >= depth]:
                del open_at[deeper]
            holder, holder_ptr = parent
            if title == "Tags":
                tags = holder.setdefault("Tags", [])
                open_at[depth] = (tags, f"{holder_ptr}/Tags")
                continue
            obj: dict[str, Any] = {}
            if title.endswith("State"):
                holder[title] = obj
                ptr = f"{holder_ptr}/{title}"
            else:
                items = holder.setdefault(title, [])
                if not isinstance(items, list):
                    continue
                ptr = f"{holder_ptr}/{title}/{len(items)}"
                items.append(obj)
            build.lines[ptr] = number
            open_at[depth] = (obj, ptr)
        elif len(cells) == 2 and depth in open_at:
            holder, holder_ptr = open_at[depth]
            key, value = cells
            if isinstance(holder, list):
                if (key, value) != ("Key", "Value"):
                    holder.append({"Key": key, "Value": value})
            elif isinstance(holder, dict):
                build.put(holder, holder_ptr, key, value, number)
    return Located(root, build.lines)
