"""Source-NAT port exhaustion: how many public IPs and gateways a fleet needs.

A NAT translates each connection to (public IP, port). Connections to *the
same* destination (IP, port, protocol) each need a distinct source port, so
the busiest destination sets the floor:

* AWS NAT gateway: 55,000 simultaneous connections per unique destination per
  IP, up to 8 IPs per gateway (1 primary + 7 secondary).
* Azure NAT gateway: 64,512 SNAT ports per IP in total, of which at most
  50,000 to one destination; up to 16 IPs per gateway.
* Google Cloud NAT: 64,512 ports per IP (1024-65535), handed out in fixed
  blocks of ``min_ports_per_vm`` (default 64) per VM; a VM can hold that many
  connections to one destination, and an IP serves ``64,512 / ports`` VMs.

When only a rate is known, Little's law gives the concurrency:
``concurrent = new connections per second × seconds each is held``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

from cidrkit.errors import ArgumentError

Cloud = Literal["aws", "azure", "gcp"]
NAT_CLOUDS: tuple[Cloud, ...] = ("aws", "azure", "gcp")

PORTS_PER_IP = 64_512
AWS_PER_DESTINATION = 55_000
AWS_IPS_PER_GATEWAY = 8
AZURE_PER_DESTINATION = 50_000
AZURE_IPS_PER_GATEWAY = 16
GCP_DEFAULT_MIN_PORTS = 64


@dataclass(frozen=True, slots=True)
class NatDemand:
    """The traffic to carry.

    ``per_destination`` is the peak concurrent connections one client keeps
    to the busiest single destination; ``total`` the peak across all
    destinations (defaults to ``per_destination``).
    """

    clients: int
    per_destination: int
    total: int | None = None


@dataclass(frozen=True, slots=True)
class NatPlan:
    """The answer: public IPs, gateways, capacity and headroom, with working."""

    cloud: Cloud
    ips: int
    gateways: int
    capacity_per_destination: int
    demand_per_destination: int
    headroom: float
    ports_per_vm: int | None = None
    steps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready mapping of every field."""
        return {
            "cloud": self.cloud,
            "public_ips": self.ips,
            "gateways": self.gateways,
            "capacity_per_destination": self.capacity_per_destination,
            "demand_per_destination": self.demand_per_destination,
            "headroom": round(self.headroom, 4),
            "ports_per_vm": self.ports_per_vm,
            "steps": list(self.steps),
            "warnings": list(self.warnings),
        }


def concurrency_from_rate(rate_per_second: float, hold_seconds: float) -> int:
    """Little's law: peak concurrent connections = rate × hold, rounded up."""
    if not (0 <= rate_per_second < math.inf and 0 <= hold_seconds < math.inf):
        raise ArgumentError("rate and hold time must be finite and not negative")
    product = rate_per_second * hold_seconds
    if not math.isfinite(product):
        raise ArgumentError(f"rate × hold ({rate_per_second:g} × {hold_seconds:g}) is too large")
    return math.ceil(product)


