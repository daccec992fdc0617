"""GCP: ``gcloud compute networks subnets list --format=json`` and ``networks list``.

The scope is the network (its self-link from ``projects/`` on). Primary and
secondary ranges and the IPv6 prefixes are allocations; ``ipv6CidrRange``
repeats the active IPv6 prefix and merges with it. The system-reserved IPv6
ranges sit inside the subnet's own range, so they are not reported at all.
"""

from __future__ import annotations

from typing import Any

from cidrkit.sources.jsonloc import Located, child
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink
from cidrkit.sources.tfresources import gcp_project, gcp_scope

_IPV6_KEYS = ("externalIpv6Prefix", "internalIpv6Prefix", "ipv6CidrRange")


def _last(link: Any) -> str | None:
    return link.rstrip("/").rsplit("/", 1)[-1] if isinstance(link, str) and link else None


def read_subnetworks(doc: Located, sink: Sink) -> None:
    """Read a JSON array of ``compute#subnetwork`` resources."""
    for index, subnet in enumerate(doc.value):
        if not isinstance(subnet, dict):
            continue
        pointer = f"/{index}"
        network = str(subnet.get("network") or f"{sink.file}#{pointer}")
        scope = gcp_scope(network)
        project = gcp_project(subnet.get("selfLink")) or gcp_project(network)
        region = _last(subnet.get("region"))
        labels = Labels("subnet", subnet.get("name"), project, region, subnet.get("selfLink"))
        for key in ("ipCidrRange", *_IPV6_KEYS):
            if subnet.get(key):
                ptr = child(pointer, key)
                sink.prefix(subnet[key], sink.origin(doc.line(ptr), ptr), scope, labels)
        for j, second in enumerate(subnet.get("secondaryIpRanges") or []):
            if isinstance(second, dict) and "ipCidrRange" in second:
                ptr = f"{pointer}/secondaryIpRanges/{j}/ipCidrRange"
                sec = Labels("secondary-range", second.get("rangeName"), project, region,
                             subnet.get("selfLink"))
                sink.prefix(second["ipCidrRange"], sink.origin(doc.line(ptr), ptr), scope, sec)


def read_networks(doc: Located, sink: Sink) -> None:
    """Read a JSON array of ``compute#network`` resources (legacy range, ULA /48)."""
    for index, network in enumerate(doc.value):
        if not isinstance(network, dict):
            continue
        link = str(network.get("selfLink") or f"{sink.file}#/{index}")
        labels = Labels("network", network.get("name"), gcp_project(link), None, link)
        for key in ("IPv4Range", "internalIpv6Range"):
            if network.get(key):
                ptr = f"/{index}/{key}"
                sink.prefix(network[key], sink.origin(doc.line(ptr), ptr), gcp_scope(link),
                            labels)
