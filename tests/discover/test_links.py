"""The connections built from transit gateways and peerings, against a brute-force oracle."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cidrkit.discover.links import Links, connections_yaml

GATEWAYS = [f"tgw-{n}" for n in range(6)]
VPCS = [f"vpc-{n}" for n in range(10)]


def components(links: Links) -> list[frozenset[str]]:
    """VPCs of each group of gateways joined by peerings, found by graph search.

    A VPC attached to two gateways does not join them: traffic does not
    transit through a VPC, so the search walks gateway peerings only.
    """
    peers: dict[str, set[str]] = {}
    for a, b in links.gateway_peerings.values():
        peers.setdefault(a, set()).add(b)
        peers.setdefault(b, set()).add(a)
    gateways = sorted({g for g, _ in links.attachments.values()} | set(peers))
    seen: set[str] = set()
    groups = []
    for start in gateways:
        if start in seen:
            continue
        stack, group = [start], set()
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                group.add(node)
                stack.extend(peers.get(node, ()))
        vpcs = frozenset(v for g, v in links.attachments.values() if g in group)
        if len(vpcs) >= 2:
            groups.append(vpcs)
    return groups


@given(attachments=st.lists(st.tuples(st.sampled_from(GATEWAYS), st.sampled_from(VPCS)),
                            max_size=15),
       peerings=st.lists(st.tuples(st.sampled_from(GATEWAYS), st.sampled_from(GATEWAYS)),
                         max_size=5),
       vpc_peerings=st.lists(st.tuples(st.sampled_from(VPCS), st.sampled_from(VPCS)),
                             max_size=5))
def test_groups_match_graph_components(attachments: list[tuple[str, str]],
                                       peerings: list[tuple[str, str]],
                                       vpc_peerings: list[tuple[str, str]]) -> None:
    links = Links()
    links.read_attachments([
        {"TransitGatewayAttachmentId": f"tgw-attach-{n}", "TransitGatewayId": g,
         "ResourceType": "vpc", "ResourceId": v, "State": "available"}
        for n, (g, v) in enumerate(attachments)])
    links.read_gateway_peerings([
        {"TransitGatewayAttachmentId": f"tgw-attach-p{n}", "State": "available",
         "RequesterTgwInfo": {"TransitGatewayId": a}, "AccepterTgwInfo": {"TransitGatewayId": b}}
        for n, (a, b) in enumerate(peerings)])
    links.read_vpc_peerings([
        {"VpcPeeringConnectionId": f"pcx-{n}", "Status": {"Code": "active"},
         "RequesterVpcInfo": {"VpcId": a}, "AccepterVpcInfo": {"VpcId": b}}
        for n, (a, b) in enumerate(vpc_peerings)])
    groups = links.groups()
    gateway_groups = sorted(sorted(vpcs) for _, via, vpcs in groups if via == "transit-gateway")
    assert gateway_groups == sorted(sorted(c) for c in components(links))
    peering_groups = sorted(vpcs for _, via, vpcs in groups if via == "peering")
    assert peering_groups == sorted(sorted(p) for p in vpc_peerings if p[0] != p[1])
    assert (connections_yaml(links, "note") is None) == (not groups)


def test_dead_attachments_and_pending_peerings_connect_nothing() -> None:
    links = Links()
    links.read_attachments([
        {"TransitGatewayAttachmentId": "a1", "TransitGatewayId": "tgw-1", "ResourceType": "vpc",
         "ResourceId": "vpc-1", "State": "available"},
        {"TransitGatewayAttachmentId": "a2", "TransitGatewayId": "tgw-1", "ResourceType": "vpc",
         "ResourceId": "vpc-2", "State": "deleted"},
        {"TransitGatewayAttachmentId": "a3", "TransitGatewayId": "tgw-1", "ResourceType": "vpn",
         "ResourceId": "vpn-1", "State": "available"}])
    links.read_vpc_peerings([
        {"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "pending-acceptance"},
         "RequesterVpcInfo": {"VpcId": "vpc-1"}, "AccepterVpcInfo": {"VpcId": "vpc-3"}}])
    assert links.groups() == []
