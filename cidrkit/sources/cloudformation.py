"""CloudFormation templates (JSON, or YAML with the short tags): VPCs, subnets, VPC CIDR blocks.

Values are often intrinsics. Those whose inputs are literal in the template
are evaluated the way CloudFormation would: ``Ref`` to a parameter's
``Default``, ``Fn::FindInMap`` from ``Mappings``, ``Fn::Select`` over
``Fn::Cidr`` (RFC 4632 subnets of a literal block), ``Fn::GetAtt`` of a VPC's
``CidrBlock`` defined in the same template, ``Fn::Sub`` and ``Fn::Join`` of
resolvable parts. Anything else (``Fn::ImportValue``, ``Fn::If``, a parameter
without a default) is reported as unresolved at its place, never guessed.

A template is a plan, not live state: records are tagged planned. The scope
of a VPC is ``cfn:<file>:<logical id>``, so two stacks' templates in one
folder never share a routing domain; a subnet joins the VPC its ``VpcId``
refers to (a literal ``vpc-...`` is the live VPC).
"""

from __future__ import annotations

from typing import Any

from cidrkit.core import Prefix
from cidrkit.errors import CidrkitError
from cidrkit.sources.jsonloc import Located, child, iter_strings, looks_like_cidr
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink

#: Resource type -> (label kind, the properties holding its blocks).
ALLOCATING = {
    "AWS::EC2::VPC": ("vpc", ("CidrBlock",)),
    "AWS::EC2::Subnet": ("subnet", ("CidrBlock", "Ipv6CidrBlock")),
    "AWS::EC2::VPCCidrBlock": ("vpc", ("CidrBlock", "Ipv6CidrBlock")),
}
_UNRESOLVED = "unresolved expression: only values computable from the template can be read"
#: Fn::Cidr may ask for up to 256 subnets; more is not a real template.
_MAX_CIDR_COUNT = 256


class Unresolved(Exception):
    """An intrinsic whose value is only known when the stack is deployed."""


