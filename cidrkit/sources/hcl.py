"""Terraform configuration (``.tf`` and ``.tf.json``): planned networks, via a real HCL parser.

Values read here are *planned*: the configuration may disagree with what is
deployed. A resource's scope is the network it references
(``vpc_id = aws_vpc.main.id`` -> ``tf:<folder>:aws_vpc.main``); when a state
file in the same folder shows that network, the reader maps the planned scope
onto the live one so the two never collide with themselves.

Literals are read as they are; ``local.x``, ``var.x`` (its ``default``, from any
``.tf`` file of the folder) and ``cidrsubnet(...)`` of those are evaluated
(:mod:`cidrkit.sources.hclexpr`); anything else (``count.index``, resource
attributes) is reported as unresolved, never guessed. Modules are recognised
by their source (registry, ``git::``, ``github.com/...``, a relative path) or,
for a local copy, by their inputs. Each value's line is searched inside its
own block, so repeated literals and reordered attributes keep true lines.
"""

from __future__ import annotations

import bisect
import os
import posixpath
import re
from functools import lru_cache
from typing import Any

from cidrkit.errors import InputError
from cidrkit.sources.hclexpr import Scope, Unknown, evaluate
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink

_NETWORK_REF = re.compile(
    r"^\$\{((?:aws_vpc|aws_default_vpc|azurerm_virtual_network|google_compute_network"
    r"|netbox_vrf)\.[\w-]+|module\.[\w-]+)(?:\[[^\]]*\])?\.[\w-]+\}$"
)
_AWS_SUBNET_INPUTS = ("public_subnets", "private_subnets", "database_subnets",
                      "elasticache_subnets", "redshift_subnets", "intra_subnets",
                      "outpost_subnets")
_NETWORK_TYPES = {"aws_vpc": "vpc", "aws_default_vpc": "vpc", "azurerm_virtual_network": "vnet",
                  "google_compute_network": "network"}
_COMMENT = re.compile(r'#[^\n]*|//[^\n]*|/\*.*?\*/|"(?:[^"\\]|\\.)*"', re.S)
_UNRESOLVED = ("unresolved expression: only literals, locals, variable defaults and "
               "cidrsubnet() of them can be read without running Terraform")


def _blank_comments(text: str) -> str:
    """Replace comments by spaces (keeping newlines) so line search never finds them."""
    def repl(match: re.Match[str]) -> str:
        token = match.group()
        return token if token.startswith('"') else re.sub(r"[^\n]", " ", token)
    return _COMMENT.sub(repl, text)


