"""A simulated AWS organisation in moto, and the exports a person would write for it by hand.

``build_organisation`` creates accounts, VPCs (overlapping on purpose across
accounts), subnets, secondary and IPv6 blocks, transit gateways (one peering
between two of them) and a VPC peering, and returns what it created.
``write_hand_exports`` writes that knowledge as minimal hand-made
``describe-vpcs``/``describe-subnets`` files and a connections file, built
from the creation answers, never from reading the cloud back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2")
ROLE = "CidrkitDiscovery"


@dataclass
class Vpc:
    id: str
    name: str
    cidrs: list[str]
    ipv6: str | None = None
    subnets: list[tuple[str, str, str]] = field(default_factory=list)  # id, cidr, az


@dataclass
class Organisation:
    management: str
    accounts: dict[str, str]  # id -> name, every account of the organisation
    refusing: str  # the account whose role refuses to be assumed
    vpcs: dict[tuple[str, str], list[Vpc]] = field(default_factory=dict)
    gateway_groups: list[list[str]] = field(default_factory=list)
    peerings: list[list[str]] = field(default_factory=list)

    @property
    def discoverable(self) -> list[str]:
        return sorted(a for a in self.accounts if a != self.refusing)


def _session(endpoint: str, account: str, management: str) -> boto3.session.Session:
    base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                 region_name="us-east-1")
    if account == management:
        return base
    creds = base.client("sts", endpoint_url=endpoint).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="setup")["Credentials"]
    return boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                 aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"])


def _drop_default_vpcs(ec2: Any) -> None:
    """Delete the default VPC moto creates, so the hand exports need no ids read back."""
    for vpc in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]:
        for subnet in ec2.describe_subnets(
                Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]:
            ec2.delete_subnet(SubnetId=subnet["SubnetId"])
        ec2.delete_vpc(VpcId=vpc["VpcId"])


def _make_vpc(ec2: Any, region: str, name: str, cidr: str, secondary: str | None,
              ipv6: bool) -> Vpc:
    made = ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=ipv6,
                          TagSpecifications=[{"ResourceType": "vpc", "Tags": [
                              {"Key": "Name", "Value": name}]}])["Vpc"]
    vpc = Vpc(made["VpcId"], name, [cidr])
    for assoc in made.get("Ipv6CidrBlockAssociationSet") or []:
        vpc.ipv6 = assoc["Ipv6CidrBlock"]
    if secondary:
        ec2.associate_vpc_cidr_block(VpcId=vpc.id, CidrBlock=secondary)
        vpc.cidrs.append(secondary)
    base = cidr.split("/")[0].rsplit(".", 2)[0]
    for n in range(2):
        sub_cidr = f"{base}.{n}.0/24"
        subnet = ec2.create_subnet(VpcId=vpc.id, CidrBlock=sub_cidr,
                                   AvailabilityZone=f"{region}{'ab'[n]}")["Subnet"]
        vpc.subnets.append((subnet["SubnetId"], sub_cidr, subnet["AvailabilityZone"]))
    return vpc


def build_organisation(endpoint: str, vpcs_per_scope: int = 2,
                       regions: tuple[str, ...] = REGIONS) -> Organisation:
    """Create the organisation through ``endpoint`` (moto, unfaulted) and return its facts."""
    base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                 region_name="us-east-1")
    org = base.client("organizations", endpoint_url=endpoint)
    org.create_organization(FeatureSet="ALL")
    management = base.client("sts", endpoint_url=endpoint).get_caller_identity()["Account"]
    accounts = {management: "acme-management"}
    for name in ("acme-dev", "acme-prod", "acme-legacy"):
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")
        accounts[status["CreateAccountStatus"]["AccountId"]] = name
    # Names as the organisation reports them (the management account's is the service's).
    accounts = {a["Id"]: a["Name"] for a in org.list_accounts()["Accounts"]}
    refusing = next(a for a, n in accounts.items() if n == "acme-legacy")
    sim = Organisation(management, accounts, refusing)
    gateways: dict[str, tuple[Any, str]] = {}
    for i, account in enumerate(sim.discoverable):
        session = _session(endpoint, account, management)
        for j, region in enumerate(regions):
            ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint)
            _drop_default_vpcs(ec2)
            made = [
                # The same block in every account and region: the overlaps to find.
                _make_vpc(ec2, region, "shared", "10.0.0.0/16", None, ipv6=False),
                # Unique, with a secondary block and IPv6.
                _make_vpc(ec2, region, f"app-{i}-{j}", f"10.{100 + i * 10 + j}.0.0/16",
                          f"100.64.{i * 16 + j}.0/24", ipv6=True),
            ]
            for k in range(2, vpcs_per_scope):
                made.append(_make_vpc(ec2, region, f"bulk-{k}",
                                      f"10.{(k * 7 + i * 3 + j) % 90 + 1}.0.0/16", None, False))
            sim.vpcs[(account, region)] = made
            if region == "us-east-1" and account != sim.discoverable[-1]:
                gateway = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
                for vpc in made[:2]:
                    ec2.create_transit_gateway_vpc_attachment(
                        TransitGatewayId=gateway, VpcId=vpc.id, SubnetIds=[vpc.subnets[0][0]])
                gateways[account] = (ec2, gateway)
            if region == "eu-west-1" and account == sim.discoverable[-1]:
                pcx = ec2.create_vpc_peering_connection(VpcId=made[0].id,
                                                        PeerVpcId=made[1].id)
                ec2.accept_vpc_peering_connection(
                    VpcPeeringConnectionId=pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"])
                sim.peerings.append(sorted(v.id for v in made[:2]))
    (ec2_a, tgw_a), (ec2_b, tgw_b) = list(gateways.values())[:2]
    peer_account = list(gateways)[1]
    attachment = ec2_a.create_transit_gateway_peering_attachment(
        TransitGatewayId=tgw_a, PeerTransitGatewayId=tgw_b, PeerAccountId=peer_account,
        PeerRegion="us-east-1")["TransitGatewayPeeringAttachment"]
    ec2_b.accept_transit_gateway_peering_attachment(
        TransitGatewayAttachmentId=attachment["TransitGatewayAttachmentId"])
    sim.gateway_groups.append(sorted(
        v.id for account in gateways for v in sim.vpcs[(account, "us-east-1")][:2]))
    return sim


def write_hand_exports(sim: Organisation, root: Path) -> Path:
    """Write the organisation as hand-made exports under ``root``; return the connections file."""
    for (account, region), vpcs in sim.vpcs.items():
        folder = root / f"{sim.accounts[account]}-{account}" / region
        folder.mkdir(parents=True)
        hand_vpcs = []
        hand_subnets = []
        for vpc in vpcs:
            entry: dict[str, Any] = {
                "VpcId": vpc.id, "OwnerId": account, "CidrBlock": vpc.cidrs[0],
                "CidrBlockAssociationSet": [
                    {"CidrBlock": c, "CidrBlockState": {"State": "associated"}}
                    for c in vpc.cidrs],
                "Tags": [{"Key": "Name", "Value": vpc.name}], "IsDefault": False}
            if vpc.ipv6:
                entry["Ipv6CidrBlockAssociationSet"] = [
                    {"Ipv6CidrBlock": vpc.ipv6, "Ipv6CidrBlockState": {"State": "associated"}}]
            hand_vpcs.append(entry)
            hand_subnets += [{"SubnetId": sid, "VpcId": vpc.id, "CidrBlock": cidr,
                              "AvailabilityZone": az, "OwnerId": account}
                             for sid, cidr, az in vpc.subnets]
        (folder / "vpcs.json").write_text(json.dumps({"Vpcs": hand_vpcs}, indent=2))
        (folder / "subnets.json").write_text(json.dumps({"Subnets": hand_subnets}, indent=2))
    lines = ["version: 1", "connections:"]
    for n, members in enumerate(sim.gateway_groups + sim.peerings):
        lines += [f"  - name: hand-{n}", "    members:"]
        lines += [f"      - scope: aws:{vpc}" for vpc in members]
    connections = root.parent / "hand-connections.yaml"
    connections.write_text("\n".join(lines) + "\n")
    return connections
