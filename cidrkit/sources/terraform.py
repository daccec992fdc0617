"""Terraform state: raw ``terraform.tfstate`` (v4), ``terraform show -json`` and plan JSON.

Locators are the resource address plus the attribute path
(``module.vpc.aws_subnet.private["us-west-2a"].cidr_block``) and, for the
pretty-printed raw state, the line and JSON Pointer. ``data`` sources are
lookups of something that exists elsewhere and deposed instances are on their
way out: both are reported as ignored, never as allocations.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

from cidrkit.sources.jsonloc import Located, child, iter_strings, list_at, looks_like_cidr
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink
from cidrkit.sources.tfresources import ALLOCATING, NETWORK_TYPES, Claim, network_scope


def attribute_path(path: tuple[str | int, ...]) -> str:
    """Terraform's spelling of an attribute path: ``subnet[0].address_prefixes[1]``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def pointer_to_attribute(pointer: str) -> str:
    """Turn a relative JSON Pointer (``/ingress/0/cidr_blocks``) into ``ingress[0].cidr_blocks``."""
    steps: list[str | int] = [
        int(t) if t.isdigit() else t.replace("~1", "/").replace("~0", "~")
        for t in pointer.strip("/").split("/") if t
    ]
    return attribute_path(tuple(steps))


def resource_address(module: str | None, mode: str, rtype: str, name: str, key: Any) -> str:
    """Build ``module.a.data.type.name["key"]`` the way Terraform prints it."""
    parts = [module] if module else []
    if mode == "data":
        parts.append("data")
    parts += [rtype, name]
    address = ".".join(parts)
    if isinstance(key, bool) or key is None:
        return address
    return f"{address}[{key}]" if isinstance(key, int) else f"{address}[{json.dumps(key)}]"


def _lookup(attrs: Any, path: tuple[str | int, ...]) -> Any:
    node = attrs
    for step in path:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
        else:
            node = node.get(step) if isinstance(node, dict) else None
    return node


def _emit_resource(
    sink: Sink,
    doc: Located,
    base: str,
    address: str,
    rtype: str,
    attrs: Any,
    *,
    mode: str,
    deposed: bool,
    planned: bool,
) -> None:
    """Record the allocations of one resource instance, or report why not."""
    if not isinstance(attrs, dict):
        return
    if mode == "data" or deposed or rtype not in ALLOCATING:
        reason = (
            "Terraform data source (a lookup of a resource defined elsewhere)" if mode == "data"
            else "deposed instance (an old object awaiting destroy)" if deposed
            else f"{rtype} is not an address allocation"
        )
        for pointer, text in iter_strings(attrs, base):
            if looks_like_cidr(text):
                attr = pointer_to_attribute(pointer[len(base) :])
                sink.ignore(sink.origin(doc.line(pointer), pointer, f"{address}.{attr}"),
                            text, reason)
        return
    claims: list[Claim] = ALLOCATING[rtype](attrs)
    for claim in claims:
        value = _lookup(attrs, claim.path)
        if value is None or value == "":
            continue  # e.g. ipv6_cidr_block is "" on an IPv4-only VPC
        pointer = base + "".join(f"/{step}" for step in claim.path)
        origin = sink.origin(doc.line(pointer), pointer, f"{address}.{attribute_path(claim.path)}")
        labels = claim.labels
        if planned:
            labels = Labels(labels.kind, labels.name, labels.account, labels.region,
                            labels.resource, True, labels.default, labels.note)
        sink.prefix(value, origin, claim.scope, labels)
    if rtype in NETWORK_TYPES:
        _alias(sink, address, rtype, attrs)


def _alias(sink: Sink, address: str, rtype: str, attrs: dict[str, Any]) -> None:
    """Let planned HCL in the same folder resolve to the scope this state shows."""
    scope = network_scope(rtype, attrs)
    if scope is None:
        return
    folder = posixpath.dirname(sink.file.replace("\\", "/")) or "."
    plain = address.split("[", 1)[0]
    aliases = sink.inventory.aliases
    aliases.setdefault(f"tf:{folder}:{plain}", scope)
    if plain.startswith("module."):
        module = ".".join(plain.split(".")[:2])
        aliases.setdefault(f"tf:{folder}:{module}", scope)


def read_state(doc: Located, sink: Sink) -> None:
    """Read a raw state file (format version 4)."""
    for r, resource in enumerate(list_at(doc, "/resources", doc.value.get("resources"),
                                         "resources")):
        if not isinstance(resource, dict):
            sink.expected(sink.origin(doc.line(f"/resources/{r}"), f"/resources/{r}"), resource,
                          "a resource object")
            continue
        mode = resource.get("mode", "managed")
        rtype, name = str(resource.get("type", "")), str(resource.get("name", ""))
        instances = list_at(doc, f"/resources/{r}/instances", resource.get("instances"),
                            "instances")
        for k, instance in enumerate(instances):
            if not isinstance(instance, dict):
                continue
            address = resource_address(resource.get("module"), mode, rtype, name,
                                       instance.get("index_key"))
            base = f"/resources/{r}/instances/{k}/attributes"
            _emit_resource(sink, doc, base, address, rtype, instance.get("attributes"),
                           mode=mode, deposed="deposed" in instance, planned=False)


def _walk_module(sink: Sink, doc: Located, module: Any, pointer: str, planned: bool) -> None:
    if not isinstance(module, dict):
        return
    for i, resource in enumerate(list_at(doc, f"{pointer}/resources", module.get("resources"),
                                         "resources")):
        if not isinstance(resource, dict):
            continue
        base = child(f"{pointer}/resources/{i}", "values")
        _emit_resource(sink, doc, base, str(resource.get("address", "")),
                       str(resource.get("type", "")), resource.get("values"),
                       mode=resource.get("mode", "managed"),
                       deposed="deposed_key" in resource, planned=planned)
    for j, sub in enumerate(list_at(doc, f"{pointer}/child_modules", module.get("child_modules"),
                                    "modules")):
        _walk_module(sink, doc, sub, f"{pointer}/child_modules/{j}", planned)


def read_show(doc: Located, sink: Sink) -> None:
    """Read ``terraform show -json`` of a state (plans: :mod:`cidrkit.sources.tfplan`)."""
    values = doc.value.get("values")
    _walk_module(sink, doc, values.get("root_module") if isinstance(values, dict) else None,
                 "/values/root_module", False)
