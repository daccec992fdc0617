"""Rules both audit paths share: how one allocation's labels merge, where nested blocks belong.

The object path (``engine``) and the columnar path (``columnar_audit`` over
``block_columns``) must give the same report byte for byte, so the rules
they apply live here, below both, rather than in either.
"""

from __future__ import annotations

from collections.abc import Sequence

from cidrkit.audit.model import KIND_RANK, NestingFinding, ObservedBlock
from cidrkit.sources.record import Labels

#: kind of a nested allocation -> kinds that must contain it in the same scope.
PARENT_KINDS = {"subnet": {"vpc", "vnet", "network"}, "node-pod-cidr": {"pod-cidr"},
                "secondary-range": set()}


def merge_labels(old: Labels, new: Labels) -> Labels:
    """Labels of one allocation seen twice: the broader kind, first name and facts wins."""
    kind = old.kind
    if new.kind is not None and KIND_RANK.get(new.kind, 9) < KIND_RANK.get(kind or "", 9):
        kind = new.kind
    return Labels(
        kind,
        old.name or new.name,
        old.account or new.account,
        old.region or new.region,
        old.resource or new.resource,
        old.planned and new.planned,
        old.default or new.default,
        old.note or new.note,
    )


def check_nesting(allocations: Sequence[ObservedBlock]) -> list[NestingFinding]:
    """Subnets outside every block of their own VPC/VNet, node pod CIDRs outside the pod CIDR.

    Only checked when the scope's parent blocks are known at all: a subnet
    export without its VPC export says nothing about the VPC.
    """
    by_scope: dict[str, list[ObservedBlock]] = {}
    for alloc in allocations:
        by_scope.setdefault(alloc.scope, []).append(alloc)
    findings: list[NestingFinding] = []
    for members in by_scope.values():
        for alloc in members:
            parents = PARENT_KINDS.get(alloc.kind or "")
            if not parents:
                continue
            blocks = [m for m in members if m.kind in parents]
            if blocks and not any(m.prefix.contains(alloc.prefix) for m in blocks
                                  if m.prefix.version == alloc.prefix.version):
                if not any(m.prefix.version == alloc.prefix.version for m in blocks):
                    continue  # e.g. an IPv6 subnet in a VPC whose IPv6 block was not exported
                outer = ", ".join(str(m.prefix) for m in blocks)
                findings.append(NestingFinding(
                    alloc, f"{alloc.kind} {alloc.prefix} is outside its scope's blocks ({outer})"))
    findings.sort(key=lambda f: f.allocation.index)
    return findings
