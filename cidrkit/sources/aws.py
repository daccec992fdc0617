"""AWS CLI JSON: ``describe-vpcs``, ``describe-subnets`` and reference-only outputs.

The scope of every VPC and subnet prefix is its VPC (``aws:vpc-...``), so a
subnet inside its own VPC is nesting, and a VPC read from both the CLI export
and Terraform state merges into one allocation. Association states decide
what counts: ``associated``/``associating`` are allocations,
``disassociating``/``failing`` are kept with a notice, ``disassociated``/``failed``
are ignored (they stay visible for a while after removal: the classic false
positive).
"""

from __future__ import annotations

from typing import Any

from cidrkit.sources.jsonloc import Located, child, iter_strings, list_at, looks_like_cidr
from cidrkit.sources.pathhints import arn_parts, hints_from_path, region_of_zone
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink

_KEEP = {"associated", "associating"}
_WARN = {"disassociating", "failing"}

#: Top-level keys of AWS outputs whose CIDRs are destinations, not address space.
REFERENCE_KEYS = {
    "Entries": "managed prefix list entry (a route/security-group destination, not an allocation)",
    "Routes": "route destination (a reference, not an allocation)",
    "SecurityGroups": "security group rule (a reference, not an allocation)",
    "SecurityGroupRules": "security group rule (a reference, not an allocation)",
    "NetworkAcls": "network ACL rule (a reference, not an allocation)",
    "RouteTables": "route table destination (a reference, not an allocation)",
}


def tag_name(tags: Any) -> str | None:
    """The value of the ``Name`` tag in an AWS ``Tags`` list."""
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, dict) and tag.get("Key") == "Name":
                value = tag.get("Value")
                return value if isinstance(value, str) else None
    return None


def _association(
    sink: Sink, doc: Located, pointer: str, assoc: Any, cidr_key: str, scope: str, labels: Labels
) -> None:
    """Record one CIDR association according to its state."""
    if not isinstance(assoc, dict) or cidr_key not in assoc:
        return
    value_ptr = child(pointer, cidr_key)
    origin = sink.origin(doc.line(value_ptr), value_ptr)
    state_obj = assoc.get(f"{cidr_key}State") or {}
    state = state_obj.get("State", "associated") if isinstance(state_obj, dict) else "associated"
    # Documentation and recorded responses write states in any case (ASSOCIATED).
    state = str(state).lower()
    value = assoc[cidr_key]
    if state in _KEEP:
        sink.prefix(value, origin, scope, labels)
    elif state in _WARN:
        if sink.prefix(value, origin, scope, labels) is not None:
            sink.notice(origin, str(value), f"association state is {state}: kept as allocated")
    else:
        sink.ignore(origin, str(value), f"association state is {state}")


def read_vpcs(doc: Located, sink: Sink) -> None:
    """Read ``aws ec2 describe-vpcs`` output."""
    hints = hints_from_path(sink.file)
    vpcs = list_at(doc, "/Vpcs", doc.value.get("Vpcs"), "VPCs")
    for index, vpc in enumerate(vpcs):
        pointer = f"/Vpcs/{index}"
        if not isinstance(vpc, dict):
            sink.expected(sink.origin(doc.line(pointer), pointer), vpc, "a VPC object")
            continue
        vpc_id = vpc.get("VpcId") or f"{sink.file}#{pointer}"
        scope = f"aws:{vpc_id}"
        # Text and table output write the flag as the word True.
        default = vpc.get("IsDefault") in (True, "True", "true")
        labels = Labels(
            kind="vpc",
            name=tag_name(vpc.get("Tags")) or ("default VPC" if default else None),
            account=vpc.get("OwnerId") or hints.account,
            region=hints.region,
            resource=vpc_id,
            default=default,
        )
        if "CidrBlock" in vpc:
            ptr = child(pointer, "CidrBlock")
            sink.prefix(vpc["CidrBlock"], sink.origin(doc.line(ptr), ptr), scope, labels)
        for key, cidr_key in (
            ("CidrBlockAssociationSet", "CidrBlock"),
            ("Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock"),
        ):
            assocs = list_at(doc, f"{pointer}/{key}", vpc.get(key), "associations")
            for j, assoc in enumerate(assocs):
                _association(sink, doc, f"{pointer}/{key}/{j}", assoc, cidr_key, scope, labels)