def _unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def _literal(value: Any) -> str | None:
    """The text of a literal HCL string, or None for any expression."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        return None if "${" in inner else inner
    return None


def blocks(value: Any) -> list[dict[str, Any]]:
    """Nested blocks as a list: python-hcl2 gives lists, ``.tf.json`` a list or one object."""
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _aws_vpc_module(source: str, body: dict[str, Any]) -> bool:
    if "terraform-aws-modules/vpc" in source or "terraform-aws-vpc" in source:
        return True
    return "cidr" in body and any(key in body for key in _AWS_SUBNET_INPUTS)


def _google_network_module(source: str, body: dict[str, Any]) -> bool:
    if "terraform-google-modules/network" in source or "terraform-google-network" in source:
        return True
    return any("subnet_ip" in s for s in blocks(body.get("subnets")))


class _Reader:
    def __init__(self, text: str, sink: Sink, scope: Scope) -> None:
        self.sink = sink
        self.scope = scope
        self.code = _blank_comments(text)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.code)]
        self.folder = posixpath.dirname(sink.file.replace("\\", "/")) or "."
        self.span = (0, len(self.code))
        self.used: set[int] = set()
        #: ``netbox_vrf`` resources of this file: address -> VRF name, the scope of its prefixes.
        self.vrfs: dict[str, str] = {}

    def line_at(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)

    def enter_block(self, keyword: str, *labels: str) -> None:
        """Limit line search to one block: from its header to its matching brace."""
        pattern = keyword + "".join(rf'\s+"?{re.escape(label)}"?' for label in labels) + r"\s*\{"
        match = re.search(pattern, self.code)
        if match is None:
            self.span = (0, len(self.code))
            return
        depth, pos = 0, match.end() - 1
        while pos < len(self.code):
            char = self.code[pos]
            if char == '"':
                end = self.code.find('"', pos + 1)
                while end > 0 and self.code[end - 1] == "\\":
                    end = self.code.find('"', end + 1)
                pos = end if end > 0 else len(self.code)
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    break
            pos += 1
        self.span = (match.start(), pos + 1)

    def attribute_at(self, attr: str) -> int | None:
        found = re.compile(rf'(?<![\w-])"?{re.escape(attr)}"?\s*[=:]').search(self.code,
                                                                              *self.span)
        return found.start() if found else None

    def find(self, literal: str, attr: str) -> int | None:
        """The line of ``"literal"`` in the current block, after its attribute if possible."""
        start, end = self.span
        anchor = self.attribute_at(attr)
        needle = f'"{literal}"'
        for begin in ((anchor, start) if anchor is not None else (start,)):
            at = self.code.find(needle, begin, end)
            while at >= 0 and at in self.used:
                at = self.code.find(needle, at + 1, end)
            if at >= 0:
                self.used.add(at)
                return self.line_at(at)
        return self.line_at(anchor) if anchor is not None else None

    def scope_of(self, reference: Any) -> str:
        text = _literal(reference)
        if text is not None:
            return f"aws:{text}" if text.startswith("vpc-") else f"tf:{self.folder}:{text}"
        match = _NETWORK_REF.match(str(reference))
        if match and match.group(1) in self.vrfs:
            return f"netbox:{self.vrfs[match.group(1)]}"
        return f"tf:{self.folder}:{match.group(1) if match else reference}"

    def value(self, raw: Any, address: str, scope: str, labels: Labels) -> None:
        """Record one attribute value (a list of them), evaluated where possible, or report it."""
        attr = address.rsplit(".", 1)[-1].split("[", 1)[0]
        if isinstance(raw, list):
            for i, item in enumerate(raw):
                self.value(item, f"{address}[{i}]", scope, labels)
            return
        try:
            value = evaluate(raw, self.scope)
        except Unknown:
            anchor = self.attribute_at(attr)
            line = self.line_at(anchor) if anchor is not None else None
            self.sink.ignore(self.sink.origin(line, address=address), str(raw), _UNRESOLVED)
            return
        values = value if isinstance(value, list) else [value]
        for i, item in enumerate(values):
            where = f"{address}[{i}]" if isinstance(value, list) else address
            if item == "":
                continue
            if not isinstance(item, str):
                self.sink.malformed(self.sink.origin(self.find(str(item), attr), address=where),
                                    str(item), "expected a CIDR string")
                continue
            origin = self.sink.origin(self.find(item, attr), address=where)
            self.sink.prefix(item, origin, scope, labels)

    def references(self, body: Any, address: str, reason: str) -> None:
        """Report literal CIDRs in a non-allocating block as ignored."""
        from cidrkit.sources.jsonloc import iter_strings, looks_like_cidr
        from cidrkit.sources.terraform import pointer_to_attribute

        for pointer, raw in iter_strings(body, ""):
            text = _literal(raw)
            if text is not None and looks_like_cidr(text):
                attr = pointer_to_attribute(pointer)
                origin = self.sink.origin(self.find(text, attr.rsplit(".", 1)[-1].split("[")[0]),
                                          address=f"{address}.{attr}")
                self.sink.ignore(origin, text, reason)

    def resource(self, rtype: str, name: str, body: dict[str, Any]) -> None:
        self.enter_block("resource", rtype, name)
        address = f"{rtype}.{name}"
        tags: dict[str, Any] = body["tags"] if isinstance(body.get("tags"), dict) else {}
        label_name = _literal(tags.get("Name")) or _literal(body.get("name")) or name
        if rtype in _NETWORK_TYPES:
            scope = f"tf:{self.folder}:{address}"
            labels = Labels(_NETWORK_TYPES[rtype], label_name, default=rtype == "aws_default_vpc",
                            planned=True)
            for key in ("cidr_block", "ipv6_cidr_block", "address_space", "internal_ipv6_range"):
                if key in body:
                    self.value(body[key], f"{address}.{key}", scope, labels)
            for i, subnet in enumerate(blocks(body.get("subnet"))):
                sub = Labels("subnet", _literal(subnet.get("name")), planned=True)
                for key in ("address_prefix", "address_prefixes"):
                    if key in subnet:
                        self.value(subnet[key], f"{address}.subnet[{i}].{key}", scope, sub)
        elif rtype in ("aws_subnet", "aws_vpc_ipv4_cidr_block_association",
                       "aws_vpc_ipv6_cidr_block_association"):
            kind = "subnet" if rtype == "aws_subnet" else "vpc"
            labels = Labels(kind, label_name, planned=True)
            scope = self.scope_of(body.get("vpc_id"))
            for key in ("cidr_block", "ipv6_cidr_block"):
                if key in body:
                    self.value(body[key], f"{address}.{key}", scope, labels)
        elif rtype == "azurerm_subnet":
            scope = self.scope_of(body.get("virtual_network_name"))
            labels = Labels("subnet", label_name, planned=True)
            for key in ("address_prefix", "address_prefixes"):
                if key in body:
                    self.value(body[key], f"{address}.{key}", scope, labels)
        elif rtype == "google_compute_subnetwork":
            scope = self.scope_of(body.get("network"))
            self.value(body.get("ip_cidr_range"), f"{address}.ip_cidr_range", scope,
                       Labels("subnet", label_name, planned=True))
            for i, second in enumerate(blocks(body.get("secondary_ip_range"))):
                range_name = _literal(second.get("range_name"))
                sec = Labels("secondary-range", range_name, planned=True)
                self.value(second.get("ip_cidr_range"),
                           f"{address}.secondary_ip_range[{i}].ip_cidr_range", scope, sec)
        elif rtype == "netbox_prefix":
            vrf = body.get("vrf_id")
            scope = self.scope_of(vrf) if vrf is not None else "netbox:Global"
            status = _literal(body.get("status")) or "active"
            kind = "container" if status.lower() == "container" else "prefix"
            self.value(body.get("prefix"), f"{address}.prefix", scope,
                       Labels(kind, _literal(body.get("description")), planned=True))
        else:
            self.references(body, address, f"{rtype} is not an address allocation")

    def module(self, name: str, body: dict[str, Any]) -> None:
        self.enter_block("module", name)
        source = _literal(body.get("source")) or ""
        address = f"module.{name}"
        scope = f"tf:{self.folder}:{address}"
        vpc_name = _literal(body.get("name")) or name
        if _aws_vpc_module(source, body):
            vpc = Labels("vpc", vpc_name, planned=True)
            for key in ("cidr", "secondary_cidr_blocks"):
                if key in body:
                    self.value(body[key], f"{address}.{key}", scope, vpc)
            for key in _AWS_SUBNET_INPUTS:
                if key in body:
                    self.value(body[key], f"{address}.{key}", scope,
                               Labels("subnet", f"{vpc_name} {key}", planned=True))
        elif _google_network_module(source, body):
            for i, subnet in enumerate(blocks(body.get("subnets"))):
                if "subnet_ip" in subnet:
                    self.value(subnet["subnet_ip"], f"{address}.subnets[{i}].subnet_ip", scope,
                               Labels("subnet", _literal(subnet.get("subnet_name")),
                                      planned=True))
            ranges = body.get("secondary_ranges")
            for subnet_name, entries in (ranges.items() if isinstance(ranges, dict) else []):
                for j, entry in enumerate(blocks(entries)):
                    # The module's own examples write ip_cidr_range; older callers ip_range.
                    key = "ip_cidr_range" if "ip_cidr_range" in entry else "ip_range"
                    if key in entry:
                        self.value(entry[key],
                                   f"{address}.secondary_ranges.{subnet_name}[{j}].{key}",
                                   scope, Labels("secondary-range",
                                                 _literal(entry.get("range_name")),
                                                 planned=True))
        else:
            self.references(body, address, f"input of module {source or name} (a module "
                                           "cidrkit does not know: not read as an allocation)")


def backend_of(tree: dict[str, Any]) -> str | None:
    """Where a configuration keeps its state (backend type and key, or cloud workspace)."""
    for block in blocks(tree.get("terraform")):
        for backend in blocks(block.get("backend")):
            for kind, body in backend.items():
                if isinstance(body, dict):
                    parts = [_literal(body.get(k)) for k in (
                        "bucket", "storage_account_name", "container_name", "key", "prefix",
                        "path", "workspace_key_prefix")]
                    where = "/".join(p for p in parts if p)
                    return f"{_unquote(kind)}:{where}" if where else _unquote(kind)
        for cloud in blocks(block.get("cloud")):
            organization = _literal(cloud.get("organization")) or ""
            for workspaces in blocks(cloud.get("workspaces")):
                name = _literal(workspaces.get("name"))
                if name:
                    return f"cloud:{organization}/{name}"
    return None


def _scope_from(tree: dict[str, Any], scope: Scope) -> None:
    for block in blocks(tree.get("locals")):
        scope.locals.update({k: v for k, v in block.items() if k != "__is_block__"})
    for block in blocks(tree.get("variable")):
        for name, body in block.items():
            if isinstance(body, dict) and "default" in body:
                scope.variables.setdefault(_unquote(name), body["default"])


def parse_hcl(text: str, source: str) -> dict[str, Any]:
    """The python-hcl2 tree of ``text``; InputError naming ``source`` if it is not HCL."""
    import hcl2
    from hcl2.utils import SerializationOptions

    try:
        tree = hcl2.loads(text, serialization_options=SerializationOptions(with_comments=False))
    except Exception as err:  # the parser raises lark's many exception types
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"{source}: not valid HCL: {first[:200]}") from None
    if not isinstance(tree, dict):
        raise InputError(f"{source}: not valid HCL")
    return tree


@lru_cache(maxsize=256)
def _sibling_scope(
    path: str, mtime_ns: int, size: int
) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """Locals, variable defaults and backend of another ``.tf`` file (cached per version)."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
        scope = Scope()
        if not any(word in text for word in ("locals", "variable", "backend", "cloud")):
            return {}, {}, None
        tree = parse_hcl(text, path)
    except (OSError, UnicodeDecodeError, InputError):
        return {}, {}, None
    _scope_from(tree, scope)
    return scope.locals, scope.variables, backend_of(tree)


