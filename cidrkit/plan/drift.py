"""Drift: a plan's lock compared with the address space really in use.

Reality is any inventory the importers read (``cidrkit discover`` output or
hand exports). Each planned block of a node that stands for a real network
(kind ``vpc``, ``subnet`` or ``range``; ``group`` nodes are bookkeeping) is
looked for, first as the exact prefix, then by name: a resource named like
the node's path (``shop/prod/web`` or ``shop-prod-web``). Four kinds of drift
come out:

``changed``
    a resource named after the node holds another prefix than the lock says;
``absent``
    the block is planned but neither the prefix nor a resource of that name exists;
``unplanned``
    space in use inside the plan's pools that no block accounts for (space
    inside a planned leaf block is the leaf's own business and not drift);
``outside``
    space in use outside every pool of the plan.

Unplanned and outside space is reported by its outermost prefix per scope:
the subnets of an unplanned VPC are part of the VPC's finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from cidrkit.core.ipset import IPSet
from cidrkit.core.prefix import Prefix
from cidrkit.plan.spec import Plan, PlanNode, block_key
from cidrkit.sources.record import Inventory, Origin, Record

DriftKind = Literal["changed", "absent", "unplanned", "outside"]
KINDS: tuple[DriftKind, ...] = ("changed", "absent", "unplanned", "outside")
_REAL_KINDS = ("vpc", "subnet", "range")


@dataclass(slots=True)
class Observed:
    """One prefix in use in one scope, with every place it was read from."""

    prefix: Prefix
    scope: str
    name: str | None
    kind: str | None
    origins: list[Origin] = field(default_factory=list)

    def describe(self) -> str:
        named = f" {self.name}" if self.name else ""
        return f"{self.kind or 'allocation'}{named} in {self.scope}"


@dataclass(frozen=True, slots=True)
class Drift:
    """One difference between the plan and reality.

    ``key`` and ``planned`` are the lock's entry (None for space nobody
    planned), ``actual`` what is in use (None when absent), ``where`` the
    node's place in the plan file.
    """

    kind: DriftKind
    key: str | None
    planned: Prefix | None
    actual: Observed | None
    where: str | None

    @property
    def message(self) -> str:
        if self.kind == "changed":
            assert self.actual is not None
            return (f"{self.key}: planned {self.planned}, but {self.actual.describe()} "
                    f"holds {self.actual.prefix}")
        if self.kind == "absent":
            return f"{self.key}: planned {self.planned}, not found in use"
        assert self.actual is not None
        if self.kind == "unplanned":
            return (f"{self.actual.prefix} ({self.actual.describe()}) is in the plan's pools "
                    "but in no planned block")
        return f"{self.actual.prefix} ({self.actual.describe()}) is outside every pool of the plan"


@dataclass(slots=True)
class DriftReport:
    """Every drift, in a stable order, and what was compared."""

    findings: list[Drift]
    as_planned: int
    compared: int
    inventory: Inventory

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for d in self.findings if d.kind == kind) for kind in KINDS}


def observe(records: Iterable[Record]) -> list[Observed]:
    """Merge records into one entry per (scope, prefix): a VPC's primary block read twice is one."""
    merged: dict[tuple[str, Prefix], Observed] = {}
    for record in records:
        key = (record.scope, record.prefix)
        seen = merged.get(key)
        if seen is None:
            seen = merged[key] = Observed(record.prefix, record.scope, record.labels.name,
                                          record.labels.kind)
        seen.origins.append(record.origin)
    return sorted(merged.values(), key=lambda o: (o.prefix, o.scope))


def _names(path: str) -> set[str]:
    return {path, path.replace("/", "-")}


def compare(plan: Plan, lock: Mapping[str, Prefix], inventory: Inventory) -> DriftReport:
    """Compare the lock's blocks with ``inventory``'s records; see the module docstring."""
    observed = observe(inventory.records)
    by_prefix: dict[Prefix, list[Observed]] = {}
    by_name: dict[str, list[Observed]] = {}
    for item in observed:
        by_prefix.setdefault(item.prefix, []).append(item)
        if item.name:
            by_name.setdefault(item.name, []).append(item)
    used: set[int] = set()
    findings: list[Drift] = []
    as_planned = compared = 0
    leaves: list[Prefix] = []
    for node, version, key in _blocks(plan):
        planned = lock.get(key)
        if planned is None:
            continue
        if not node.children:
            leaves.append(planned)
        if node.kind not in _REAL_KINDS:
            continue
        compared += 1
        named = [o for name in _names(node.path) for o in by_name.get(name, [])
                 if o.prefix.version == version]
        exact = [o for o in by_prefix.get(planned, []) if o in named] or by_prefix.get(planned)
        if exact:
            used.update(id(o) for o in exact)
            as_planned += 1
            continue
        if named:
            for other in named:
                used.add(id(other))
                findings.append(Drift("changed", key, planned, other, node.where))
            continue
        findings.append(Drift("absent", key, planned, None, node.where))
    leaf_space = IPSet(leaves)
    pools = [p for pool in plan.pools for p in pool.prefixes]
    for item in _outermost(o for o in observed
                           if id(o) not in used and o.prefix not in leaf_space):
        inside = any(item.prefix.overlaps(p) for p in pools)
        findings.append(Drift("unplanned" if inside else "outside", None, None, item, None))
    order = {kind: n for n, kind in enumerate(KINDS)}
    findings.sort(key=lambda d: (order[d.kind], d.key or "",
                                 d.actual.prefix if d.actual else d.planned,
                                 d.actual.scope if d.actual else ""))
    return DriftReport(findings, as_planned, compared, inventory)


def _outermost(items: Iterable[Observed]) -> list[Observed]:
    """Drop items inside another item of the same scope: an unplanned VPC's subnets are
    part of that one finding, not findings of their own."""
    kept: list[Observed] = []
    last: dict[str, Prefix] = {}
    for item in sorted(items, key=lambda o: (o.scope, o.prefix)):
        outer = last.get(item.scope)
        if outer is not None and item.prefix in outer:
            continue
        last[item.scope] = item.prefix
        kept.append(item)
    return kept


def _blocks(plan: Plan) -> Iterable[tuple[PlanNode, int, str]]:
    for node in plan.nodes():
        for version in (4, 6):
            if node.request(version) is not None:
                yield node, version, block_key(node.path, version)
