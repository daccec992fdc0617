"""GCP: ``gcloud compute networks subnets list --format=json``, ``networks list``, and REST.

gcloud prints a JSON array; the Compute REST API wraps the same objects in
``{"kind": "compute#subnetworkList", "items": [...]}``, in an
``aggregatedList`` keyed by region (``items/regions~1us-central1/subnetworks``),
or returns a single object from ``get``. All of them are read.

The scope is the network (its self-link from ``projects/`` on). Primary and
secondary ranges and the IPv6 prefixes are allocations; ``ipv6CidrRange``
repeats the active IPv6 prefix and merges with it. The system-reserved IPv6
ranges sit inside the subnet's own range, so they are not reported at all.
"""

from __future__ import annotations

from typing import Any

from cidrkit.sources.jsonloc import Located, child, list_at, pointer_token
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink
from cidrkit.sources.tfresources import gcp_project, gcp_scope

_IPV6_KEYS = ("externalIpv6Prefix", "internalIpv6Prefix", "ipv6CidrRange")


def _last(link: Any) -> str | None:
    return link.rstrip("/").rsplit("/", 1)[-1] if isinstance(link, str) and link else None


def entries(doc: Located, collection: str) -> list[tuple[str, Any]]:
    """(pointer, object) of every resource in any of the shapes, ``collection`` as in REST.

    ``collection`` is the key of an aggregated list's region entries
    (``subnetworks``); regions holding only a ``warning`` have none.
    """
    value = doc.value
    if isinstance(value, list):
        return [(f"/{i}", v) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return []
    items = value.get("items")
    if isinstance(items, dict):
        found: list[tuple[str, Any]] = []
        for region, holder in items.items():
            if isinstance(holder, dict):
                base = f"/items/{pointer_token(region)}/{collection}"
                found += [(f"{base}/{i}", v) for i, v in enumerate(
                    list_at(doc, base, holder.get(collection), collection))]
        return found
    if "items" in value or str(value.get("kind", "")).endswith("List"):
        return [(f"/items/{i}", v) for i, v in enumerate(list_at(doc, "/items", items, collection))]
    return [("", value)]


def read_subnetworks(doc: Located, sink: Sink) -> None:
    """Read ``compute#subnetwork`` resources (array, REST list, aggregated list or one)."""
    for pointer, subnet in entries(doc, "subnetworks"):
        if not isinstance(subnet, dict):
            sink.expected(sink.origin(doc.line(pointer), pointer), subnet, "a subnetwork object")
            continue
        network = str(subnet.get("network") or f"{sink.file}#{pointer}")
        scope = gcp_scope(network)
        project = gcp_project(subnet.get("selfLink")) or gcp_project(network)
        region = _last(subnet.get("region"))
        labels = Labels("subnet", subnet.get("name"), project, region, subnet.get("selfLink"))
        for key in ("ipCidrRange", *_IPV6_KEYS):
            if subnet.get(key):
                ptr = child(pointer, key)
                sink.prefix(subnet[key], sink.origin(doc.line(ptr), ptr), scope, labels)
        seconds_ptr = child(pointer, "secondaryIpRanges")
        for j, second in enumerate(list_at(doc, seconds_ptr, subnet.get("secondaryIpRanges"),
                                           "secondary ranges")):
            if isinstance(second, dict) and "ipCidrRange" in second:
                ptr = f"{pointer}/secondaryIpRanges/{j}/ipCidrRange"
                sec = Labels("secondary-range", second.get("rangeName"), project, region,
                             subnet.get("selfLink"))
                sink.prefix(second["ipCidrRange"], sink.origin(doc.line(ptr), ptr), scope, sec)


def read_networks(doc: Located, sink: Sink) -> None:
    """Read ``compute#network`` resources (legacy range, ULA /48) in any of the shapes."""
    for pointer, network in entries(doc, "networks"):
        if not isinstance(network, dict):
            sink.expected(sink.origin(doc.line(pointer), pointer), network, "a network object")
            continue
        link = str(network.get("selfLink") or f"{sink.file}#{pointer}")
        labels = Labels("network", network.get("name"), gcp_project(link), None, link)
        for key in ("IPv4Range", "internalIpv6Range"):
            if network.get(key):
                ptr = f"{pointer}/{key}"
                sink.prefix(network[key], sink.origin(doc.line(ptr), ptr), gcp_scope(link),
                            labels)
