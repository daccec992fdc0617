"""Kubernetes address sizing by networking model.

Each model consumes addresses differently:

* ``eks`` (Amazon VPC CNI): every pod takes an address from the node's subnet,
  so the subnet must hold ``nodes × (max_pods + 1)``; services use a private
  range (default /16) outside the VPC.
* ``gke`` (VPC-native): nodes take subnet addresses; each node is given a pod
  block of the smallest power of two holding ``2 × max_pods`` (110 pods → /24),
  carved from a secondary range; services come from a second secondary range
  (default /20). Both secondary ranges live in the VPC's space.
* ``azure-cni`` (traditional Azure CNI): each node reserves ``max_pods``
  addresses up front in its subnet, so the subnet holds
  ``nodes × (max_pods + 1)``; services use a private range (default /16).
* ``aks-overlay`` (Azure CNI Overlay): nodes take subnet addresses; pods come
  from a private overlay range, one /24 per node; services are private too.

``surge_nodes`` (extra nodes during an upgrade) count as nodes everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from cidrkit.errors import ArgumentError
from cidrkit.plan.profiles import PROFILES
from cidrkit.plan.sizing import size_for_hosts, smallest_power_of_two_length

Model = Literal["eks", "gke", "aks-overlay", "azure-cni"]
MODELS: tuple[Model, ...] = ("eks", "gke", "aks-overlay", "azure-cni")

CLOUD_OF_MODEL: dict[Model, str] = {
    "eks": "aws",
    "gke": "gcp",
    "aks-overlay": "azure",
    "azure-cni": "azure",
}
_DEFAULT_SERVICE_LENGTH: dict[Model, int] = {
    "eks": 16,
    "gke": 20,
    "aks-overlay": 16,
    "azure-cni": 16,
}
_OVERLAY_NODE_BLOCK = 24


@dataclass(frozen=True, slots=True)
class ClusterRange:
    """One address range a cluster needs.

    ``role`` is ``nodes``, ``pods`` or ``services``; ``in_network`` tells
    whether it must come from the VPC/VNet space (and so from the plan) or is
    a private range that only must not collide with what the pods talk to.
    """

    role: str
    length: int
    need: int
    in_network: bool
    steps: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ClusterDemand:
    """What a cluster of ``nodes`` (+ ``surge_nodes``) needs under ``model``."""

    model: Model
    nodes: int
    surge_nodes: int
    max_pods_per_node: int
    ranges: list[ClusterRange]


def size_cluster(
    model: Model,
    nodes: int,
    max_pods_per_node: int,
    surge_nodes: int = 0,
    services: int | None = None,
    growth: Fraction = Fraction(0),
) -> ClusterDemand:
    """Size the node subnet, pod range and service range of one cluster.

    ``services`` is the number of service IPs wanted (the model's default
    range when ``None``); ``growth`` applies to the node count.
    Raises ``ArgumentError`` (a ``ValueError``) for non-positive counts or an unknown model.
    """
    if model not in MODELS:
        choices = ", ".join(MODELS)
        raise ArgumentError(f"unknown Kubernetes model {model!r} (expected one of {choices})")
    for label, value in (("nodes", nodes), ("max_pods_per_node", max_pods_per_node)):
        if value < 1:
            raise ArgumentError(f"{label} must be at least 1, got {value}")
    if surge_nodes < 0:
        raise ArgumentError(f"surge_nodes must not be negative, got {surge_nodes}")
    cloud = PROFILES[CLOUD_OF_MODEL[model]]
    total_nodes = math.ceil((nodes + surge_nodes) * (1 + growth))
    counted = f"({nodes} nodes + {surge_nodes} surge)"
    if growth:
        counted += f" × (1 + {float(growth * 100):g}%)"
    ranges: list[ClusterRange] = []

    if model in ("eks", "azure-cni"):
        per_node = max_pods_per_node + 1
        demand = total_nodes * per_node
        why = (
            f"{counted} = {total_nodes} nodes × ({max_pods_per_node} pods + 1 node address)"
            f" = {demand} addresses"
        )
        ranges.append(_subnet_range(demand, cloud.name, why))
    else:
        why = f"{counted} = {total_nodes} node addresses"
        ranges.append(_subnet_range(total_nodes, cloud.name, why))

    if model == "gke":
        block_len = smallest_power_of_two_length(32, 2 * max_pods_per_node)
        block = 1 << (32 - block_len)
        pods_need = total_nodes * block
        pods_len = smallest_power_of_two_length(32, pods_need)
        ranges.append(
            ClusterRange(
                "pods",
                pods_len,
                pods_need,
                True,
                [
                    f"per node: 2 × {max_pods_per_node} pods = {2 * max_pods_per_node}"
                    f" → /{block_len} ({block} addresses)",
                    f"{total_nodes} nodes × {block} = {pods_need} → /{pods_len}",
                ],
            )
        )
    elif model == "aks-overlay":
        block = 1 << (32 - _OVERLAY_NODE_BLOCK)
        pods_need = total_nodes * block
        pods_len = smallest_power_of_two_length(32, pods_need)
        ranges.append(
            ClusterRange(
                "pods",
                pods_len,
                pods_need,
                False,
                [f"{total_nodes} nodes × /{_OVERLAY_NODE_BLOCK} = {pods_need} → /{pods_len}"
                 " (private overlay range)"],
            )
        )

    if services is None:
        svc_len = _DEFAULT_SERVICE_LENGTH[model]
        svc_steps = [f"{model} default service range /{svc_len}"]
        svc_need = 1 << (32 - svc_len)
    else:
        if services < 1:
            raise ArgumentError(f"services must be at least 1, got {services}")
        svc_len = smallest_power_of_two_length(32, services)
        svc_need = services
        svc_steps = [f"{services} service IPs → /{svc_len}"]
    ranges.append(ClusterRange("services", svc_len, svc_need, model == "gke", svc_steps))
    return ClusterDemand(model, nodes, surge_nodes, max_pods_per_node, ranges)


def _subnet_range(demand: int, cloud_name: str, why: str) -> ClusterRange:
    sizing = size_for_hosts(demand, Fraction(0), PROFILES[cloud_name])
    if sizing.length is None:
        raise ArgumentError(f"no IPv4 subnet holds {demand} addresses")
    return ClusterRange("nodes", sizing.length, demand, True, [why, *sizing.steps[1:]])
