"""The audit's data: observed blocks (merged observations) and the conflicts between them.

The names say whose they are: an ``ObservedBlock`` is what inventories show a
scope holding (not a planned ``PlanResult`` nor an IPAM allocation), and a
``ScopeConflict`` is a finding between two scopes (not an IPAM refusal). The
JSON schema keeps calling both sides "allocations", as readers rely on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cidrkit.core import Prefix
from cidrkit.sources.record import Labels, Origin

#: When observations of one allocation disagree on kind, the broader kind names it.
KIND_RANK = {
    "vpc": 0, "vnet": 0, "network": 0, "container": 1, "pod-cidr": 2, "service-cidr": 2,
    "ip-pool": 2, "subnet": 3, "secondary-range": 3, "node-pod-cidr": 4,
}


@dataclass(slots=True)
class ObservedBlock:
    """One prefix an inventory shows held in one scope, however many sources observed it.

    ``index`` is its position in the audit's allocation list (stable ids for
    JSON consumers); ``labels`` merges the labels of every observation.
    """

    index: int
    prefix: Prefix
    scope: str
    labels: Labels
    observations: list[Origin] = field(default_factory=list)

    @property
    def kind(self) -> str | None:
        """The kind of resource holding the prefix (vpc, subnet, ...)."""
        return self.labels.kind

    @property
    def name(self) -> str | None:
        """The resource's name, if any source gave one."""
        return self.labels.name

    def to_json(self) -> dict[str, object]:
        """The SIDE / allocation object of the audit JSON schema."""
        return {
            "prefix": str(self.prefix),
            "scope": self.scope,
            "name": self.name,
            "kind": self.kind,
            "planned": self.labels.planned,
            "observations": [o.to_json() for o in self.observations],
        }


RELATIONS = ("equal", "a_contains_b", "b_contains_a")


@dataclass(frozen=True, slots=True)
class Remedy:
    """Which side of a blocking conflict is cheaper to renumber, and where it could go.

    ``side`` is ``"a"`` or ``"b"``; ``block`` is the outermost allocation of that
    side's scope around the conflict (what would really move), ``affected`` how
    many allocations of that scope sit inside it, and ``candidates`` free blocks
    of the same size in the given pools.
    """

    side: str
    block: Prefix
    affected: int
    addresses: int
    candidates: tuple[Prefix, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The ``remedy`` object of the audit JSON schema."""
        return {
            "renumber": self.side,
            "block": str(self.block),
            "allocations_affected": self.affected,
            "addresses_affected": self.addresses,
            "candidates": [str(p) for p in self.candidates],
        }


@dataclass(frozen=True, slots=True)
class ScopeConflict:
    """A finding: two observed blocks of different scopes overlap; ``a``'s scope sorts first."""

    relation: str
    severity: str
    a: ObservedBlock
    b: ObservedBlock
    remedy: Remedy | None = None

    def to_json(self) -> dict[str, object]:
        """The ``conflicts`` entry of the audit JSON schema."""
        result: dict[str, object] = {
            "relation": self.relation,
            "severity": self.severity,
            "a": self.a.to_json(),
            "b": self.b.to_json(),
        }
        if self.remedy is not None:
            result["remedy"] = self.remedy.to_json()
        return result


@dataclass(frozen=True, slots=True)
class NestingFinding:
    """A sanity problem inside one scope, e.g. a subnet outside every block of its VPC."""

    allocation: ObservedBlock
    message: str

    def to_json(self) -> dict[str, object]:
        """The ``nesting`` entry of the audit JSON schema."""
        return {"message": self.message, "allocation": self.allocation.to_json()}
