"""One test per importer and shape: exact records, origins and findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cidrkit.sources import Inventory, read_file, read_inventory


def _read(tmp_path: Path, name: str, text: str) -> Inventory:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return read_inventory([str(path)])


def _rows(inv: Inventory) -> list[tuple[str, str, int | None, str | None]]:
    return [(str(r.prefix), r.scope, r.origin.line, r.origin.pointer or r.origin.address)
            for r in inv.records]


def test_aws_vpcs_states_and_account_from_path(tmp_path: Path) -> None:
    doc = {"Vpcs": [{"CidrBlockAssociationSet": [
        {"CidrBlock": "10.20.0.0/16", "CidrBlockState": {"State": "associated"}},
        {"CidrBlock": "10.22.0.0/16", "CidrBlockState": {"State": "disassociated"}},
        {"CidrBlock": "10.23.0.0/16", "CidrBlockState": {"State": "disassociating"}}],
        "VpcId": "vpc-1", "CidrBlock": "10.20.0.0/16"}]}
    inv = _read(tmp_path, "aws/prod-123456789012/us-east-1/x.json", json.dumps(doc, indent=4))
    assert _rows(inv) == [
        ("10.20.0.0/16", "aws:vpc-1", 25, "/Vpcs/0/CidrBlock"),
        ("10.20.0.0/16", "aws:vpc-1", 6, "/Vpcs/0/CidrBlockAssociationSet/0/CidrBlock"),
        ("10.23.0.0/16", "aws:vpc-1", 18, "/Vpcs/0/CidrBlockAssociationSet/2/CidrBlock"),
    ]
    assert inv.records[0].labels.account == "123456789012"
    assert inv.records[0].labels.region == "us-east-1"
    assert [(i.value, i.reason) for i in inv.ignored] == [
        ("10.22.0.0/16", "association state is disassociated")]
    assert [n.message for n in inv.notices] == [
        "association state is disassociating: kept as allocated"]


def test_aws_subnets_ipv6_native_and_region_from_arn(tmp_path: Path) -> None:
    doc = {"Subnets": [{"Ipv6CidrBlockAssociationSet": [
        {"Ipv6CidrBlock": "2600:1f18::/64", "Ipv6CidrBlockState": {"State": "associated"}}],
        "SubnetArn": "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-1", "Ipv6Native": True,
        "SubnetId": "subnet-1", "VpcId": "vpc-9"}]}
    inv = _read(tmp_path, "subnets.json", json.dumps(doc, indent=4))
    assert _rows(inv) == [("2600:1f18::/64", "aws:vpc-9", 6,
                           "/Subnets/0/Ipv6CidrBlockAssociationSet/0/Ipv6CidrBlock")]
    assert inv.records[0].labels.region == "eu-west-1"


def test_terraform_show_json_one_line(tmp_path: Path) -> None:
    doc = {"format_version": "1.0", "values": {"root_module": {"child_modules": [{
        "address": "module.vpc", "resources": [
            {"address": "module.vpc.aws_subnet.private[0]", "mode": "managed",
             "type": "aws_subnet", "name": "private", "index": 0,
             "values": {"cidr_block": "10.0.1.0/24", "ipv6_cidr_block": "", "vpc_id": "vpc-7"}},
            {"address": "module.vpc.aws_route.r", "mode": "managed", "type": "aws_route",
             "name": "r", "values": {"destination_cidr_block": "0.0.0.0/0"}}]}]}}}
    inv = _read(tmp_path, "show.json", json.dumps(doc))
    assert [(str(r.prefix), r.scope, r.origin.address) for r in inv.records] == [
        ("10.0.1.0/24", "aws:vpc-7", "module.vpc.aws_subnet.private[0].cidr_block")]
    assert [i.origin.address for i in inv.ignored] == [
        "module.vpc.aws_route.r.destination_cidr_block"]


def test_terraform_v3_state_is_rejected_clearly(tmp_path: Path) -> None:
    inv = _read(tmp_path, "old.tfstate", json.dumps({"version": 3, "modules": []}))
    assert [s.reason for s in inv.skipped] == [
        "Terraform state version 3 (Terraform 0.11 or older) is not supported: "
        "upgrade it with Terraform 0.12 or later"]


def test_azurerm_state_subnet_block_and_resource_merge(tmp_path: Path) -> None:
    vnet_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
    state = {"version": 4, "resources": [
        {"mode": "managed", "type": "azurerm_virtual_network", "name": "v", "instances": [
            {"attributes": {"id": vnet_id, "name": "v", "address_space": ["10.1.0.0/16"],
                            "subnet": [{"name": "a", "address_prefixes": ["10.1.1.0/24"]}]}}]},
        {"mode": "managed", "type": "azurerm_subnet", "name": "a", "instances": [
            {"attributes": {"id": vnet_id + "/subnets/a", "address_prefixes": ["10.1.1.0/24"]}}]},
    ]}
    inv = _read(tmp_path, "terraform.tfstate", json.dumps(state, indent=2))
    assert {r.scope for r in inv.records} == {"azure:" + vnet_id.lower()}
    assert [r.origin.address for r in inv.records] == [
        "azurerm_virtual_network.v.address_space[0]",
        "azurerm_virtual_network.v.subnet[0].address_prefixes[0]",
        "azurerm_subnet.a.address_prefixes[0]"]


def test_hcl_literals_unresolved_and_comments(tmp_path: Path) -> None:
    text = '''resource "aws_vpc" "x" {
  # cidr_block = "10.9.0.0/16"
  cidr_block = "10.60.0.0/16"
}
resource "google_compute_subnetwork" "s" {
  network       = google_compute_network.n.id
  ip_cidr_range = var.range
  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = "10.64.0.0/14"
  }
}
'''
    inv = _read(tmp_path, "net/main.tf", text)
    folder = str(tmp_path / "net")
    assert _rows(inv) == [
        ("10.60.0.0/16", f"tf:{folder}:aws_vpc.x", 3, "aws_vpc.x.cidr_block"),
        ("10.64.0.0/14", f"tf:{folder}:google_compute_network.n", 10,
         "google_compute_subnetwork.s.secondary_ip_range[0].ip_cidr_range"),
    ]
    assert all(r.labels.planned for r in inv.records)
    assert [(i.origin.line, i.value) for i in inv.ignored] == [(7, "${var.range}")]


def test_azure_vnet_list_peering_is_reference(tmp_path: Path) -> None:
    doc = [{"addressSpace": {"addressPrefixes": ["10.130.0.0/16"]}, "id": "/subscriptions/s/x/v",
            "name": "v", "subnets": [{"addressPrefix": "10.130.1.0/24", "name": "a"},
                                     {"addressPrefixes": ["10.130.2.0/24", "fd4a::/64"]}],
            "virtualNetworkPeerings": [
                {"remoteAddressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}]}]
    inv = _read(tmp_path, "vnets.json", json.dumps(doc, indent=2))
    assert [str(r.prefix) for r in inv.records] == [
        "10.130.0.0/16", "10.130.1.0/24", "10.130.2.0/24", "fd4a::/64"]
    assert [i.value for i in inv.ignored] == ["10.9.0.0/16"]


def test_gcp_uncompressed_ipv6_merges_with_compressed(tmp_path: Path) -> None:
    doc = [{"externalIpv6Prefix": "2600:1900:4010:7b4:0:0:0:0/64", "ipCidrRange": "10.120.0.0/20",
            "ipv6CidrRange": "2600:1900:4010:7b4::/64", "kind": "compute#subnetwork",
            "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/n",
            "secondaryIpRanges": [{"ipCidrRange": "10.124.0.0/14", "rangeName": "pods"}]}]
    inv = _read(tmp_path, "subnets.json", json.dumps(doc, indent=2, sort_keys=True))
    assert {str(r.prefix) for r in inv.records} == {
        "10.120.0.0/20", "2600:1900:4010:7b4::/64", "10.124.0.0/14"}
    assert {r.scope for r in inv.records} == {"gcp:projects/p/global/networks/n"}


def test_kubeadm_dual_stack_and_implied_service_subnet(tmp_path: Path) -> None:
    text = """apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: 10.0.0.5
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
clusterName: dc1
networking:
  podSubnet: 10.244.0.0/16,fd00:ac:244::/56