def read_subnets(doc: Located, sink: Sink) -> None:
    """Read ``aws ec2 describe-subnets`` output."""
    hints = hints_from_path(sink.file)
    for index, subnet in enumerate(list_at(doc, "/Subnets", doc.value.get("Subnets"), "subnets")):
        pointer = f"/Subnets/{index}"
        if not isinstance(subnet, dict):
            sink.expected(sink.origin(doc.line(pointer), pointer), subnet, "a subnet object")
            continue
        arn_region, arn_account = arn_parts(subnet.get("SubnetArn"))
        vpc_id = subnet.get("VpcId") or f"{sink.file}#{pointer}"
        scope = f"aws:{vpc_id}"
        labels = Labels(
            kind="subnet",
            name=tag_name(subnet.get("Tags")),
            account=subnet.get("OwnerId") or arn_account or hints.account,
            region=arn_region or region_of_zone(subnet.get("AvailabilityZone")) or hints.region,
            resource=subnet.get("SubnetId"),
        )
        if "CidrBlock" in subnet:
            ptr = child(pointer, "CidrBlock")
            sink.prefix(subnet["CidrBlock"], sink.origin(doc.line(ptr), ptr), scope, labels)
        key = "Ipv6CidrBlockAssociationSet"
        for j, assoc in enumerate(list_at(doc, f"{pointer}/{key}", subnet.get(key),
                                          "associations")):
            ptr = f"{pointer}/{key}/{j}"
            _association(sink, doc, ptr, assoc, "Ipv6CidrBlock", scope, labels)


def read_references(doc: Located, sink: Sink, key: str) -> None:
    """Report every CIDR in a reference-only output (prefix lists, routes, rules) as ignored."""
    reason = REFERENCE_KEYS[key]
    for pointer, text in iter_strings(doc.value.get(key), f"/{key}"):
        if looks_like_cidr(text):
            sink.ignore(sink.origin(doc.line(pointer), pointer), text, reason)


def read_ipam_allocations(doc: Located, sink: Sink) -> None:
    """Read ``aws ec2 get-ipam-pool-allocations``: each ``Cidr`` handed out of an IPAM pool.

    An allocation made for a VPC is that VPC's block (scope ``aws:<vpc-id>``),
    so it merges with the same block read from ``describe-vpcs``. Reservations,
    sub-pools and other allocations share the pool's scope (IPAM never lets
    them overlap each other), named after the file since the output does not
    name its pool. A subnet's allocation lies inside its VPC, whose id the
    output does not give: it is reported as ignored rather than as a clash.
    """
    hints = hints_from_path(sink.file)
    key = "IpamPoolAllocations"
    for index, item in enumerate(list_at(doc, f"/{key}", doc.value.get(key), "allocations")):
        pointer = f"/{key}/{index}"
        if not isinstance(item, dict):
            sink.expected(sink.origin(doc.line(pointer), pointer), item, "an allocation object")
            continue
        rtype = str(item.get("ResourceType") or "custom").lower()
        ptr = child(pointer, "Cidr")
        origin = sink.origin(doc.line(ptr), ptr)
        resource = item.get("ResourceId")
        if rtype == "subnet":
            sink.ignore(origin, str(item.get("Cidr")),
                        "IPAM allocation of a subnet (inside its VPC, which the output omits)")
            continue
        vpc = rtype == "vpc" and isinstance(resource, str) and resource
        labels = Labels("vpc" if vpc else "prefix", item.get("Description") or None,
                        item.get("ResourceOwner") or hints.account,
                        item.get("ResourceRegion") or hints.region,
                        str(resource or item.get("IpamPoolAllocationId") or "") or None)
        scope = f"aws:{resource}" if vpc else f"aws-ipam:{sink.file}"
        sink.prefix(item.get("Cidr"), origin, scope, labels)
