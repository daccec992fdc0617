"""One regression test per defect found by auditing real files (each failed before its fix)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cidrkit.audit.engine import audit
from cidrkit.sources import aws, read_inventory
from tests.cli.runner import cli

CORPUS = Path(__file__).parent / "corpus"


def _write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return str(path)


# 1. One bad file kills the run.

def test_cloudformation_short_tags_do_not_end_the_run(tmp_path: Path) -> None:
    (tmp_path / "cfn.yaml").write_text(
        (CORPUS / "cloudformation/vpc-with-subnets.yaml").read_text(encoding="utf-8"))
    _write(tmp_path / "list.txt", "10.192.0.0/16 clash\n")
    result = cli("audit", str(tmp_path))
    assert result.code == 1 and result.err == ""
    assert "10.192.0.0/16" in result.out and "CONFLICTS: " in result.out
    assert cli("why", "10.192.10.5", str(tmp_path)).code == 0


def test_a_reader_that_fails_skips_only_its_file_and_takes_back_its_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_then_crash(doc: object, sink: object) -> None:
        original(doc, sink)
        raise TypeError("a bug")

    original = aws.read_vpcs
    monkeypatch.setattr(aws, "read_vpcs", half_then_crash)
    vpcs = _write(tmp_path / "a/vpcs.json", (CORPUS / "aws/describe-vpcs.json").read_text())
    _write(tmp_path / "b/list.txt", "10.9.0.0/16\n")
    inventory = read_inventory([str(tmp_path)])
    assert [str(r.prefix) for r in inventory.records] == ["10.9.0.0/16"]
    assert inventory.ignored == []
    assert [(s.file, s.reason) for s in inventory.skipped] == [
        (vpcs, "internal error while reading (TypeError: a bug); please report it with the file")]


# 2. Terraform plan JSON reads nothing.

def test_plan_json_is_read_and_why_finds_a_planned_subnet() -> None:
    plan = str(CORPUS / "terraform/plan.json")
    result = cli("why", "10.80.1.9", plan)
    assert result.code == 0
    assert "10.80.1.0/24  subnet app-b  holds it" in result.out
    assert "aws_subnet.app[1].cidr_block" in result.out


def test_two_plans_in_one_folder_are_two_projects(tmp_path: Path) -> None:
    text = (CORPUS / "terraform/plan.json").read_text(encoding="utf-8")
    _write(tmp_path / "payments.plan.json", text)
    _write(tmp_path / "billing.plan.json", text)
    result = cli("audit", "--format", "json", str(tmp_path))
    report = json.loads(result.out)
    planned = {c["a"]["prefix"] for c in report["conflicts"]
               if c["a"]["scope"].startswith("tf:") and c["b"]["scope"].startswith("tf:")}
    assert "10.80.0.0/16" in planned and result.code == 1


def test_plan_values_known_only_after_apply_are_reported() -> None:
    inventory = read_inventory([str(CORPUS / "terraform/plan.json")])
    unknown = [(i.origin.address, i.origin.line) for i in inventory.ignored
               if i.value == "(known after apply)"]
    assert ("aws_vpc.ipam.cidr_block", 1) in unknown


def test_terraform_plan_event_stream_says_what_to_run() -> None:
    result = cli("audit", str(CORPUS / "terraform/plan-events.json"))
    assert result.code == 2
    assert "terraform show -json PLANFILE" in result.out


# 3. HCL.

def test_hcl_line_numbers_are_searched_within_their_own_block(tmp_path: Path) -> None:
    # Attributes are read in a fixed order (public before private, IPv4 before
    # IPv6) that the text need not follow, and a literal may repeat in a tag.
    path = _write(tmp_path / "main.tf", '''module "vpc" {
  source          = "terraform-aws-modules/vpc/aws"
  cidr            = "10.0.0.0/16"
  private_subnets = ["10.0.1.0/24", "10.0.2.0/24"]
  public_subnets  = ["10.0.101.0/24"]
}

resource "aws_subnet" "a" {
  vpc_id          = aws_vpc.main.id
  tags            = { note = "10.0.3.0/24" }
  ipv6_cidr_block = "2001:db8:0:1::/64"
  cidr_block      = "10.0.3.0/24"
}
''')
    inventory = read_inventory([path])
    assert sorted((str(r.origin.address), r.origin.line) for r in inventory.records) == [
        ("aws_subnet.a.cidr_block", 12), ("aws_subnet.a.ipv6_cidr_block", 11),
        ("module.vpc.cidr", 3), ("module.vpc.private_subnets[0]", 4),
        ("module.vpc.private_subnets[1]", 4), ("module.vpc.public_subnets[0]", 5)]


def test_hcl_modules_locals_and_variable_defaults() -> None:
    inventory = read_inventory([str(CORPUS / "terraform/project/main.tf")])
    by_address = {r.origin.address: (str(r.prefix), r.origin.line) for r in inventory.records}
    assert by_address["module.vpc.cidr"] == ("10.110.0.0/16", 14)
    assert by_address["module.vpc.private_subnets[2]"] == ("10.110.10.0/24", 16)
    assert by_address["module.vpc.database_subnets[1]"] == ("10.110.21.0/24", 18)
    assert by_address["module.vpc_git.cidr"] == ("10.111.0.0/16", 25)
    assert by_address[
        "module.gke_network.secondary_ranges.gke-primary[0].ip_cidr_range"] == (
        "10.124.0.0/14", 53)
    assert [i.origin.line for i in inventory.ignored] == [66]


# 4. Tables.

def test_infoblox_networks_are_never_read_as_host_routes() -> None:
    inventory = read_inventory([str(CORPUS / "infoblox/networks.csv")])
    assert all(r.prefix.length < 32 for r in inventory.records)
    assert {r.scope for r in inventory.records} == {"infoblox:default", "infoblox:guest"}


def test_an_address_column_with_a_mask_column_is_never_slash_32(tmp_path: Path) -> None:
    path = _write(tmp_path / "nets.csv", "Address*,Netmask*,comment\n10.5.0.0,255.255.0.0,x\n")
    assert [str(r.prefix) for r in read_inventory([path]).records] == ["10.5.0.0/16"]


def test_an_unrecognised_table_names_the_headers_seen_and_understood(tmp_path: Path) -> None:
    path = _write(tmp_path / "hosts.csv", "hostname,owner,rack\nweb1,ops,r1\n")
    (skipped,) = read_inventory([path]).skipped
    assert skipped.reason.startswith(
        "unrecognised format: a table with columns hostname, owner, rack; none holds networks: "
        "expected a CIDR column (cidr, prefix, network")
    assert "netmask" in skipped.reason


# 5. Wrappers and states.

def test_association_states_are_compared_in_any_case() -> None:
    inventory = read_inventory([str(CORPUS / "aws/describe-vpcs.json")])
    assert "2001:db8:1234:1a00::/56" in {str(r.prefix) for r in inventory.records}


def test_an_empty_kubeadm_field_is_not_set() -> None:
    inventory = read_inventory([str(CORPUS / "kubernetes/lab/kubeadm-config.yaml")])
    assert inventory.malformed == []
    services = [r for r in inventory.records if r.labels.kind == "service-cidr"]
    assert [(str(r.prefix), r.origin.column) for r in services] == [
        ("10.96.0.0/12", "implied default")]


# 6. Scoping.

def test_kubernetes_files_naming_their_cluster_are_not_merged_by_folder(tmp_path: Path) -> None:
    for name in ("east", "west"):
        _write(tmp_path / "clusters" / f"{name}.yaml",
               f"kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: {name}\n")
    report = json.loads(cli("audit", "--format", "json", str(tmp_path)).out)
    pairs = {(c["a"]["scope"], c["b"]["scope"], c["a"]["prefix"]) for c in report["conflicts"]}
    assert pairs == {("k8s:east", "k8s:west", "10.244.0.0/16"),
                     ("k8s:east", "k8s:west", "10.96.0.0/16")}


def test_nodes_of_a_file_that_names_its_cluster_join_that_cluster(tmp_path: Path) -> None:
    path = _write(tmp_path / "k8s" / "all.yaml", """kind: ClusterConfiguration
