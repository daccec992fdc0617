"""cidrkit's own plan files as inventory: the lock and its JSON, Terraform and CSV renderings.

A team commits ``plan.yaml.lock`` and the rendered outputs next to its cloud
exports; auditing them together must show where the plan collides with what
is really deployed. Every planned block is a record named by its node path
(``acme/eu-west-1/prod/az-a/app``), tagged *planned*.

The shapes, as ``cidrkit plan`` writes them:

- lock: ``{"cidrkit-plan-lock": 1, "blocks": {PATH: CIDR, PATH/ipv6: CIDR}}``;
- ``--format json``: the flat object ``{PATH: CIDR, PATH/ipv6: CIDR}``;
- ``--format terraform``: ``{"network_plan": {PATH: {"kind", "cidr", "ipv6_cidr", ...}}}``;
- ``--format csv``: columns ``path, name, depth, kind, cloud, ipv4, ipv6, ...``.

Scope: a plan places its blocks as one tree, so a block and everything
under it is one routing domain, as a VPC and its subnets are. The scope of
a node is ``plan:`` and the path of its topmost ancestor (or itself) that
holds a block: ``plan:acme/eu-west-1`` when the organisation node ``acme``
has no block of its own. The scope comes from the paths only, never from
the file name, so the lock and every rendering of one plan observe the same
allocations instead of colliding with each other.

The readers never import ``cidrkit.plan`` (it sits beside ``sources``, not
below): they read the files' JSON and CSV shapes directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cidrkit.core import Prefix
from cidrkit.errors import InputError, ParseError
from cidrkit.sources.csv_table import Table
from cidrkit.sources.jsonloc import Located, child, describe_type, looks_like_cidr
from cidrkit.sources.record import Inventory, Labels, Origin, Skipped
from cidrkit.sources.sink import Sink

LOCK_MARKER = "cidrkit-plan-lock"
LOCK_FORMAT = 1
TERRAFORM_KEY = "network_plan"
#: The format names the readers give these files (``Inventory.formats``).
FORMATS = ("cidrkit-plan-lock", "cidrkit-plan-json", "cidrkit-plan-terraform",
           "cidrkit-plan-csv")
#: The leading columns of ``cidrkit plan --format csv``, which identify it.
CSV_COLUMNS = ("path", "name", "depth", "kind", "cloud", "ipv4", "ipv6")
#: The last segment of a key holding a node's IPv6 block (no node may be named so).
IPV6_SEGMENT = "ipv6"
#: A node path as the plan loader allows it: names without '/', spaces or glob characters.
_PATH = re.compile(r"[^/*?\[\]{}\s]+(?:/[^/*?\[\]{}\s]+)*\Z")


def is_node_path(key: object) -> bool:
    """True for a plan node path (``a/b/c``): non-empty names joined by ``/``."""
    return isinstance(key, str) and bool(_PATH.match(key))


def is_lock(value: dict[str, Any]) -> bool:
    """A plan lock: only cidrkit writes its marker key."""
    return LOCK_MARKER in value


def is_terraform(value: dict[str, Any]) -> bool:
    """``--format terraform`` output: the ``network_plan`` variable (alone, or an object)."""
    return TERRAFORM_KEY in value and (len(value) == 1 or isinstance(value[TERRAFORM_KEY], dict))


def is_flat_json(value: dict[str, Any]) -> bool:
    """``--format json`` output: every key a node path, most values shaped like a CIDR.

    "Most", not "all": a damaged entry (a number, ``TBD``) must still be
    reported where it is, as malformed, rather than the whole file skipped.
    Requiring more than half keeps a small object of one CIDR and one other
    field (a single VPC's ``CidrBlock`` and ``VpcId``) from being taken.
    """
    if not value or not all(is_node_path(key) for key in value):
        return False
    cidrs = sum(looks_like_cidr(v) for v in value.values())
    return cidrs * 2 > len(value)


def is_csv(table: Table) -> bool:
    """``--format csv`` output: the plan's own leading columns."""
    return tuple(h.strip().lower() for h in table.header[:len(CSV_COLUMNS)]) == CSV_COLUMNS


_TABLE_HEADER = ["NODE", "IPV4", "IPV6", "ADDRESSES", "DEMAND", "USABLE", "UTIL"]
_DIFF_LINE = re.compile(r"[+~!-] \S+  \S")


def rendering_for_people(text: str) -> str | None:
    """Which of ``cidrkit plan``'s renderings for people ``text`` is, if it is one.

    The table, the page and the ``--diff`` are not read (their layout is
    for eyes, and a diff holds changes, not the plan); naming them lets the
    skipped entry point at the files that are read.
    """
    head = text.lstrip("\ufeff")[:2000]
    first = head.split("\n", 1)[0]
    if first.split() == _TABLE_HEADER:
        return "the table of a cidrkit plan"
    if "<title>Address plan:" in head:
        return "the HTML page of a cidrkit plan"
    lines = [line for line in head.split("\n")[:20] if line]
    if lines and all(_DIFF_LINE.match(line) for line in lines):
        return "the --diff of a cidrkit plan"
    return None


def node_of(key: str) -> tuple[str, int]:
    """The node path and family of a lock or JSON key (``a/b/ipv6`` is ``a/b``'s IPv6 block)."""
    head, _, last = key.rpartition("/")
    if head and last == IPV6_SEGMENT:
        return head, 6
    return key, 4


def scopes_of(paths: Iterable[str]) -> dict[str, str]:
    """Each path's scope: ``plan:`` and its topmost ancestor-or-self among ``paths``."""
    known = set(paths)
    scopes: dict[str, str] = {}
    for path in known:
        parts = path.split("/")
        top = next(p for p in ("/".join(parts[:n]) for n in range(1, len(parts) + 1))
                   if p in known)
        scopes[path] = f"plan:{top}"
    return scopes


class _Kinds:
    """The audit kind of each planned block, from the plan's own kinds (Terraform and CSV).

    A ``vpc`` node is a vpc. A ``subnet`` is a subnet only below a vpc that
    holds a block of the same family, because the audit then checks that it
    lies inside a vpc of its scope; a plan's subnet under no vpc, or whose
    IPv6 block sits in a block above its vpc, is a planned prefix like
    groups and ranges, so that checking it could only be a false finding.
    """

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        self.held: set[tuple[str, int]] = set()

    def add(self, path: str, kind: object, versions: Iterable[int]) -> None:
        self.kinds[path] = kind if isinstance(kind, str) else ""
        self.held.update((path, v) for v in versions)

    def of(self, path: str, version: int) -> str:
        kind = self.kinds.get(path)
        if kind == "vpc":
            return "vpc"
        if kind == "subnet":
            parts = path.split("/")
            for end in range(len(parts) - 1, 0, -1):
                above = "/".join(parts[:end])
                if self.kinds.get(above) == "vpc" and (above, version) in self.held:
                    return "subnet"
        return "prefix"


def _block(sink: Sink, value: object, origin: Origin, scope: str, labels: Labels,
           version: int) -> None:
    """Record one planned block, or report it: it must parse and be of the key's family."""
    # Every IPv6 text has a colon and no IPv4 text has one, so only a value
    # that looks like the other family is parsed here before the sink parses it.
    if isinstance(value, str) and (":" in value) != (version == 6):
        try:
            parsed = Prefix.parse(value.strip())
        except ParseError:
            pass  # the sink reports it with the parser's message
        else:
            where = "an IPv6 block (a key ending in /ipv6)" if version == 6 else "an IPv4 block"
            sink.malformed(origin, value, f"an IPv{parsed.version} prefix where the plan keeps "
                                          f"{where}")
            return
    sink.prefix(value, origin, scope, labels)


def _object_at(doc: Located, pointer: str, value: object, what: str) -> dict[str, Any]:
    """``value`` if it is an object; otherwise the file is damaged: say where and what."""
    if not isinstance(value, dict):
        line = doc.line(pointer)
        at = f" (line {line})" if line else ""
        raise InputError(f"{doc.base + pointer}{at}: expected {what}, found {describe_type(value)}")
    return value


def _read_blocks(doc: Located, sink: Sink, base: str, blocks: dict[str, Any]) -> None:
    """The ``{PATH: CIDR, PATH/ipv6: CIDR}`` mapping of the lock and the JSON output."""
    scopes = scopes_of(node_of(key)[0] for key in blocks if is_node_path(key))
    for key, value in blocks.items():
        pointer = child(base, key)
        origin = sink.origin(doc.line(pointer), pointer)
        if not is_node_path(key):
            sink.malformed(origin, key, "not a plan node path (names joined by '/', without "
                                        "spaces or glob characters)")
            continue
        path, version = node_of(key)
        _block(sink, value, origin, scopes[path], Labels("prefix", path, planned=True), version)


def read_lock(doc: Located, sink: Sink) -> None:
    """Read a plan lock (``<plan>.lock``)."""
    value = doc.value
    marker = f"/{LOCK_MARKER}"
    if value.get(LOCK_MARKER) != LOCK_FORMAT:
        line = doc.line(marker)
        at = f" (line {line})" if line else ""
        raise InputError(f"{marker}{at}: a plan lock of format {value.get(LOCK_MARKER)!r}; "
                         f"this cidrkit reads format {LOCK_FORMAT}")
    if "blocks" not in value:
        raise InputError("/blocks: a plan lock without its 'blocks' object")
    _read_blocks(doc, sink, "/blocks",
                 _object_at(doc, "/blocks", value["blocks"], "an object of path: CIDR"))


def read_flat_json(doc: Located, sink: Sink) -> None:
    """Read ``cidrkit plan --format json`` output."""
    _read_blocks(doc, sink, "", doc.value)


def read_terraform(doc: Located, sink: Sink) -> None:
    """Read ``cidrkit plan --format terraform`` output (tfvars JSON)."""
    base = f"/{TERRAFORM_KEY}"
    entries = _object_at(doc, base, doc.value[TERRAFORM_KEY], "an object of path: node")
    kinds = _Kinds()
    for key, entry in entries.items():
        if is_node_path(key) and isinstance(entry, dict):
            kinds.add(key, entry.get("kind"), [v for field, v in (("cidr", 4), ("ipv6_cidr", 6))
                                               if entry.get(field) is not None])
    scopes = scopes_of({path for path, _ in kinds.held})
    for key, entry in entries.items():
        here = child(base, key)
        if not isinstance(entry, dict):
            sink.expected(sink.origin(doc.line(here), here), entry, "a node object")
            continue
        if not is_node_path(key):
            sink.malformed(sink.origin(doc.line(here), here), key,
                           "not a plan node path (names joined by '/', without spaces or "
                           "glob characters)")
            continue
        for field, version in (("cidr", 4), ("ipv6_cidr", 6)):
            if entry.get(field) is None:
                continue  # the node has no block of that family
            pointer = child(here, field)
            labels = Labels(kinds.of(key, version), key, planned=True)
            _block(sink, entry[field], sink.origin(doc.line(pointer), pointer), scopes[key],
                   labels, version)


def read_csv(table: Table, sink: Sink) -> None:
    """Read ``cidrkit plan --format csv`` output: the ``ipv4`` and ``ipv6`` columns."""
    header = {name: table.header[i] for i, name in enumerate(CSV_COLUMNS)}
    rows = [(line, row, row.get(header["path"]) or "") for line, row in table.rows]
    kinds = _Kinds()
    for _, row, path in rows:
        if is_node_path(path):
            kinds.add(path, row.get(header["kind"]), [v for column, v in (("ipv4", 4), ("ipv6", 6))
                                                      if row.get(header[column])])
    scopes = scopes_of({path for path, _ in kinds.held})
    for line, row, path in rows:
        if not (row.get(header["ipv4"]) or row.get(header["ipv6"])):
            continue  # a node without a block (a group with block: false)
        if not is_node_path(path):
            sink.malformed(sink.origin(line, column=header["path"]), path,
                           "not a plan node path (names joined by '/', without spaces or "
                           "glob characters)")
            continue
        for column, version in (("ipv4", 4), ("ipv6", 6)):
            value = row.get(header[column])
            if value:
                labels = Labels(kinds.of(path, version), path, planned=True)
                _block(sink, value, sink.origin(line, column=header[column]), scopes[path],
                       labels, version)


def set_aside(inventory: Inventory, reason: str) -> list[str]:
    """Take the plan files out of ``inventory`` and list them as skipped with ``reason``.

    For readers of *the space in use* (a plan's drift): a plan's own lock or
    rendering read as reality would make every planned block look present.
    Returns the files set aside.
    """
    files = [path for path, name in inventory.formats.items() if name in FORMATS]
    if not files:
        return []
    gone = set(files)
    inventory.records[:] = [r for r in inventory.records if r.origin.file not in gone]
    inventory.malformed[:] = [m for m in inventory.malformed if m.origin.file not in gone]
    inventory.notices[:] = [n for n in inventory.notices if n.origin.file not in gone]
    for path in files:
        del inventory.formats[path]
        inventory.skipped.append(Skipped(path, reason))
    return files
