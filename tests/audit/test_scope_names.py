"""Scopes of the newer sources are named as people would say them."""

from __future__ import annotations

import pytest

from cidrkit.audit.model import ObservedBlock
from cidrkit.audit.scopes import collect_scopes
from cidrkit.core import Prefix
from cidrkit.sources.record import Labels, Origin


@pytest.mark.parametrize(("scope", "kind", "described"), [
    ("cfn:stacks/net.yaml:VPC", "vpc", "planned CloudFormation VPC VPC (stacks/net.yaml)"),
    ("arm:azure/main.bicep:vnet-app", "vnet", "planned Azure VNet vnet-app (azure/main.bicep)"),
    ("tf:plans/a.plan.json:module.vpc.aws_vpc.this", "vpc",
     "planned Terraform network module.vpc.aws_vpc.this (plans/a.plan.json)"),
    ("infoblox:default", "prefix", "Infoblox network view default"),
    ("aws-ipam:ipam/allocations.json", "prefix", "AWS IPAM pool ipam/allocations.json"),
])
def test_describe(scope: str, kind: str, described: str) -> None:
    alloc = ObservedBlock(0, Prefix.parse("10.0.0.0/16"), scope, Labels(kind),
                       [Origin("f")])
    assert collect_scopes([alloc])[scope].describe() == described