apiVersion: kubeadm.k8s.io/v1beta4
clusterName: blue
networking:
  podSubnet: 10.244.0.0/16
---
kind: Node
apiVersion: v1
metadata:
  name: node-1
spec:
  podCIDR: 10.244.1.0/24
""")
    assert {r.scope for r in read_inventory([path]).records} == {"k8s:blue"}


def test_nodes_labelled_with_their_cluster_are_scoped_by_it(tmp_path: Path) -> None:
    nodes = {"kind": "NodeList", "apiVersion": "v1", "items": [
        {"kind": "Node", "metadata": {"name": "ip-10-0-1-5",
                                      "labels": {"alpha.eksctl.io/cluster-name": "prod-eks"}},
         "spec": {"podCIDR": "10.0.32.0/24"}}]}
    path = _write(tmp_path / "k8s" / "nodes.json", json.dumps(nodes, indent=2))
    assert {r.scope for r in read_inventory([path]).records} == {"k8s:prod-eks"}


def test_a_planned_azure_subnet_joins_its_planned_vnet(tmp_path: Path) -> None:
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": "azurerm_virtual_network.hub", "mode": "managed",
         "type": "azurerm_virtual_network", "name": "hub",
         "values": {"name": "hub", "address_space": ["10.60.0.0/16"], "location": "westeurope"}},
        {"address": "azurerm_subnet.app", "mode": "managed", "type": "azurerm_subnet",
         "name": "app", "values": {"name": "app", "address_prefixes": ["10.60.1.0/24"]}},
        {"address": "google_compute_subnetwork.orphan", "mode": "managed",
         "type": "google_compute_subnetwork", "name": "orphan",
         "values": {"ip_cidr_range": "10.61.0.0/24"}}]}},
        "configuration": {"root_module": {"resources": [
            {"address": "azurerm_subnet.app", "expressions": {"virtual_network_name": {
                "references": ["azurerm_virtual_network.hub.name",
                               "azurerm_virtual_network.hub"]}}}]}}}
    path = _write(tmp_path / "plan.json", json.dumps(plan))
    inventory = read_inventory([path])
    scopes = {str(r.prefix): r.scope for r in inventory.records}
    assert scopes["10.60.1.0/24"] == scopes["10.60.0.0/16"] == \
        f"tf:{path}:azurerm_virtual_network.hub"
    assert scopes["10.61.0.0/24"] == f"tf:{path}:google_compute_subnetwork.orphan"
    assert all(r.labels.planned for r in inventory.records)


def test_a_closing_bracket_where_a_bicep_value_belongs_is_an_error_not_a_hang(
    tmp_path: Path,
) -> None:
    # Found by test_mangled: the array reader asked for the same value forever.
    path = _write(tmp_path / "net.bicep",
                  "resource v 'Microsoft.Network/virtualNetworks@2023-04-01' = {\n"
                  "  properties: { addressSpace: { addressPrefixes: [ '10.0.0.0/16' ) ] } }\n}\n")
    (skipped,) = read_inventory([path]).skipped
    assert skipped.reason == "not valid Bicep: line 2: expected a value, found ')'"


@pytest.mark.parametrize(("name", "document"), [
    # Found by the wrong-type fuzz: each raised inside a reader before.
    ("get.json", {"kind": [], "network": "n", "ipCidrRange": "10.0.0.0/24"}),
    ("agg.json", {"kind": "compute#subnetworkAggregatedList",
                  "items": {"regions/x": {"subnetworks": True}}}),
    ("ranges.json", {"results": [{"start_address": "10.0.0.1/24", "end_address": "10.0.0.9/24",
                                  "vrf": {"name": True}}]}),
    ("cfn.json", {"Resources": {"S": {"Type": "AWS::EC2::Subnet", "Properties": {
        "VpcId": {"Ref": ["VPC"]}, "CidrBlock": {"Fn::GetAtt": [["VPC"], "CidrBlock"]}}}}}),
    ("state.json", {"version": 4, "resources": [{"mode": "managed",
                    "type": "azurerm_virtual_network", "name": "v", "instances": [
                        {"attributes": {"id": "/subscriptions/s/x/virtualNetworks/v",
                                        "address_space": 5, "subnet": True}}]}]}),
    ("vnets.json", [{"id": "v", "name": ["not", "text"], "location": {"a": 1},
                     "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}]),
])
def test_values_of_the_wrong_type_never_break_a_reader(
    tmp_path: Path, name: str, document: object
) -> None:
    path = _write(tmp_path / name, json.dumps(document))
    inventory = read_inventory([path], columnar=True)
    assert [s.reason for s in inventory.skipped if "internal error" in s.reason] == []
    audit(inventory, columnar=True)  # labels are interned (hashed) on this path


def test_two_terraform_projects_in_one_folder_keep_their_own_scopes(tmp_path: Path) -> None:
    for env in ("prod", "staging"):
        _write(tmp_path / "tf" / f"{env}.tf", f'''terraform {{
  backend "s3" {{
    bucket = "acme-tf"
    key    = "{env}/network.tfstate"
  }}
}}

resource "aws_vpc" "main" {{
  cidr_block = "10.0.0.0/16"
}}
''')
    _write(tmp_path / "tf" / "variables.tf", 'variable "x" {\n  default = "a"\n}\n')
    inventory = read_inventory([str(tmp_path / "tf")])
    folder = str(tmp_path / "tf")
    assert sorted(r.scope for r in inventory.records) == [
        f"tf:{folder}#s3:acme-tf/prod/network.tfstate:aws_vpc.main",
        f"tf:{folder}#s3:acme-tf/staging/network.tfstate:aws_vpc.main"]
    assert cli("audit", str(tmp_path / "tf")).code == 1


def test_one_terraform_project_keeps_its_folder_scope(tmp_path: Path) -> None:
    _write(tmp_path / "tf" / "backend.tf", 'terraform {\n  backend "s3" {\n    key = "a"\n  }\n}\n')
    path = _write(tmp_path / "tf" / "main.tf", 'resource "aws_vpc" "main" {\n'
                                               '  cidr_block = "10.0.0.0/16"\n}\n')
    assert [r.scope for r in read_inventory([path]).records] == [
        f"tf:{tmp_path / 'tf'}:aws_vpc.main"]
