"""Terraform plans: ``terraform show -json PLANFILE``, and the ``terraform plan -json`` UI stream.

A saved plan's ``planned_values`` hold every resource as it will be after
apply. Resources that exist already keep their ids and are scoped like state
(``aws:<vpc-id>``). Resources still to be created have no ``id`` or
``vpc_id`` yet, which is exactly what a pre-merge audit must see: a new VPC is
scoped by its address in this plan (``tf:<file>:module.vpc.aws_vpc.this``)
and a new subnet joins the network its configuration refers to
(``configuration...expressions.vpc_id.references``). Scoping by the plan file
keeps two unrelated projects in one folder apart. An allocating attribute
whose value is known only after apply is reported, never dropped silently.

``terraform plan -json`` prints one JSON event per line and no attribute
values at all, so it is recognised and refused with what to run instead.
"""

from __future__ import annotations

import json
from typing import Any

from cidrkit.sources.jsonloc import Located, child, list_at
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink
from cidrkit.sources.terraform import attribute_path
from cidrkit.sources.tfresources import ALLOCATING

#: Resource type -> the attribute naming the network it lives in (for new resources).
NETWORK_LINK = {
    "aws_subnet": "vpc_id", "aws_default_subnet": "vpc_id",
    "aws_vpc_ipv4_cidr_block_association": "vpc_id",
    "aws_vpc_ipv6_cidr_block_association": "vpc_id",
    "azurerm_subnet": "virtual_network_name", "google_compute_subnetwork": "network",
}
#: Attributes a new resource lacks until apply, filled in to ask tfresources for its claims.
_PLACEHOLDERS = {"id": "planned", "vpc_id": "planned", "network": "planned",
                 "self_link": "planned"}
EVENT_STREAM = ("a `terraform plan -json` event stream, which carries no attribute values: "
                "save the plan (`terraform plan -out=PLANFILE`) and read "
                "`terraform show -json PLANFILE` instead")


def is_event_stream(text: str) -> bool:
    """True for the line-per-event output of ``terraform plan -json`` / ``apply -json``."""
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    try:
        event = json.loads(first)
    except ValueError:
        return False
    return isinstance(event, dict) and "@level" in event and "@message" in event


def _strip_index(address: str) -> str:
    """``module.vpc.aws_vpc.this[0]`` -> ``module.vpc.aws_vpc.this`` (every index)."""
    out, depth = [], 0
    for char in address:
        depth += char == "["
        if depth == 0:
            out.append(char)
        depth -= char == "]"
    return "".join(out)


def _module_path(address: str, rtype: str) -> str:
    """The module part of a resource address (``module.a.module.b``), empty at the root."""
    plain = _strip_index(address)
    cut = plain.rfind(f"{rtype}.")
    return plain[:cut].rstrip(".") if cut > 0 else ""