def _intrinsic(value: Any) -> tuple[str, Any] | None:
    """(name, argument) of ``{"Ref": x}``, ``{"Fn::X": ...}`` or the YAML tag ``{"!X": ...}``."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    key, arg = next(iter(value.items()))
    if key.startswith("!"):
        name = key[1:]
        if name == "GetAtt" and isinstance(arg, str):
            arg = arg.split(".", 1)
        return name, arg
    if key == "Ref" or key == "Condition":
        return key, arg
    if key.startswith("Fn::"):
        return key[4:], arg
    return None


class _Template:
    def __init__(self, template: dict[str, Any]) -> None:
        params, mappings = template.get("Parameters"), template.get("Mappings")
        self.parameters: dict[str, Any] = params if isinstance(params, dict) else {}
        self.mappings: dict[str, Any] = mappings if isinstance(mappings, dict) else {}
        resources = template.get("Resources")
        self.resources: dict[str, Any] = resources if isinstance(resources, dict) else {}
        self.depth = 0

    def text(self, value: Any) -> str:
        resolved = self.resolve(value)
        if isinstance(resolved, (str, int)) and not isinstance(resolved, bool):
            return str(resolved)
        raise Unresolved

    def resolve(self, value: Any) -> Any:
        """The value of ``value`` with its intrinsics evaluated, or raise Unresolved."""
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return value
        found = _intrinsic(value)
        if found is None:
            if isinstance(value, list):
                return [self.resolve(v) for v in value]
            raise Unresolved
        self.depth += 1
        try:
            if self.depth > 32:
                raise Unresolved
            return self._evaluate(*found)
        finally:
            self.depth -= 1

    def _evaluate(self, name: str, arg: Any) -> Any:
        if name == "Ref":
            param = self.parameters.get(arg) if isinstance(arg, str) else None
            if isinstance(param, dict) and "Default" in param:
                return self.resolve(param["Default"])
            raise Unresolved
        if name == "FindInMap" and isinstance(arg, list) and len(arg) >= 3:
            node: Any = self.mappings
            for key in arg[:3]:
                node = node.get(self.text(key)) if isinstance(node, dict) else None
            if node is None:
                raise Unresolved
            return self.resolve(node)
        if name == "Select" and isinstance(arg, list) and len(arg) == 2:
            index, items = int(self.text(arg[0])), self.resolve(arg[1])
            if isinstance(items, list) and 0 <= index < len(items):
                return items[index]
            raise Unresolved
        if name == "Cidr" and isinstance(arg, list) and len(arg) == 3:
            return self._cidr(self.text(arg[0]), self.text(arg[1]), self.text(arg[2]))
        if name == "GetAtt" and isinstance(arg, list) and len(arg) == 2 and arg[1] == "CidrBlock":
            resource = self.resources.get(arg[0]) if isinstance(arg[0], str) else None
            if isinstance(resource, dict) and resource.get("Type") == "AWS::EC2::VPC":
                props = resource.get("Properties")
                if isinstance(props, dict) and "CidrBlock" in props:
                    return self.resolve(props["CidrBlock"])
            raise Unresolved
        if name == "Sub" and isinstance(arg, str):
            return self._sub(arg)
        if name == "Join" and isinstance(arg, list) and len(arg) == 2:
            parts = self.resolve(arg[1])
            if isinstance(parts, list):
                return self.text(arg[0]).join(str(p) for p in parts)
        raise Unresolved

    def _sub(self, text: str) -> str:
        out, rest = [], text
        while "${" in rest:
            before, _, after = rest.partition("${")
            name, closed, rest = after.partition("}")
            if not closed or name.startswith("!"):
                raise Unresolved
            out += [before, self.text({"Ref": name})]
        return "".join(out) + rest

    @staticmethod
    def _cidr(block: str, count: str, host_bits: str) -> list[str]:
        """``Fn::Cidr``: the first ``count`` subnets with ``host_bits`` host bits each."""
        try:
            parent = Prefix.parse(block)
            n, bits = int(count), int(host_bits)
        except (CidrkitError, ValueError):
            raise Unresolved from None
        length = parent.bits - bits
        if not (parent.length <= length <= parent.bits) or not 1 <= n <= _MAX_CIDR_COUNT:
            raise Unresolved
        if n > parent.subnet_count(length):
            raise Unresolved
        return [str(parent.subnet(i, length)) for i in range(n)]


def read_template(doc: Located, sink: Sink) -> None:
    """Read a template: one JSON document, or every template document of a YAML file."""
    if isinstance(doc.value, list):
        for i, template in enumerate(doc.value):
            if isinstance(template, dict) and isinstance(template.get("Resources"), dict):
                _read_one(doc, sink, template, f"/{i}")
    elif isinstance(doc.value, dict):
        _read_one(doc, sink, doc.value, "")


def is_template(value: object) -> bool:
    """True for a CloudFormation template document."""
    return isinstance(value, dict) and (
        "AWSTemplateFormatVersion" in value or (
            isinstance(value.get("Resources"), dict)
            and any(isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
                    for r in value["Resources"].values())))


def _read_one(doc: Located, sink: Sink, template: dict[str, Any], base: str) -> None:
    context = _Template(template)
    for logical_id, resource in context.resources.items():
        pointer = f"{base}/Resources/{logical_id}"
        if not isinstance(resource, dict):
            continue
        rtype = str(resource.get("Type", ""))
        props = resource.get("Properties")
        if not isinstance(props, dict):
            continue
        props_ptr = child(pointer, "Properties")
        if rtype not in ALLOCATING:
            for ptr, text in iter_strings(props, props_ptr):
                if looks_like_cidr(text):
                    where = f"{logical_id}{ptr[len(props_ptr):]}".replace("/", ".")
                    sink.ignore(sink.origin(doc.line(ptr), ptr, where), text,
                                f"{rtype or 'resource'} is not an address allocation")
            continue
        kind, keys = ALLOCATING[rtype]
        name = _name_tag(context, props.get("Tags")) or logical_id
        labels = Labels(kind, name, planned=True, resource=logical_id)
        if rtype == "AWS::EC2::VPC":
            scope = f"cfn:{sink.file}:{logical_id}"
        else:
            scope = _vpc_scope(context, sink, props.get("VpcId"))
        for key in keys:
            if key not in props:
                continue
            ptr = child(props_ptr, key)
            origin = sink.origin(doc.line(ptr), ptr, f"{logical_id}.{key}")
            try:
                value = context.text(props[key])
            except (Unresolved, ValueError, RecursionError):
                sink.ignore(origin, _show(props[key]), _UNRESOLVED)
                continue
            sink.prefix(value, origin, scope, labels)


def _vpc_scope(context: _Template, sink: Sink, vpc_id: Any) -> str:
    found = _intrinsic(vpc_id)
    if found and found[0] == "Ref" and isinstance(found[1], str) \
            and found[1] in context.resources:
        return f"cfn:{sink.file}:{found[1]}"
    try:
        literal = context.text(vpc_id)
    except (Unresolved, ValueError):
        return f"cfn:{sink.file}:{_show(vpc_id)}"
    return f"aws:{literal}" if literal.startswith("vpc-") else f"cfn:{sink.file}:{literal}"


def _name_tag(context: _Template, tags: Any) -> str | None:
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, dict) and tag.get("Key") == "Name":
            try:
                return context.text(tag.get("Value"))
            except (Unresolved, ValueError):
                return None
    return None


def _show(value: Any) -> str:
    """An intrinsic as a short text for a finding (``!Ref VpcCidr``)."""
    found = _intrinsic(value)
    if found is None:
        text = str(value)
    elif isinstance(found[1], (str, int)):
        text = f"!{found[0]} {found[1]}"
    else:
        text = f"!{found[0]} {found[1]!r}"
    return text if len(text) <= 80 else text[:79] + "…"