"""
    inv = _read(tmp_path, "kubeadm.yaml", text)
    assert [(str(r.prefix), r.scope, r.origin.line, r.origin.column) for r in inv.records] == [
        ("10.244.0.0/16", "k8s:dc1", 10, "element 1"),
        ("fd00:ac:244::/56", "k8s:dc1", 10, "element 2"),
        ("10.96.0.0/12", "k8s:dc1", 9, "implied default"),
    ]


def test_nodes_cluster_from_folder_and_calico_list(tmp_path: Path) -> None:
    nodes = {"apiVersion": "v1", "items": [{"kind": "Node", "metadata": {"name": "n1"},
             "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"]}}],
             "kind": "List"}
    inv = _read(tmp_path, "edge/nodes.json", json.dumps(nodes, indent=4, sort_keys=True))
    assert {(str(r.prefix), r.scope) for r in inv.records} == {("10.244.1.0/24", "k8s:edge")}
    pools = ("kind: List\nitems:\n- kind: IPPool\n  metadata: {name: p}\n  spec:\n"
             "    cidr: 192.168.0.0/16\n")
    inv = _read(tmp_path, "edge/pools.yaml", pools)
    assert _rows(inv) == [("192.168.0.0/16", "k8s:edge", 6, "/0/items/0/spec/cidr")]


def test_netbox_csv_bom_crlf_quotes_and_vrf(tmp_path: Path) -> None:
    text = ("\ufeffPrefix,Status,VRF,Description\r\n10.1.0.0/16,Container,Global,\"a, b\"\r\n"
            "10.1.1.0/24,Deprecated,Global,old\r\n10.1.0.0/16,Active,lab,x\r\n")
    inv = _read(tmp_path, "netbox_prefixes.csv", text)
    assert [(str(r.prefix), r.scope, r.origin.line, r.labels.kind, r.labels.name)
            for r in inv.records] == [
        ("10.1.0.0/16", "netbox:Global", 2, "container", "a, b"),
        ("10.1.0.0/16", "netbox:lab", 4, "prefix", "x")]
    assert [(i.origin.line, i.value) for i in inv.ignored] == [(3, "10.1.1.0/24")]


def test_netbox_api_page(tmp_path: Path) -> None:
    doc = {"count": 1, "next": None, "results": [
        {"id": 3, "prefix": "10.5.0.0/22", "vrf": {"name": "prod"}, "status": {"value": "active"},
         "family": {"value": 4}}]}
    inv = _read(tmp_path, "api.json", json.dumps(doc, indent=4))
    assert _rows(inv) == [("10.5.0.0/22", "netbox:prod", 7, "/results/0/prefix")]


def test_text_list_ranges_comments_and_malformed(tmp_path: Path) -> None:
    text = ("# header 10.0.0.0/8\n10.9.1.0-10.9.2.255 two blocks\n10.8.0.0 – 10.8.0.255\n"
            "10.1.0.0 255.255.0.0 office\n192.0.2.10\n10.1.2.3/16\nTBD\n")
    inv = _read(tmp_path, "list.txt", text)
    assert [(str(r.prefix), r.origin.line, r.labels.name) for r in inv.records] == [
        ("10.9.1.0/24", 2, "two blocks"), ("10.9.2.0/24", 2, "two blocks"),
        ("10.8.0.0/24", 3, None), ("10.1.0.0/16", 4, "office"), ("192.0.2.10/32", 5, None)]
    assert [(m.origin.line, m.value, m.message) for m in inv.malformed] == [
        (6, "10.1.2.3/16", "host bits set (did you mean 10.1.0.0/16?)"),
        (7, "TBD", "not an IPv4 or IPv6 address")]


def test_excel_csv_cidr_column_by_header(tmp_path: Path) -> None:
    text = "\ufeffNotes,Name,Subnet\r\n\"see 10.0.0.0/8\",lan,\xa010.2.0.0/24 \r\n,,\r\nx,y,n/a\r\n"
    inv = _read(tmp_path, "plan.csv", text)
    assert [(str(r.prefix), r.origin.line, r.origin.column, r.labels.name)
            for r in inv.records] == [("10.2.0.0/24", 2, "Subnet", "lan")]
    assert [(m.origin.line, m.value) for m in inv.malformed] == [(4, "n/a")]


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("README.md", "# Notes\nSome prose about the network.\n", "unrecognised format"),
    ("data.json", '{"hello": 1}', "JSON of an unrecognised shape"),
    ("bad.json", '{"Vpcs": [', "bad.json:1:11: not valid JSON: unexpected end of input"),
])
def test_unknown_files_are_skipped_not_fatal(tmp_path: Path, name: str, text: str,
                                             reason: str) -> None:
    inv = _read(tmp_path, name, text)
    reasons = [s.reason.replace(str(tmp_path) + "/", "") for s in inv.skipped]
    assert len(reasons) == 1 and reasons[0].startswith(reason)


def test_read_file_detects_content_not_name(tmp_path: Path) -> None:
    inv = Inventory()
    read_file("renamed.txt", json.dumps({"Vpcs": [{"VpcId": "v", "CidrBlock": "10.0.0.0/8"}]}),
              inv)
    assert inv.formats == {"renamed.txt": "aws-describe-vpcs"}
