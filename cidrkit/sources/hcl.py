"""Terraform configuration (``.tf``): literal CIDRs of planned networks, via a real HCL parser.

Values read here are *planned*: the configuration may disagree with what is
deployed. A resource's scope is the network it references
(``vpc_id = aws_vpc.main.id`` -> ``tf:<folder>:aws_vpc.main``); when a state
file in the same folder shows that network, the reader maps the planned scope
onto the live one so the two never collide with themselves. Non-literal values
(``cidrsubnet(var.x, 4, 1)``) are reported as unresolved, never guessed.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from cidrkit.errors import InputError
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink

_NETWORK_REF = re.compile(
    r"^\$\{((?:aws_vpc|aws_default_vpc|azurerm_virtual_network|google_compute_network)"
    r"\.[\w-]+|module\.[\w-]+)(?:\[[^\]]*\])?\.[\w-]+\}$"
)
_AWS_VPC_MODULES = ("terraform-aws-modules/vpc/aws",)
_AWS_SUBNET_INPUTS = ("public_subnets", "private_subnets", "database_subnets",
                      "elasticache_subnets", "redshift_subnets", "intra_subnets",
                      "outpost_subnets")
_NETWORK_TYPES = {"aws_vpc": "vpc", "aws_default_vpc": "vpc", "azurerm_virtual_network": "vnet",
                  "google_compute_network": "network"}
_COMMENT = re.compile(r'#[^\n]*|//[^\n]*|/\*.*?\*/|"(?:[^"\\]|\\.)*"', re.S)


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


class _Reader:
    def __init__(self, text: str, sink: Sink) -> None:
        self.sink = sink
        self.code = _blank_comments(text)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.code)]
        self.folder = posixpath.dirname(sink.file.replace("\\", "/")) or "."
        self.cursor = 0

    def line_at(self, offset: int) -> int:
        import bisect
        return bisect.bisect_right(self.line_starts, offset)

    def seek_block(self, keyword: str, *labels: str) -> None:
        pattern = keyword + "".join(rf'\s+"{re.escape(label)}"' for label in labels) + r"\s*\{"
        match = re.search(pattern, self.code)
        self.cursor = match.start() if match else 0

    def find(self, literal: str) -> int | None:
        at = self.code.find(f'"{literal}"', self.cursor)
        if at < 0:
            return None
        self.cursor = at + len(literal) + 2
        return self.line_at(at)

    def scope_of(self, reference: Any) -> str:
        text = _literal(reference)
        if text is not None:
            return f"aws:{text}" if text.startswith("vpc-") else f"tf:{self.folder}:{text}"
        match = _NETWORK_REF.match(str(reference))
        return f"tf:{self.folder}:{match.group(1) if match else reference}"

    def value(self, value: Any, address: str, scope: str, labels: Labels) -> None:
        """Record one attribute value, a list of them, or report it unresolved."""
        if isinstance(value, list):
            for i, item in enumerate(value):
                self.value(item, f"{address}[{i}]", scope, labels)
            return
        text = _literal(value)
        if text is None:
            attr = address.rsplit(".", 1)[-1].split("[", 1)[0]
            found = re.compile(rf"\b{re.escape(attr)}\s*=").search(self.code, self.cursor)
            line = self.line_at(found.start() if found else self.cursor)
            self.sink.ignore(self.sink.origin(line, address=address), str(value),
                             "unresolved expression: only literal CIDRs can be read "
                             "without running Terraform")
            return
        if text == "":
            return
        origin = self.sink.origin(self.find(text), address=address)
        self.sink.prefix(text, origin, scope, labels)

    def references(self, body: Any, address: str, reason: str) -> None:
        """Report literal CIDRs in a non-allocating block as ignored."""
        from cidrkit.sources.jsonloc import iter_strings, looks_like_cidr
        from cidrkit.sources.terraform import pointer_to_attribute

        for pointer, raw in iter_strings(body, ""):
            text = _literal(raw)
            if text is not None and looks_like_cidr(text):
                attr = pointer_to_attribute(pointer)
                origin = self.sink.origin(self.find(text), address=f"{address}.{attr}")
                self.sink.ignore(origin, text, reason)

    def resource(self, rtype: str, name: str, body: dict[str, Any]) -> None:
        self.seek_block("resource", rtype, name)
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
            for i, subnet in enumerate(body.get("subnet") or []):
                if isinstance(subnet, dict):
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
            for i, second in enumerate(body.get("secondary_ip_range") or []):
                if isinstance(second, dict):
                    range_name = _literal(second.get("range_name"))
                    sec = Labels("secondary-range", range_name, planned=True)
                    self.value(second.get("ip_cidr_range"),
                               f"{address}.secondary_ip_range[{i}].ip_cidr_range", scope, sec)
        else:
            self.references(body, address, f"{rtype} is not an address allocation")

    def module(self, name: str, body: dict[str, Any]) -> None:
        self.seek_block("module", name)
        source = _literal(body.get("source")) or ""
        address = f"module.{name}"
        scope = f"tf:{self.folder}:{address}"
        vpc_name = _literal(body.get("name")) or name
        if any(source.startswith(s) for s in _AWS_VPC_MODULES):
            vpc = Labels("vpc", vpc_name, planned=True)
            for key in ("cidr", "secondary_cidr_blocks"):
                if key in body:
                    self.value(body[key], f"{address}.{key}", scope, vpc)
            for key in _AWS_SUBNET_INPUTS:
                if key in body:
                    self.value(body[key], f"{address}.{key}", scope,
                               Labels("subnet", f"{vpc_name} {key}", planned=True))
        elif source.startswith("terraform-google-modules/network"):
            for i, subnet in enumerate(body.get("subnets") or []):
                if isinstance(subnet, dict) and "subnet_ip" in subnet:
                    self.value(subnet["subnet_ip"], f"{address}.subnets[{i}].subnet_ip", scope,
                               Labels("subnet", _literal(subnet.get("subnet_name")),
                                      planned=True))
            ranges = body.get("secondary_ranges")
            for subnet_name, entries in (ranges.items() if isinstance(ranges, dict) else []):
                for j, entry in enumerate(entries if isinstance(entries, list) else []):
                    if isinstance(entry, dict) and "ip_range" in entry:
                        self.value(entry["ip_range"],
                                   f"{address}.secondary_ranges.{subnet_name}[{j}].ip_range",
                                   scope, Labels("secondary-range",
                                                 _literal(entry.get("range_name")),
                                                 planned=True))


def read_hcl(text: str, sink: Sink) -> None:
    """Read the literal allocations of one ``.tf`` file."""
    import hcl2
    from hcl2.utils import SerializationOptions

    try:
        tree = hcl2.loads(text, serialization_options=SerializationOptions(with_comments=False))
    except Exception as err:  # the parser raises lark's many exception types
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"{sink.file}: not valid HCL: {first}") from None
    reader = _Reader(text, sink)
    for block in tree.get("resource") or []:
        for rtype, named in block.items():
            for name, body in named.items():
                if isinstance(body, dict):
                    reader.resource(_unquote(rtype), _unquote(name), body)
    for block in tree.get("module") or []:
        for name, body in block.items():
            if isinstance(body, dict):
                reader.module(_unquote(name), body)
