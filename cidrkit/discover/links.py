"""How discovered networks connect, written as the audit's ``--connections`` file.

A transit gateway joins every VPC attached to it, and transit gateways peered
with each other form one routing domain, so each group of peered gateways is
one connection (a full mesh, as the connections file means it). A VPC peering
is not transitive: each active one is a connection of its two VPCs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

_LIVE_ATTACHMENT = {"available", "pending", "pendingAcceptance", "modifying", "initiating",
                    "initiatingRequest"}


@dataclass(slots=True)
class Links:
    """Edges seen in one or more scopes, keyed by their AWS ids so repeats merge."""

    attachments: dict[str, tuple[str, str]] = field(default_factory=dict)
    gateway_peerings: dict[str, tuple[str, str]] = field(default_factory=dict)
    vpc_peerings: dict[str, tuple[str, str]] = field(default_factory=dict)

    def merge(self, other: Links) -> None:
        """Add ``other``'s edges; the same attachment seen from two accounts counts once."""
        self.attachments.update(other.attachments)
        self.gateway_peerings.update(other.gateway_peerings)
        self.vpc_peerings.update(other.vpc_peerings)

    def read_attachments(self, items: list[dict[str, object]]) -> None:
        """Take the VPC attachments of ``DescribeTransitGatewayAttachments``."""
        for item in items:
            if (item.get("ResourceType") == "vpc" and item.get("State") in _LIVE_ATTACHMENT
                    and isinstance(item.get("TransitGatewayId"), str)
                    and isinstance(item.get("ResourceId"), str)):
                key = str(item.get("TransitGatewayAttachmentId") or item["ResourceId"])
                self.attachments[key] = (str(item["TransitGatewayId"]), str(item["ResourceId"]))

    def read_gateway_peerings(self, items: list[dict[str, object]]) -> None:
        """Take the live entries of ``DescribeTransitGatewayPeeringAttachments``."""
        for item in items:
            requester, accepter = item.get("RequesterTgwInfo"), item.get("AccepterTgwInfo")
            if not (isinstance(requester, dict) and isinstance(accepter, dict)):
                continue
            if item.get("State") not in _LIVE_ATTACHMENT:
                continue
            a, b = requester.get("TransitGatewayId"), accepter.get("TransitGatewayId")
            if isinstance(a, str) and isinstance(b, str):
                key = str(item.get("TransitGatewayAttachmentId") or f"{a}<->{b}")
                self.gateway_peerings[key] = (a, b)

    def read_vpc_peerings(self, items: list[dict[str, object]]) -> None:
        """Take the active entries of ``DescribeVpcPeeringConnections``."""
        for item in items:
            status = item.get("Status")
            if not isinstance(status, dict) or status.get("Code") != "active":
                continue
            requester, accepter = item.get("RequesterVpcInfo"), item.get("AccepterVpcInfo")
            if isinstance(requester, dict) and isinstance(accepter, dict):
                a, b = requester.get("VpcId"), accepter.get("VpcId")
                if isinstance(a, str) and isinstance(b, str):
                    self.vpc_peerings[str(item.get("VpcPeeringConnectionId"))] = (a, b)

    def groups(self) -> list[tuple[str, str, list[str]]]:
        """Every connection as ``(name, via, sorted VPC ids)``, in a stable order."""
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for gateway, _ in self.attachments.values():
            find(gateway)
        for a, b in self.gateway_peerings.values():
            parent[find(a)] = find(b)
        members: dict[str, set[str]] = {}
        gateways: dict[str, set[str]] = {}
        for gateway, vpc in self.attachments.values():
            members.setdefault(find(gateway), set()).add(vpc)
        for gateway in list(parent):
            gateways.setdefault(find(gateway), set()).add(gateway)
        found: list[tuple[str, str, list[str]]] = []
        for root, vpcs in members.items():
            if len(vpcs) < 2:
                continue
            names = sorted(gateways[root])
            title = "transit gateway" if len(names) == 1 else "peered transit gateways"
            found.append((f"{title} {', '.join(names)}", "transit-gateway", sorted(vpcs)))
        for pcx, (a, b) in self.vpc_peerings.items():
            if a != b:
                found.append((f"VPC peering {pcx}", "peering", sorted((a, b))))
        return sorted(found)


def connections_yaml(links: Links, note: str) -> str | None:
    """The connections file for ``links``, or None when nothing is connected.

    Strings are written as JSON strings, which YAML reads as the same values.
    """
    groups = links.groups()
    if not groups:
        return None
    lines = [f"# {note}", "version: 1", "connections:"]
    for name, via, vpcs in groups:
        lines.append(f"  - name: {json.dumps(name)}")
        lines.append(f"    via: {via}")
        lines.append("    members:")
        lines.extend(f"      - scope: {json.dumps('aws:' + vpc)}" for vpc in vpcs)
    return "\n".join(lines) + "\n"
