"""Which attributes of which Terraform resource types are allocations, and their scopes.

Shared by the state readers (raw ``terraform.tfstate`` and ``terraform show
-json``). Dispatch is by resource type on purpose: ``cidr_block`` also names
route, NACL and security-group destinations, which are not address space.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cidrkit.sources.pathhints import arn_parts, region_of_zone
from cidrkit.sources.record import Labels

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Claim:
    """An attribute path that holds an allocation, its scope and labels."""

    path: Path
    scope: str
    labels: Labels


def azure_scope(vnet_id: str) -> str:
    """Scope of an Azure VNet; resource ids are case-insensitive, so compare lowered."""
    return f"azure:{vnet_id.rstrip('/').lower()}"


def gcp_scope(network: str) -> str:
    """Scope of a GCP network from its self-link, id or ``projects/...`` path."""
    marker = network.find("projects/")
    return f"gcp:{network[marker:] if marker >= 0 else network}"


def gcp_project(link: object) -> str | None:
    """The project named in a GCP resource link."""
    if isinstance(link, str) and "projects/" in link:
        return link.split("projects/", 1)[1].split("/", 1)[0]
    return None


def _str(attrs: dict[str, Any], key: str) -> str | None:
    value = attrs.get(key)
    return value if isinstance(value, str) and value else None


def _list(value: Any) -> list[Any]:
    """``value`` if it is a list, else nothing: a block of the wrong type holds no claim."""
    return value if isinstance(value, list) else []


def _tags_name(attrs: dict[str, Any]) -> str | None:
    tags = attrs.get("tags") or attrs.get("tags_all")
    name = tags.get("Name") if isinstance(tags, dict) else None
    return name if isinstance(name, str) else None


def _aws_vpc(attrs: dict[str, Any], default: bool) -> list[Claim]:
    vpc_id = _str(attrs, "id")
    if vpc_id is None:
        return []
    region, account = arn_parts(attrs.get("arn"))
    labels = Labels("vpc", _tags_name(attrs) or ("default VPC" if default else None),
                    _str(attrs, "owner_id") or account, _str(attrs, "region") or region,
                    vpc_id, default=default)
    scope = f"aws:{vpc_id}"
    return [Claim(("cidr_block",), scope, labels), Claim(("ipv6_cidr_block",), scope, labels)]


def _aws_vpc_association(attrs: dict[str, Any], key: str) -> list[Claim]:
    vpc_id = _str(attrs, "vpc_id")
    if vpc_id is None:
        return []
    return [Claim((key,), f"aws:{vpc_id}", Labels("vpc", resource=vpc_id))]


def _aws_subnet(attrs: dict[str, Any]) -> list[Claim]:
    vpc_id = _str(attrs, "vpc_id")
    if vpc_id is None:
        return []
    region, account = arn_parts(attrs.get("arn"))
    labels = Labels("subnet", _tags_name(attrs), _str(attrs, "owner_id") or account,
                    region or region_of_zone(attrs.get("availability_zone")), _str(attrs, "id"))
    scope = f"aws:{vpc_id}"
    return [Claim(("cidr_block",), scope, labels), Claim(("ipv6_cidr_block",), scope, labels)]


def _subscription(resource_id: str) -> str | None:
    parts = resource_id.split("/")
    return parts[2] if len(parts) > 2 and parts[1].lower() == "subscriptions" else None


def _azure_prefixes(attrs: dict[str, Any], base: Path, scope: str, labels: Labels) -> list[Claim]:
    claims = [Claim((*base, "address_prefix"), scope, labels)]
    prefixes = attrs.get("address_prefixes")
    if isinstance(prefixes, list):
        claims += [Claim((*base, "address_prefixes", i), scope, labels)
                   for i in range(len(prefixes))]
    return claims


def _azurerm_vnet(attrs: dict[str, Any]) -> list[Claim]:
    vnet_id = _str(attrs, "id")
    if vnet_id is None:
        return []
    scope = azure_scope(vnet_id)
    account, region = _subscription(vnet_id), _str(attrs, "location")
    labels = Labels("vnet", _str(attrs, "name"), account, region, vnet_id)
    space = attrs.get("address_space")
    claims = [Claim(("address_space", i), scope, labels)
              for i in range(len(space) if isinstance(space, list) else 0)]
    for i, subnet in enumerate(_list(attrs.get("subnet"))):
        if isinstance(subnet, dict):
            sub = Labels("subnet", _str(subnet, "name"), account, region, _str(subnet, "id"))
            claims += _azure_prefixes(subnet, ("subnet", i), scope, sub)
    return claims


def _azurerm_subnet(attrs: dict[str, Any]) -> list[Claim]:
    subnet_id = _str(attrs, "id")
    if subnet_id is None or "/subnets/" not in subnet_id.lower():
        return []
    cut = subnet_id.lower().rfind("/subnets/")
    labels = Labels("subnet", _str(attrs, "name"), _subscription(subnet_id), None, subnet_id)
    return _azure_prefixes(attrs, (), azure_scope(subnet_id[:cut]), labels)


def _google_network(attrs: dict[str, Any]) -> list[Claim]:
    link = _str(attrs, "self_link") or _str(attrs, "id")
    if link is None:
        return []
    labels = Labels("network", _str(attrs, "name"), gcp_project(link) or _str(attrs, "project"),
                    None, link)
    return [Claim(("internal_ipv6_range",), gcp_scope(link), labels)]


def _google_subnetwork(attrs: dict[str, Any]) -> list[Claim]:
    network = _str(attrs, "network")
    if network is None:
        return []
    scope = gcp_scope(network)
    project = gcp_project(network) or _str(attrs, "project")
    labels = Labels("subnet", _str(attrs, "name"), project, _str(attrs, "region"),
                    _str(attrs, "self_link") or _str(attrs, "id"))
    claims = [Claim((key,), scope, labels) for key in (
        "ip_cidr_range", "ipv6_cidr_range", "internal_ipv6_prefix", "external_ipv6_prefix")]
    for i, second in enumerate(_list(attrs.get("secondary_ip_range"))):
        if isinstance(second, dict):
            sec = Labels("secondary-range", _str(second, "range_name"), project,
                         labels.region, labels.resource)
            claims.append(Claim(("secondary_ip_range", i, "ip_cidr_range"), scope, sec))
    return claims


def _netbox_prefix(attrs: dict[str, Any]) -> list[Claim]:
    vrf = attrs.get("vrf_id")
    scope = f"netbox:vrf-{vrf}" if isinstance(vrf, int) and vrf else "netbox:Global"
    status = _str(attrs, "status") or "active"
    labels = Labels("container" if status == "container" else "prefix",
                    _str(attrs, "description"),
                    resource=f"netbox prefix {attrs['id']}" if attrs.get("id") else None)
    return [Claim(("prefix",), scope, labels)]


#: Resource type -> function listing its allocation attributes.
ALLOCATING: dict[str, Callable[[dict[str, Any]], list[Claim]]] = {
    "aws_vpc": lambda a: _aws_vpc(a, default=False),
    "aws_default_vpc": lambda a: _aws_vpc(a, default=True),
    "aws_vpc_ipv4_cidr_block_association": lambda a: _aws_vpc_association(a, "cidr_block"),
    "aws_vpc_ipv6_cidr_block_association": lambda a: _aws_vpc_association(a, "ipv6_cidr_block"),
    "aws_subnet": _aws_subnet,
    "aws_default_subnet": _aws_subnet,
    "azurerm_virtual_network": _azurerm_vnet,
    "azurerm_subnet": _azurerm_subnet,
    "google_compute_network": _google_network,
    "google_compute_subnetwork": _google_subnetwork,
    "netbox_prefix": _netbox_prefix,
}

#: Resource types that define a routing domain (their address scopes a module or alias).
NETWORK_TYPES = {"aws_vpc", "aws_default_vpc", "azurerm_virtual_network", "google_compute_network"}


def network_scope(resource_type: str, attrs: dict[str, Any]) -> str | None:
    """The scope a network-defining resource creates, for aliasing planned HCL to state."""
    if resource_type in ("aws_vpc", "aws_default_vpc"):
        vpc_id = _str(attrs, "id")
        return f"aws:{vpc_id}" if vpc_id else None
    if resource_type == "azurerm_virtual_network":
        vnet_id = _str(attrs, "id")
        return azure_scope(vnet_id) if vnet_id else None
    if resource_type == "google_compute_network":
        link = _str(attrs, "self_link") or _str(attrs, "id")
        return gcp_scope(link) if link else None
    return None
