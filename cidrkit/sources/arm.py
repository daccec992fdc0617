"""Azure Resource Manager templates (and Bicep, translated to the same shape): VNets and subnets.

``resources[]`` of type ``Microsoft.Network/virtualNetworks`` hold
``properties.addressSpace.addressPrefixes[]`` and inline subnets
(``properties.subnets[].properties.addressPrefix(es)``); subnets may also be
resources of their own, ``Microsoft.Network/virtualNetworks/subnets`` named
``vnet/subnet``, or nested under the VNet's ``resources``. Values may be
expressions: ``[parameters('p')]`` (the parameter's ``defaultValue``) and
``[variables('v')]``, with property and index access, are evaluated; any
other expression is reported as unresolved at its place.

A template is a plan: records are tagged planned. The scope is the VNet by
name within the file (``arm:<file>:<vnet>``).
"""

from __future__ import annotations

import re
from typing import Any

from cidrkit.core import Prefix
from cidrkit.errors import CidrkitError
from cidrkit.sources.jsonloc import Located, child, iter_strings, list_at, looks_like_cidr
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink

VNET = "microsoft.network/virtualnetworks"
SUBNET = "microsoft.network/virtualnetworks/subnets"
_REFERENCE = re.compile(
    r"^\[\s*(parameters|variables)\(\s*'([^']+)'\s*\)((?:\.[A-Za-z_]\w*|\[\d+\])*)\s*\]$")
_CIDR_SUBNET = re.compile(r"^\[\s*cidrSubnet\((.+),\s*(\d+)\s*,\s*(\d+)\s*\)\s*\]$")
_ACCESS = re.compile(r"\.([A-Za-z_]\w*)|\[(\d+)\]")
_UNRESOLVED = "unresolved expression: only values computable from the template can be read"


class _Context:
    def __init__(self, template: dict[str, Any]) -> None:
        params = template.get("parameters")
        variables = template.get("variables")
        self.parameters = params if isinstance(params, dict) else {}
        self.variables = variables if isinstance(variables, dict) else {}

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """The value of ``value`` with references evaluated; None when it cannot be known."""
        if not isinstance(value, str) or not value.startswith("["):
            return value
        if value.startswith("[["):
            return value[1:]  # an escaped literal bracket
        if value.startswith("[concat(") and value.endswith(")]") and depth <= 16:
            parts = [self.resolve(_argument(a), depth + 1) for a in _split_args(value[8:-2])]
            return "".join(parts) if all(isinstance(p, str) for p in parts) else None
        subnet = _CIDR_SUBNET.match(value)
        if subnet and depth <= 16:
            return _cidr_subnet(self.resolve(f"[{subnet.group(1).strip()}]", depth + 1),
                                int(subnet.group(2)), int(subnet.group(3)))
        match = _REFERENCE.match(value)
        if match is None or depth > 16:
            return None
        kind, name, access = match.groups()
        if kind == "parameters":
            param = self.parameters.get(name)
            node = param.get("defaultValue") if isinstance(param, dict) else None
        else:
            node = self.variables.get(name)
        node = self.resolve(node, depth + 1)
        for prop, index in _ACCESS.findall(access):
            if prop and isinstance(node, dict):
                node = self.resolve(node.get(prop), depth + 1)
            elif index and isinstance(node, list) and int(index) < len(node):
                node = self.resolve(node[int(index)], depth + 1)
            else:
                return None
        return node


def _split_args(text: str) -> list[str]:
    """The comma-separated arguments of a call, commas inside parentheses or quotes kept."""
    args, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "([":
            depth += 1
        elif not quoted and char in ")]":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            args.append(text[start:i].strip())
            start = i + 1
    args.append(text[start:].strip())
    return args


def _argument(text: str) -> str:
    """One argument as a value ``resolve`` understands: a quoted literal, or an expression."""
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return f"[{text}]"


def _cidr_subnet(block: Any, length: int, index: int) -> str | None:
    """ARM's and Bicep's ``cidrSubnet(block, newLength, index)``, when the block is known."""
    if not isinstance(block, str):
        return None
    try:
        parent = Prefix.parse(block)
        if parent.length <= length <= parent.bits and 0 <= index < parent.subnet_count(length):
            return str(parent.subnet(index, length))
    except CidrkitError:
        pass
    return None


