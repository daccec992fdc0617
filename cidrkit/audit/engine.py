"""The audit: merge observations into allocations, find cross-scope overlaps, classify them.

``audit(inventory)`` is the library entry point behind ``cidrkit audit``. It
never reads files: the caller reads the inventory and the connections file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cidrkit.audit.connections import Connections
from cidrkit.audit.model import NestingFinding, ObservedBlock, ScopeConflict
from cidrkit.audit.remedy import plan_remedies
from cidrkit.audit.rules import check_nesting, merge_labels
from cidrkit.audit.scopes import ScopeInfo, collect_scopes
from cidrkit.audit.sweep import overlapping_pairs
from cidrkit.core import Prefix
from cidrkit.sources.record import Inventory, Record


@dataclass(slots=True)
class AuditReport:
    """Everything ``cidrkit audit`` reports, in deterministic order."""

    inventory: Inventory
    allocations: Sequence[ObservedBlock]
    conflicts: Sequence[ScopeConflict]
    nesting: list[NestingFinding]
    scopes: dict[str, ScopeInfo]
    pools: tuple[Prefix, ...] = ()
    connected: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def blocking(self) -> list[ScopeConflict]:
        """The conflicts between connected scopes (all of them without a connections file)."""
        return [c for c in self.conflicts if c.severity == "blocking"]

    @property
    def blocking_count(self) -> int:
        """How many conflicts are blocking, without building a columnar report's conflicts."""
        counted = getattr(self.conflicts, "blocking_count", None)
        return len(self.blocking) if counted is None else int(counted)

    def summary(self) -> dict[str, int]:
        """The ``summary`` object of the JSON schema."""
        inv = self.inventory
        blocking = self.blocking_count
        return {
            "files": len(inv.files),
            "records": inv.record_count,
            "allocations": len(self.allocations),
            "scopes": len(self.scopes),
            "conflicts": len(self.conflicts),
            "blocking": blocking,
            "latent": len(self.conflicts) - blocking,
            "malformed": len(inv.malformed),
            "ignored": len(inv.ignored),
            "notices": len(inv.notices),
            "nesting": len(self.nesting),
            "skipped": len(inv.skipped),
        }


def merge_records(records: Iterable[Record]) -> list[ObservedBlock]:
    """One allocation per (scope, prefix): the same resource seen twice is one allocation.

    Allocations come out sorted by prefix (IPv4 first) then scope; ``index`` is
    the position in that order.
    """
    merged: dict[tuple[str, int, int, int], ObservedBlock] = {}
    for record in records:
        p = record.prefix
        key = (record.scope, p.bits, p.value, p.length)
        alloc = merged.get(key)
        if alloc is None:
            merged[key] = ObservedBlock(0, p, record.scope, record.labels, [record.origin])
        else:
            if record.labels != alloc.labels:
                alloc.labels = merge_labels(alloc.labels, record.labels)
            if record.origin not in alloc.observations:
                alloc.observations.append(record.origin)
    ordered = [merged[k] for k in sorted(merged, key=lambda k: (k[1], k[2], k[3], k[0]))]
    for index, alloc in enumerate(ordered):
        alloc.index = index
    return ordered


def find_conflicts(
    allocations: Sequence[ObservedBlock],
    scopes: dict[str, ScopeInfo],
    connections: Connections | None = None,
) -> list[ScopeConflict]:
    """Every overlap between different scopes, oriented so ``a``'s scope sorts first."""
    groups: dict[str, frozenset[int]] = {}
    if connections is not None:
        groups = {s: connections.groups_of(info) for s, info in scopes.items()}
    conflicts: list[ScopeConflict] = []
    for i, j, relation in overlapping_pairs(allocations):
        a, b = allocations[i], allocations[j]
        if b.scope < a.scope:
            a, b = b, a
            relation = "b_contains_a" if relation == "a_contains_b" else relation
        severity = "blocking"
        if connections is not None and not (groups[a.scope] & groups[b.scope]):
            severity = "latent"
        conflicts.append(ScopeConflict(relation, severity, a, b))
    conflicts.sort(key=lambda c: (c.a.scope, c.b.scope, c.a.index, c.b.index))
    return conflicts


#: From this many records on, the audit runs on columns (``columnar``); below
#: it the object path is quicker to start and builds the same report.
COLUMNAR_MIN_RECORDS = 5000


def audit(
    inventory: Inventory,
    connections: Connections | None = None,
    pools: Sequence[Prefix] = (),
    columnar: bool | None = None,
) -> AuditReport:
    """Audit an inventory: allocations, cross-scope conflicts, nesting sanity, remedies.

    ``columnar`` picks the implementation (both give the same report); by
    default large inventories, and any holding record tables, use columns.
    A columnar report builds each conflict and allocation when it is read.
    """
    if columnar is None:
        columnar = bool(inventory.tables) or inventory.record_count >= COLUMNAR_MIN_RECORDS
    if columnar:
        from cidrkit.audit.columnar_audit import audit_columns

        views, found, nested, scope_infos = audit_columns(inventory, connections, pools)
        return AuditReport(inventory, views, found, nested, scope_infos, tuple(pools),
                           connections is not None)
    if inventory.tables:
        raise ValueError("an inventory holding record tables needs the columnar audit")
    allocations = merge_records(inventory.records)
    scopes = collect_scopes(allocations)
    conflicts = find_conflicts(allocations, scopes, connections)
    conflicts = plan_remedies(conflicts, allocations, pools)
    return AuditReport(inventory, allocations, conflicts, check_nesting(allocations), scopes,
                       tuple(pools), connections is not None)
