"""Azure VNets: ``az network vnet list``/``show``, and the REST/SDK shape ``az rest`` returns.

The scope is the VNet resource id. A subnet has either ``addressPrefix`` or
``addressPrefixes``; both are read. A peering's ``remoteAddressSpace`` repeats
the *other* VNet's space, so it is a reference, reported as ignored.

The CLI flattens each resource's ``properties`` away; the REST API
(``{"value": [...], "nextLink": ...}``), the SDKs and ARM keep them, so every
resource is read through its ``properties`` object when it has one.
"""

from __future__ import annotations

from typing import Any

from cidrkit.sources.jsonloc import Located, child, list_at
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink
from cidrkit.sources.tfresources import azure_scope

_PEER_SPACES = ("remoteAddressSpace", "remoteVirtualNetworkAddressSpace")


def _subscription(resource_id: str) -> str | None:
    parts = resource_id.split("/")
    return parts[2] if len(parts) > 2 and parts[1].lower() == "subscriptions" else None


def _prefixes(
    sink: Sink, doc: Located, holder: Any, pointer: str, scope: str, labels: Labels
) -> None:
    if not isinstance(holder, dict):
        return
    if holder.get("addressPrefix"):
        ptr = child(pointer, "addressPrefix")
        sink.prefix(holder["addressPrefix"], sink.origin(doc.line(ptr), ptr), scope, labels)
    prefixes_ptr = child(pointer, "addressPrefixes")
    for i, value in enumerate(list_at(doc, prefixes_ptr, holder.get("addressPrefixes"),
                                      "address prefixes")):
        ptr = f"{pointer}/addressPrefixes/{i}"
        sink.prefix(value, sink.origin(doc.line(ptr), ptr), scope, labels)


def _properties(resource: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str]:
    """The object holding a resource's data, and its pointer: ``properties`` in the REST shape."""
    props = resource.get("properties")
    if isinstance(props, dict) and not any(k in resource for k in ("addressSpace", "subnets",
                                                                    "addressPrefix")):
        return props, child(pointer, "properties")
    return resource, pointer


def read_vnets(doc: Located, sink: Sink) -> None:
    """Read a list of VNets (or a single VNet object), CLI or REST shape."""
    single = not isinstance(doc.value, list)
    vnets = [doc.value] if single else doc.value
    for index, vnet in enumerate(vnets):
        pointer = "" if single else f"/{index}"
        if not isinstance(vnet, dict):
            sink.expected(sink.origin(doc.line(pointer), pointer), vnet, "a VNet object")
            continue
        vnet_id = str(vnet.get("id") or f"{sink.file}#{pointer}")
        scope = azure_scope(vnet_id)
        account, region = _subscription(vnet_id), vnet.get("location")
        labels = Labels("vnet", vnet.get("name"), account, region, vnet_id)
        props, props_ptr = _properties(vnet, pointer)
        _prefixes(sink, doc, props.get("addressSpace"), child(props_ptr, "addressSpace"), scope,
                  labels)
        subnets_ptr = child(props_ptr, "subnets")
        for j, subnet in enumerate(list_at(doc, subnets_ptr, props.get("subnets"), "subnets")):
            if isinstance(subnet, dict):
                sub = Labels("subnet", subnet.get("name"), account, region, subnet.get("id"))
                sub_props, sub_ptr = _properties(subnet, f"{subnets_ptr}/{j}")
                _prefixes(sink, doc, sub_props, sub_ptr, scope, sub)
        peerings_ptr = child(props_ptr, "virtualNetworkPeerings")
        for j, peering in enumerate(list_at(doc, peerings_ptr, props.get("virtualNetworkPeerings"),
                                            "peerings")):
            if not isinstance(peering, dict):
                continue
            peer, peer_ptr = _properties(peering, f"{peerings_ptr}/{j}")
            for key in _PEER_SPACES:
                space = peer.get(key)
                prefixes = space.get("addressPrefixes") if isinstance(space, dict) else None
                for k, value in enumerate(prefixes if isinstance(prefixes, list) else []):
                    ptr = f"{peer_ptr}/{key}/addressPrefixes/{k}"
                    sink.ignore(sink.origin(doc.line(ptr), ptr), str(value),
                                "peering: the remote VNet's address space (a reference)")
