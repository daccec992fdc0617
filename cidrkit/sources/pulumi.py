"""Pulumi state (``pulumi stack export``): the live outputs of VPCs, subnets, VNets, subnetworks.

The AWS, Azure (classic) and GCP providers are bridged from Terraform's, so a
resource's ``outputs`` are the Terraform attributes in camelCase (and lists
pluralised: ``secondaryIpRanges``). They are read with the Terraform rules of
:mod:`cidrkit.sources.tfresources`, so a VPC in Pulumi state and the same VPC
in an AWS CLI export share one scope (``aws:<vpc-id>``). ``azure-native``
outputs have the Azure REST shape and go through the Azure reader.
"""

from __future__ import annotations

import re
from typing import Any

from cidrkit.sources import azure
from cidrkit.sources.jsonloc import Located, child, list_at
from cidrkit.sources.record import Labels
from cidrkit.sources.sink import Sink
from cidrkit.sources.tfresources import ALLOCATING

#: Pulumi type token -> the Terraform resource type it is bridged from.
BRIDGED = {
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/defaultVpc:DefaultVpc": "aws_default_vpc",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation":
        "aws_vpc_ipv4_cidr_block_association",
    "aws:ec2/vpcIpv6CidrBlockAssociation:VpcIpv6CidrBlockAssociation":
        "aws_vpc_ipv6_cidr_block_association",
    "azure:network/virtualNetwork:VirtualNetwork": "azurerm_virtual_network",
    "azure:network/subnet:Subnet": "azurerm_subnet",
    "gcp:compute/network:Network": "google_compute_network",
    "gcp:compute/subnetwork:Subnetwork": "google_compute_subnetwork",
}
_NATIVE_VNET = "azure-native:network:VirtualNetwork"
#: Pulumi's plural list names -> Terraform's block names.
_PLURALS = {"address_spaces": "address_space", "secondary_ip_ranges": "secondary_ip_range",
            "subnets": "subnet"}


def _snake(name: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return _PLURALS.get(snake, snake)


def _terraform_shape(value: Any) -> Any:
    """Outputs with Terraform's attribute names (keys of nested objects too)."""
    if isinstance(value, dict):
        return {_snake(k): _terraform_shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_terraform_shape(v) for v in value]
    return value


def _original_pointer(outputs: Any, path: tuple[str | int, ...], base: str) -> str:
    """The pointer, in the file's own (camelCase) names, of a Terraform attribute path."""
    node, pointer = outputs, base
    for step in path:
        if isinstance(step, int) or not isinstance(node, dict):
            pointer = child(pointer, step)
            node = node[step] if isinstance(node, list) and isinstance(step, int) \
                and step < len(node) else None
            continue
        key = next((k for k in node if _snake(k) == step), step)
        pointer, node = child(pointer, key), node.get(key)
    return pointer


def read_state(doc: Located, sink: Sink) -> None:
    """Read a stack export (``deployment.resources``), or a bare ``resources`` list."""
    deployment = doc.value.get("deployment")
    base = "/deployment" if isinstance(deployment, dict) else ""
    holder = deployment if isinstance(deployment, dict) else doc.value
    resources = list_at(doc, f"{base}/resources", holder.get("resources"), "resources")
    for index, resource in enumerate(resources):
        pointer = f"{base}/resources/{index}"
        if not isinstance(resource, dict) or not isinstance(resource.get("outputs"), dict):
            continue
        token = str(resource.get("type", ""))
        outputs = resource["outputs"]
        out_ptr = child(pointer, "outputs")
        name = str(resource.get("urn", "")).rsplit("::", 1)[-1] or None
        if token == _NATIVE_VNET:
            azure.read_vnets(doc.inner(out_ptr), Sink(sink.inventory, sink.file,
                                                      sink.base + out_ptr))
            continue
        rtype = BRIDGED.get(token)
        if rtype is None:
            continue
        attrs = _terraform_shape(outputs)
        for claim in ALLOCATING[rtype](attrs):
            node: Any = attrs
            for step in claim.path:
                node = (node[step] if isinstance(node, list) and isinstance(step, int)
                        and step < len(node) else node.get(step) if isinstance(node, dict)
                        else None)
            if node is None or node == "":
                continue
            ptr = _original_pointer(outputs, claim.path, out_ptr)
            labels = claim.labels
            if labels.name is None and name:
                labels = Labels(labels.kind, name, labels.account, labels.region,
                                labels.resource, labels.planned, labels.default, labels.note)
            sink.prefix(node, sink.origin(doc.line(ptr), ptr, name), claim.scope, labels)