def plan_nat(
    cloud: Cloud,
    demand: NatDemand,
    *,
    min_ports_per_vm: int | None = None,
    existing_ips: int | None = None,
) -> NatPlan:
    """Public IPs and gateways needed to carry ``demand`` through ``cloud``'s NAT.

    ``existing_ips`` evaluates a given deployment instead: the headroom is then
    computed for that many IPs and a warning is raised when it is exhausted.
    Raises ``ArgumentError`` (a ``ValueError``) for non-positive inputs or an unknown cloud.
    """
    if cloud not in NAT_CLOUDS:
        raise ArgumentError(f"unknown cloud {cloud!r} (expected one of {', '.join(NAT_CLOUDS)})")
    if demand.clients < 1 or demand.per_destination < 1:
        raise ArgumentError("clients and connections per client must be at least 1")
    total_per_client = demand.total if demand.total is not None else demand.per_destination
    if total_per_client < demand.per_destination:
        raise ArgumentError("total connections per client cannot be below the per-destination peak")
    busiest = demand.clients * demand.per_destination
    steps = [
        f"busiest destination: {demand.clients} clients × {demand.per_destination}"
        f" connections = {busiest:,} concurrent"
    ]
    if cloud == "gcp":
        return _plan_gcp(demand, busiest, min_ports_per_vm, existing_ips, steps)

    per_dest, per_gw = (
        (AWS_PER_DESTINATION, AWS_IPS_PER_GATEWAY)
        if cloud == "aws"
        else (AZURE_PER_DESTINATION, AZURE_IPS_PER_GATEWAY)
    )
    ips = math.ceil(busiest / per_dest)
    steps.append(f"IPs for the busiest destination: ceil({busiest:,} / {per_dest:,}) = {ips}")
    if cloud == "azure":
        overall = demand.clients * total_per_client
        by_ports = math.ceil(overall / PORTS_PER_IP)
        steps.append(
            f"IPs for all SNAT ports: ceil({overall:,} / {PORTS_PER_IP:,}) = {by_ports}"
        )
        ips = max(ips, by_ports)
        result = _finish(cloud, ips, per_gw, per_dest, busiest, existing_ips, steps, None)
        # The total port budget may bind before the per-destination limit.
        ports = (existing_ips if existing_ips is not None else result.ips) * PORTS_PER_IP
        port_headroom = ports / overall - 1
        if port_headroom < result.headroom:
            result.steps.append(
                f"port budget headroom: {ports:,} / {overall:,} − 1 = {port_headroom:.1%}"
                " (the tighter limit)"
            )
            result = replace(result, headroom=port_headroom)
        return result
    return _finish(cloud, ips, per_gw, per_dest, busiest, existing_ips, steps, None)


def _plan_gcp(
    demand: NatDemand,
    busiest: int,
    min_ports_per_vm: int | None,
    existing_ips: int | None,
    steps: list[str],
) -> NatPlan:
    warnings: list[str] = []
    ports = min_ports_per_vm if min_ports_per_vm is not None else GCP_DEFAULT_MIN_PORTS
    if ports < 2 or ports > PORTS_PER_IP:
        raise ArgumentError(f"min ports per VM must be 2..{PORTS_PER_IP}, got {ports}")
    if ports < demand.per_destination:
        wanted = 1 << (demand.per_destination - 1).bit_length()
        if min_ports_per_vm is not None:
            warnings.append(
                f"min ports per VM {ports} < {demand.per_destination} connections per VM to"
                f" one destination: VMs will drop connections; set it to at least {wanted}"
            )
        ports = wanted
        steps.append(f"ports per VM raised to {ports} (a power of two ≥ the per-VM peak)")
    vms_per_ip = PORTS_PER_IP // ports
    ips = math.ceil(demand.clients / vms_per_ip)
    steps.append(f"VMs per IP: {PORTS_PER_IP:,} ports / {ports} per VM = {vms_per_ip:,}")
    steps.append(f"IPs: ceil({demand.clients:,} VMs / {vms_per_ip:,}) = {ips}")
    result = _finish("gcp", ips, None, ports, demand.per_destination, existing_ips, steps, ports)
    return replace(result, warnings=warnings + result.warnings)


def _finish(
    cloud: Cloud,
    ips: int,
    ips_per_gateway: int | None,
    capacity_unit: int,
    demand_value: int,
    existing_ips: int | None,
    steps: list[str],
    ports_per_vm: int | None,
) -> NatPlan:
    warnings: list[str] = []
    ips = max(ips, 1)
    deployed = existing_ips if existing_ips is not None else ips
    if ips_per_gateway is None:
        gateways = 1
        steps.append("gateways: 1 Cloud NAT gateway per region and network")
    else:
        gateways = math.ceil(deployed / ips_per_gateway)
        steps.append(f"gateways: ceil({deployed} IPs / {ips_per_gateway} per gateway) = {gateways}")
    # On GCP each VM is bounded, per destination, by its own port block.
    capacity = capacity_unit if cloud == "gcp" else deployed * capacity_unit
    headroom = capacity / demand_value - 1
    steps.append(
        f"headroom: {capacity:,} / {demand_value:,} − 1 = {headroom:.1%}"
    )
    if existing_ips is not None and existing_ips < ips:
        warnings.append(f"{existing_ips} IPs are not enough: {ips} needed")
    return NatPlan(
        cloud=cloud,
        ips=ips,
        gateways=gateways,
        capacity_per_destination=capacity,
        demand_per_destination=demand_value,
        headroom=headroom,
        ports_per_vm=ports_per_vm,
        steps=steps,
        warnings=warnings,
    )
