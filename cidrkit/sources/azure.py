"""Azure CLI ``az network vnet list -o json`` (also ``vnet show``, one object).

The scope is the VNet resource id. A subnet has either ``addressPrefix`` or
``addressPrefixes``; both are read. A peering's ``remoteAddressSpace`` repeats
the *other* VNet's space, so it is a reference, reported as ignored.
"""

from __future__ import annotations

from typing import Any

from cidrkit.sources.jsonloc import Located, child
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
    for i, value in enumerate(holder.get("addressPrefixes") or []):
        ptr = f"{pointer}/addressPrefixes/{i}"
        sink.prefix(value, sink.origin(doc.line(ptr), ptr), scope, labels)


def read_vnets(doc: Located, sink: Sink) -> None:
    """Read a list of VNets (or a single VNet object)."""
    vnets = doc.value if isinstance(doc.value, list) else [doc.value]
    single = not isinstance(doc.value, list)
    for index, vnet in enumerate(vnets):
        if not isinstance(vnet, dict):
            continue
        pointer = "" if single else f"/{index}"
        vnet_id = str(vnet.get("id") or f"{sink.file}#{pointer}")
        scope = azure_scope(vnet_id)
        account, region = _subscription(vnet_id), vnet.get("location")
        labels = Labels("vnet", vnet.get("name"), account, region, vnet_id)
        _prefixes(sink, doc, vnet.get("addressSpace"), child(pointer, "addressSpace"), scope,
                  labels)
        for j, subnet in enumerate(vnet.get("subnets") or []):
            if isinstance(subnet, dict):
                sub = Labels("subnet", subnet.get("name"), account, region, subnet.get("id"))
                _prefixes(sink, doc, subnet, f"{pointer}/subnets/{j}", scope, sub)
        for j, peering in enumerate(vnet.get("virtualNetworkPeerings") or []):
            if not isinstance(peering, dict):
                continue
            for key in _PEER_SPACES:
                space = peering.get(key)
                prefixes = space.get("addressPrefixes") if isinstance(space, dict) else None
                for k, value in enumerate(prefixes or []):
                    ptr = f"{pointer}/virtualNetworkPeerings/{j}/{key}/addressPrefixes/{k}"
                    sink.ignore(sink.origin(doc.line(ptr), ptr), str(value),
                                "peering: the remote VNet's address space (a reference)")
