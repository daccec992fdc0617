"""Sizing from demand, Kubernetes models and the NAT calculator, with exact figures."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cidrkit.plan.k8s import size_cluster
from cidrkit.plan.nat import NatDemand, concurrency_from_rate, plan_nat
from cidrkit.plan.profiles import PROFILES
from cidrkit.plan.sizing import length_for_children, parse_percent, size_for_hosts

RESERVED = {"aws": 5, "azure": 5, "gcp": 4, "none": 0}
SMALLEST = {"aws": 28, "azure": 29, "gcp": 29, "none": 32}


@pytest.mark.parametrize(
    ("hosts", "growth", "cloud", "need", "length"),
    [
        (400, "50%", "aws", 600, 22),
        (251, "0%", "aws", 251, 24),     # exact fit: 256 - 5
        (252, "0%", "aws", 252, 23),
        (252, "0%", "gcp", 252, 24),     # 256 - 4
        (256, "0%", "none", 256, 24),    # exact fit is not rounded up
        (257, "0%", "none", 257, 23),
        (3, "0%", "aws", 3, 28),         # AWS subnets are at least /28
        (3, "0%", "azure", 3, 29),
        (100, "10%", "none", 110, 25),   # exact arithmetic: not 110.00000000000001
        (1, "0%", "none", 1, 32),
    ],
)
def test_size_for_hosts(hosts: int, growth: str, cloud: str, need: int, length: int) -> None:
    sizing = size_for_hosts(hosts, parse_percent(growth), PROFILES[cloud])
    assert (sizing.need, sizing.length) == (need, length)


def test_size_steps_show_the_arithmetic() -> None:
    sizing = size_for_hosts(400, Fraction(1, 2), PROFILES["aws"])
    assert sizing.steps == [
        "need = ceil(400 × (1 + 50%)) = 600 addresses",
        "/22: 1024 addresses − 5 reserved by aws = 1019 usable ≥ 600",
        "/23 would give 507 usable < 600",
    ]


def test_demand_beyond_any_block_has_no_length() -> None:
    assert size_for_hosts((1 << 32) + 1, Fraction(0), PROFILES["none"]).length is None


@given(st.integers(1, 5_000_000), st.integers(0, 300), st.sampled_from(sorted(RESERVED)))
def test_size_is_the_smallest_block_that_holds_the_demand(
    hosts: int, growth_percent: int, cloud: str
) -> None:
    # Oracle: walk block sizes upwards by brute force.
    need = -(-hosts * (100 + growth_percent) // 100)
    size = 1 << (32 - SMALLEST[cloud])
    while size - RESERVED[cloud] < need:
        size *= 2
    sizing = size_for_hosts(hosts, Fraction(growth_percent, 100), PROFILES[cloud])
    assert sizing.need == need
    assert sizing.length == 32 - int(math.log2(size))


@pytest.mark.parametrize(
    ("text", "value"),
    [("50%", Fraction(1, 2)), ("12.5%", Fraction(1, 8)), (25, Fraction(1, 4)), ("0%", 0)],
)
def test_parse_percent(text: object, value: Fraction) -> None:
    assert parse_percent(text) == value


@pytest.mark.parametrize("text", ["-5%", "lots", True, None, "5%%"])
def test_parse_percent_rejects(text: object) -> None:
    with pytest.raises(ValueError, match="is not a percentage"):
        parse_percent(text)


def test_length_for_children_applies_headroom_then_rounds_up() -> None:
    # 3 × /24 = 768 addresses; × 1.25 = 960 → /22 (1024).
    assert length_for_children([24, 24, 24], Fraction(1, 4), 32) == (22, 960)
    # Without headroom an exact fit stays: 2 × /25 = /24.
    assert length_for_children([25, 25], Fraction(0), 32) == (24, 256)


def _ranges(demand: object) -> dict[str, tuple[int, int, bool]]:
    return {r.role: (r.length, r.need, r.in_network) for r in demand.ranges}  # type: ignore[attr-defined]


def test_gke_reserves_twice_max_pods_per_node() -> None:
    demand = size_cluster("gke", nodes=50, max_pods_per_node=110, surge_nodes=5)
    assert _ranges(demand) == {
        "nodes": (26, 55, True),          # 55 nodes + 4 reserved → /26 (60 usable)
        "pods": (18, 55 * 256, True),     # 2 × 110 = 220 → /24 per node
        "services": (20, 4096, True),
    }


def test_eks_pods_consume_subnet_addresses() -> None:
    demand = size_cluster("eks", nodes=30, max_pods_per_node=50, surge_nodes=3)
    # 33 × (50 + 1) = 1683 → /21 under AWS (2043 usable).
    assert _ranges(demand) == {"nodes": (21, 1683, True), "services": (16, 65536, False)}


def test_azure_cni_reserves_max_pods_up_front() -> None:
    demand = size_cluster("azure-cni", nodes=10, max_pods_per_node=30)
    assert _ranges(demand)["nodes"] == (23, 310, True)


def test_aks_overlay_pods_are_private() -> None:
    demand = size_cluster("aks-overlay", nodes=100, max_pods_per_node=250, services=1000)
    assert _ranges(demand) == {
        "nodes": (25, 100, True),
        "pods": (17, 100 * 256, False),
        "services": (22, 1000, False),
    }


def test_cluster_rejects_bad_counts() -> None:
    with pytest.raises(ValueError, match="nodes must be at least 1, got 0"):
        size_cluster("eks", nodes=0, max_pods_per_node=10)
    with pytest.raises(ValueError, match="unknown Kubernetes model 'k3s'"):
        size_cluster("k3s", nodes=1, max_pods_per_node=10)  # type: ignore[arg-type]


def test_aws_nat_per_destination_limit() -> None:
    result = plan_nat("aws", NatDemand(clients=2000, per_destination=100))
    assert (result.ips, result.gateways) == (4, 1)
    assert result.capacity_per_destination == 220_000
    assert result.headroom == pytest.approx(0.1)


def test_aws_nat_needs_a_second_gateway_past_eight_ips() -> None:
    result = plan_nat("aws", NatDemand(clients=10_000, per_destination=50))
    assert (result.ips, result.gateways) == (10, 2)


def test_azure_nat_counts_both_budgets() -> None:
    # Busiest destination: 1000 × 40 = 40,000 → 1 IP; all ports: 1000 × 300 → 5 IPs.
    result = plan_nat("azure", NatDemand(clients=1000, per_destination=40, total=300))
    assert (result.ips, result.gateways) == (5, 1)
    assert "IPs for all SNAT ports: ceil(300,000 / 64,512) = 5" in result.steps
    # The port budget is the tighter limit: 5 × 64,512 = 322,560 for 300,000.
    assert result.headroom == pytest.approx(322_560 / 300_000 - 1)


def test_gcp_nat_ports_per_vm() -> None:
    result = plan_nat("gcp", NatDemand(clients=500, per_destination=300))
    assert (result.ips, result.ports_per_vm) == (4, 512)
    assert result.warnings == []
    explicit = plan_nat("gcp", NatDemand(clients=500, per_destination=300), min_ports_per_vm=64)
    assert explicit.warnings == [
        "min ports per VM 64 < 300 connections per VM to one destination: VMs will drop "
        "connections; set it to at least 512"
    ]


def test_existing_deployment_that_is_too_small_warns() -> None:
    result = plan_nat("aws", NatDemand(clients=2000, per_destination=100), existing_ips=2)
    assert result.headroom == pytest.approx(110_000 / 200_000 - 1)
    assert result.warnings == ["2 IPs are not enough: 4 needed"]


def test_little_law() -> None:
    assert concurrency_from_rate(10, 30) == 300
    assert concurrency_from_rate(0.5, 3) == 2


def test_cloud_minimum_is_explained() -> None:
    sizing = size_for_hosts(3, Fraction(0), PROFILES["aws"])
    assert sizing.steps[-1] == "/29 is smaller than aws allows for a subnet"


def test_every_cloud_has_one_profile_and_the_core_reservations() -> None:
    from cidrkit.core.usable import CLOUDS, MODELS

    assert tuple(PROFILES) == CLOUDS
    for name, cloud in PROFILES.items():
        model = MODELS[cloud.usable_model]
        assert cloud.reserved == model.front + model.back, name
        # A /24 of the cloud has exactly its reserved addresses fewer than 256.
        assert model.usable(32, 24) == 256 - cloud.reserved, name