def _folder_scope(file: str, tree: dict[str, Any]) -> Scope:
    """This file's locals and defaults, then those of the other ``.tf`` files beside it.

    Also notes the backends the folder's files declare: two different ones
    mean two projects were put in one folder.
    """
    scope = Scope()
    _scope_from(tree, scope)
    own = backend_of(tree)
    if own:
        scope.backends.add(own)
    folder = os.path.dirname(file) or "."
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
    for name in names:
        path = os.path.join(folder, name)
        if name.endswith(".tf") and os.path.normpath(path) != os.path.normpath(file):
            try:
                stat = os.stat(path)
            except OSError:
                continue
            local_values, defaults, backend = _sibling_scope(path, stat.st_mtime_ns, stat.st_size)
            if backend:
                scope.backends.add(backend)
            for key, value in local_values.items():
                scope.locals.setdefault(key, value)
            for key, value in defaults.items():
                scope.variables.setdefault(key, value)
    return scope


def read_tree(tree: dict[str, Any], text: str, sink: Sink) -> None:
    """Read the allocations of one parsed configuration file."""
    scope = _folder_scope(sink.file, tree)
    reader = _Reader(text, sink, scope)
    own = backend_of(tree)
    if own and len(scope.backends) > 1:
        # Two projects kept in one folder: this file's networks belong to its own state.
        reader.folder = f"{reader.folder}#{own}"
    for block in blocks(tree.get("resource")):
        vrfs = block.get('"netbox_vrf"') or block.get("netbox_vrf")
        for name, body in (vrfs.items() if isinstance(vrfs, dict) else []):
            vrf = _literal(body.get("name")) if isinstance(body, dict) else None
            if vrf:
                reader.vrfs[f"netbox_vrf.{_unquote(name)}"] = vrf
    for block in blocks(tree.get("resource")):
        for rtype, named in block.items():
            for name, body in (named.items() if isinstance(named, dict) else []):
                if isinstance(body, dict):
                    reader.resource(_unquote(rtype), _unquote(name), body)
    for block in blocks(tree.get("module")):
        for name, body in block.items():
            if isinstance(body, dict):
                reader.module(_unquote(name), body)


def read_hcl(text: str, sink: Sink) -> None:
    """Read the planned allocations of one ``.tf`` file."""
    read_tree(parse_hcl(text, sink.file), text, sink)