def read_template(doc: Located, sink: Sink) -> None:
    """Read an ARM template (``resources[]``, nested ``resources`` included)."""
    context = _Context(doc.value)
    resources = list_at(doc, "/resources", doc.value.get("resources"), "resources")
    _resources(doc, sink, context, resources, "/resources", None)


def _name(context: _Context, value: Any) -> str:
    resolved = context.resolve(value)
    return resolved if isinstance(resolved, str) else str(value)


def _resources(doc: Located, sink: Sink, context: _Context, resources: list[Any], pointer: str,
               parent: str | None) -> None:
    for index, resource in enumerate(resources):
        here = f"{pointer}/{index}"
        if not isinstance(resource, dict):
            continue
        rtype = str(resource.get("type", "")).lower()
        name = _name(context, resource.get("name"))
        found = resource.get("properties")
        props: dict[str, Any] = found if isinstance(found, dict) else {}
        props_ptr = child(here, "properties")
        if rtype == VNET:
            scope = f"arm:{sink.file}:{name.lower()}"
            labels = Labels("vnet", name, planned=True)
            space = props.get("addressSpace")
            space_ptr = child(props_ptr, "addressSpace")
            prefixes = space.get("addressPrefixes") if isinstance(space, dict) else None
            for i, value in enumerate(list_at(doc, f"{space_ptr}/addressPrefixes", prefixes,
                                              "address prefixes")):
                _value(doc, sink, context, value, f"{space_ptr}/addressPrefixes/{i}", scope,
                       labels)
            subnets_ptr = child(props_ptr, "subnets")
            for i, subnet in enumerate(list_at(doc, subnets_ptr, props.get("subnets"), "subnets")):
                if isinstance(subnet, dict):
                    sub_props = subnet.get("properties")
                    _subnet(doc, sink, context, sub_props,
                            child(f"{subnets_ptr}/{i}", "properties"), scope,
                            _name(context, subnet.get("name")))
            parent_name = name
        elif rtype == SUBNET or (rtype == "subnets" and parent is not None):
            vnet, _, subnet_name = name.rpartition("/")
            vnet = vnet or parent or name
            _subnet(doc, sink, context, props, props_ptr, f"arm:{sink.file}:{vnet.lower()}",
                    subnet_name or name)
            parent_name = None
        else:
            for ptr, text in iter_strings(props, props_ptr):
                if looks_like_cidr(text):
                    what = resource.get("type") or "resource"
                    sink.ignore(sink.origin(doc.line(ptr), ptr), text,
                                f"{what} is not an address allocation")
            parent_name = None
        nested = resource.get("resources")
        if isinstance(nested, list):
            _resources(doc, sink, context, nested, child(here, "resources"), parent_name)


def _subnet(doc: Located, sink: Sink, context: _Context, props: Any, pointer: str, scope: str,
            name: str) -> None:
    if not isinstance(props, dict):
        return
    labels = Labels("subnet", name, planned=True)
    if "addressPrefix" in props:
        _value(doc, sink, context, props["addressPrefix"], child(pointer, "addressPrefix"), scope,
               labels)
    many_ptr = child(pointer, "addressPrefixes")
    for i, value in enumerate(list_at(doc, many_ptr, props.get("addressPrefixes"), "prefixes")):
        _value(doc, sink, context, value, f"{many_ptr}/{i}", scope, labels)


def _value(doc: Located, sink: Sink, context: _Context, value: Any, pointer: str, scope: str,
           labels: Labels) -> None:
    origin = sink.origin(doc.line(pointer), pointer)
    resolved = context.resolve(value)
    if isinstance(resolved, list):
        for item in resolved:
            _value(doc, sink, context, item, pointer, scope, labels)
        return
    if not isinstance(resolved, str):
        sink.ignore(origin, str(value), _UNRESOLVED)
        return
    sink.prefix(resolved, origin, scope, labels)