class _Plan:
    def __init__(self, doc: Located, sink: Sink) -> None:
        self.doc, self.sink = doc, sink
        config = doc.value.get("configuration")
        self.config = config.get("root_module") if isinstance(config, dict) else None
        self.unknown: dict[str, dict[str, Any]] = {}
        changes = doc.value.get("resource_changes")
        for change in changes if isinstance(changes, list) else []:
            if isinstance(change, dict) and isinstance(change.get("change"), dict):
                after_unknown = change["change"].get("after_unknown")
                if isinstance(after_unknown, dict):
                    self.unknown[str(change.get("address"))] = after_unknown

    def config_resource(self, module: str, rtype: str, name: str) -> dict[str, Any] | None:
        node = self.config
        for step in [s for s in module.split(".") if s and s != "module"]:
            calls = node.get("module_calls") if isinstance(node, dict) else None
            call = calls.get(step) if isinstance(calls, dict) else None
            node = call.get("module") if isinstance(call, dict) else None
        resources = node.get("resources") if isinstance(node, dict) else None
        for resource in resources if isinstance(resources, list) else []:
            if isinstance(resource, dict) and resource.get("address") == f"{rtype}.{name}":
                return resource
        return None

    def network_scope(self, module: str, rtype: str, name: str) -> str | None:
        """The planned scope of the network a new resource's configuration refers to."""
        link = NETWORK_LINK.get(rtype)
        resource = self.config_resource(module, rtype, name)
        expressions = resource.get("expressions") if resource else None
        expression = expressions.get(link) if isinstance(expressions, dict) and link else None
        refs = expression.get("references") if isinstance(expression, dict) else None
        for ref in refs if isinstance(refs, list) else []:
            parts = _strip_index(str(ref)).split(".")
            if len(parts) >= 2 and parts[0] not in ("var", "local", "data"):
                target = ".".join(parts[:2])
                return f"tf:{self.sink.file}:{module + '.' if module else ''}{target}"
        return None

    def walk(self, module: Any, pointer: str) -> None:
        if not isinstance(module, dict):
            return
        resources = list_at(self.doc, child(pointer, "resources"), module.get("resources"),
                            "resources")
        for i, resource in enumerate(resources):
            if isinstance(resource, dict):
                self.resource(resource, f"{pointer}/resources/{i}")
        children = list_at(self.doc, child(pointer, "child_modules"), module.get("child_modules"),
                           "modules")
        for j, sub in enumerate(children):
            self.walk(sub, f"{pointer}/child_modules/{j}")

    def resource(self, resource: dict[str, Any], pointer: str) -> None:
        rtype, address = str(resource.get("type", "")), str(resource.get("address", ""))
        values = resource.get("values")
        if resource.get("mode", "managed") != "managed" or rtype not in ALLOCATING \
                or not isinstance(values, dict):
            return
        module = _module_path(address, rtype)
        name = str(resource.get("name", ""))
        claims = ALLOCATING[rtype](values)
        planned_scope = None
        if not claims:
            placeholders = dict(_PLACEHOLDERS)
            if rtype == "azurerm_subnet":
                # Its VNet is read from its id, which a new subnet does not have yet.
                placeholders["id"] = "/planned/subnets/planned"
            claims = ALLOCATING[rtype]({**placeholders, **values})
            if rtype in NETWORK_LINK:
                planned_scope = self.network_scope(module, rtype, name)
            planned_scope = planned_scope or f"tf:{self.sink.file}:{_strip_index(address)}"
        base = child(pointer, "values")
        if not claims:
            self.sink.notice(self.sink.origin(self.doc.line(pointer), pointer, address), rtype,
                             "planned network resource not read: its attributes do not say "
                             "which network it belongs to")
            return
        unknown = self.unknown.get(address, {})
        for claim in claims:
            value: Any = values
            for step in claim.path:
                value = (value[step] if isinstance(value, list) and isinstance(step, int)
                         and step < len(value) else value.get(step)
                         if isinstance(value, dict) and isinstance(step, str) else None)
            attr = attribute_path(claim.path)
            ptr = base + "".join(f"/{step}" for step in claim.path)
            # A value still unknown has no place of its own: cite its resource's.
            line = self.doc.line(ptr) or self.doc.line(pointer)
            origin = self.sink.origin(line, ptr, f"{address}.{attr}")
            if value is None or value == "":
                if unknown.get(str(claim.path[0])) is True:
                    self.sink.ignore(origin, "(known after apply)",
                                     "planned value known only after apply: not auditable "
                                     "before the apply")
                continue
            labels = claim.labels
            labels = Labels(labels.kind, labels.name, labels.account, labels.region,
                            None if planned_scope else labels.resource, True, labels.default,
                            labels.note)
            scope = claim.scope if planned_scope is None else planned_scope
            if planned_scope is not None and rtype in NETWORK_LINK:
                scope = planned_scope
            self.sink.prefix(value, origin, scope, labels)


def read_plan(doc: Located, sink: Sink) -> None:
    """Read ``terraform show -json PLANFILE``: every planned network and subnet, tagged planned."""
    planned = doc.value.get("planned_values")
    if not isinstance(planned, dict):
        return
    _Plan(doc, sink).walk(planned.get("root_module"), "/planned_values/root_module")
