"""The two-company fixture: every expected finding, checked by hand, and golden reports.

Set CIDRKIT_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from tests.cli.runner import REPO_ROOT, cli

GOLDEN = REPO_ROOT / "tests" / "audit" / "golden"
INVENTORY = "examples/inventory"

# Worked out by hand from the fixture files: (prefix a, prefix b, relation) for every
# cross-scope overlap, with a's scope sorting first.
EXPECTED_CONFLICTS = {
    ("10.40.0.0/16", "10.40.0.0/20", "a_contains_b"),     # staging VPC vs GCP legacy-euw1
    ("10.40.0.0/20", "10.40.0.0/20", "equal"),            # staging-app-a vs legacy-euw1
    ("10.20.0.0/16", "10.20.0.0/16", "equal"),            # prod-core vs vnet-eus-hub, vs lab VRF
    ("10.20.0.0/16", "10.20.0.0/24", "a_contains_b"),
    ("10.20.0.0/16", "10.20.254.0/26", "a_contains_b"),
    ("10.20.0.0/16", "10.20.255.0/27", "a_contains_b"),
    ("10.20.0.0/19", "10.20.0.0/16", "b_contains_a"),
    ("10.20.0.0/19", "10.20.0.0/24", "a_contains_b"),
    ("10.20.32.0/19", "10.20.0.0/16", "b_contains_a"),
    ("10.20.0.0/24", "10.20.0.0/16", "b_contains_a"),
    ("10.20.254.0/26", "10.20.0.0/16", "b_contains_a"),
    ("10.20.255.0/27", "10.20.0.0/16", "b_contains_a"),
    ("172.31.0.0/16", "172.31.0.0/16", "equal"),          # the two default VPCs
    ("10.130.0.0/16", "10.130.8.0/22", "a_contains_b"),   # vnet-eus-app vs NetBox DC2
    ("10.130.10.0/24", "10.130.8.0/22", "b_contains_a"),
    ("10.96.0.0/16", "10.96.0.0/12", "b_contains_a"),     # Chicago DC vs k8s services
    ("10.97.0.0/16", "10.96.0.0/12", "b_contains_a"),
    ("10.98.0.0/16", "10.96.0.0/12", "b_contains_a"),
    ("192.168.1.0/24", "192.168.0.0/16", "b_contains_a"),  # office LAN vs Calico default
    ("192.168.2.0/24", "192.168.0.0/16", "b_contains_a"),
    ("10.50.4.0/22", "10.50.0.0/16", "b_contains_a"),     # ML lab vs planned ML VPC
    ("10.50.4.0/22", "10.50.0.0/20", "b_contains_a"),
    ("192.168.0.0/16", "192.168.0.0/24", "a_contains_b"),  # Calico default vs OOB mgmt
    ("10.96.0.0/12", "10.100.0.0/16", "a_contains_b"),    # k8s services vs NetBox DC1
    ("10.96.0.0/12", "10.100.1.0/24", "a_contains_b"),
    ("10.96.0.0/12", "10.100.2.0/24", "a_contains_b"),
    ("10.96.0.0/12", "10.100.8.0/22", "a_contains_b"),
}


def _audit_json(*extra: str) -> dict[str, Any]:
    code, out, _ = cli("audit", INVENTORY, "--json", *extra, cwd=REPO_ROOT)
    assert code == 1
    return json.loads(out)  # type: ignore[no-any-return]


def test_fixture_conflicts_match_the_hand_check() -> None:
    report = _audit_json()
    found = {(c["a"]["prefix"], c["b"]["prefix"], c["relation"]) for c in report["conflicts"]}
    assert found == EXPECTED_CONFLICTS
    assert report["summary"]["conflicts"] == 31  # some pairs above occur in several scopes


def test_fixture_findings() -> None:
    report = _audit_json()
    malformed = {(m["file"].rsplit("/", 1)[1], m["line"], m["value"]) for m in report["malformed"]}
    assert malformed == {
        ("main.tf", 34, "10.50.300.0/24"),
        ("datacenter.txt", 7, "10.2.0/24"),
        ("datacenter.txt", 8, "10.3O.16.0/20"),
        ("datacenter.txt", 9, "10.8.0.255-10.8.0.0"),
        ("network-plan.csv", 4, "10.1.2.3/16"),
        ("network-plan.csv", 5, "10.1.256.0/24"),
        ("network-plan.csv", 7, "TBD"),
    }
    ignored_values = sorted(i["value"] for i in report["ignored"])
    assert "10.22.0.0/16" in ignored_values          # disassociated secondary CIDR
    assert "10.99.0.0/16" in ignored_values          # data source
    assert "203.0.113.0/24" in ignored_values        # security group rule
    assert "10.20.64.0/19" in ignored_values         # deposed subnet
    allocated = {a["prefix"] for a in report["allocations"]}
    assert not allocated & {"10.22.0.0/16", "10.99.0.0/16", "203.0.113.0/24", "10.0.0.0/8",
                            "0.0.0.0/0", "10.20.64.0/19", "10.100.200.0/24"}
    [nesting] = report["nesting"]
    assert nesting["allocation"]["prefix"] == "10.41.0.0/24"


def test_same_vpc_from_cli_state_and_hcl_is_one_allocation() -> None:
    report = _audit_json()
    [core] = [a for a in report["allocations"]
              if a["prefix"] == "10.20.0.0/16" and a["scope"] == "aws:vpc-0a3f5c9e12b7d4e61"]
    files = sorted({o["file"].rsplit("/", 1)[1] for o in core["observations"]})
    assert files == ["describe-vpcs.json", "main.tf", "terraform.tfstate"]


def test_connections_make_unconnected_conflicts_latent() -> None:
    report = _audit_json("--connections", f"{INVENTORY}/connections.yaml")
    blocking = {(c["a"]["scope"].split(":")[0], c["b"]["scope"].split(":")[0],
                 c["a"]["prefix"], c["b"]["prefix"])
                for c in report["conflicts"] if c["severity"] == "blocking"}
    assert ("aws", "azure", "10.20.0.0/16", "10.20.0.0/16") in blocking
    assert ("k8s", "netbox", "10.96.0.0/12", "10.100.1.0/24") in blocking
    assert report["summary"]["blocking"] == 11
    assert report["summary"]["latent"] == 20


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("table.txt", ()),
        ("report.json", ("--format", "json")),
        ("report.md", ("--format", "markdown")),
        ("report.sarif", ("--format", "sarif", "--connections",
                          f"{INVENTORY}/connections.yaml")),
        ("remedy.txt", ("--connections", f"{INVENTORY}/connections.yaml",
                        "--pool", "10.200.0.0/13")),
    ],
)
def test_golden_reports(name: str, args: tuple[str, ...]) -> None:
    code, out, err = cli("audit", INVENTORY, *args, cwd=REPO_ROOT)
    assert (code, err) == (1, "")
    path = GOLDEN / name
    if os.environ.get("CIDRKIT_UPDATE_GOLDEN"):
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


def test_why_lists_innermost_first() -> None:
    code, out, _ = cli("why", "10.20.0.9", INVENTORY, cwd=REPO_ROOT)
    assert code == 0
    lines = [ln.split()[0] for ln in out.splitlines()[1:] if ln.startswith("  ") and
             not ln.startswith("      ")]
    assert lines == ["10.20.0.0/24", "10.20.0.0/19", "10.20.0.0/16", "10.20.0.0/16",
                     "10.20.0.0/16"]


def test_why_nothing_found_in_a_partly_read_inventory_exits_2() -> None:
    # The fixture holds a connections file and malformed rows: "no" is not certain.
    code, out, err = cli("why", "198.51.100.7", INVENTORY, cwd=REPO_ROOT)
    assert (code, out) == (2, "198.51.100.7 is in no allocation of the inventories\n")
    assert err.endswith("cidrkit: error: 198.51.100.7 is in no allocation read, but 1 skipped "
                        "file and 7 malformed values could not be read: the answer is not "
                        "certain\n")


def test_exit_codes() -> None:
    code, _, _ = cli("audit", f"{INVENTORY}/acme/aws/acme-prod-482915730164", cwd=REPO_ROOT)
    assert code == 0
    code, _, _ = cli("audit", f"{INVENTORY}/globex/onprem", cwd=REPO_ROOT)
    assert code == 2  # malformed rows only, no conflicts
    code, _, err = cli("audit", "no/such/dir", cwd=REPO_ROOT)
    assert (code, err) == (2, "cidrkit: error: no/such/dir: no such file or folder\n")
