"""Routing domains as people name them: "AWS VPC prod-core (vpc-0a3f..., 4829... us-east-1)".

A scope id is ``<provider>:<id>`` (``aws:vpc-...``, ``azure:/subscriptions/...``,
``gcp:projects/.../networks/...``, ``k8s:<cluster>``, ``netbox:<vrf>``,
``file:<path>``, ``tf:<folder>:<address>``, ``cfn:<template>:<logical id>``,
``arm:<template>:<vnet>``, ``infoblox:<view>``, ``aws-ipam:<file>``,
``plan:<node path>``). This
module gathers, per scope, the facts its allocations carry, to describe and
select scopes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cidrkit.audit.model import KIND_RANK, ObservedBlock

_PROVIDERS = {
    "aws": "AWS VPC", "azure": "Azure VNet", "gcp": "GCP network", "k8s": "Kubernetes cluster",
    "netbox": "NetBox VRF", "file": "list", "tf": "planned Terraform network",
    "cfn": "planned CloudFormation VPC", "arm": "planned Azure VNet",
    "infoblox": "Infoblox network view", "aws-ipam": "AWS IPAM pool",
    "plan": "cidrkit plan",
}
#: Providers whose scope id is ``<file or folder>:<address>``: planned networks in templates.
_PLANNED = ("tf", "cfn", "arm")


@dataclass(frozen=True, slots=True)
class ScopeInfo:
    """What is known about one scope, from the allocations in it."""

    scope: str
    provider: str
    name: str | None
    account: str | None
    region: str | None
    default: bool
    files: tuple[str, ...]

    @property
    def short_id(self) -> str:
        """The provider's own id, shortened for humans (last path segment of long ids)."""
        ident = self.scope.split(":", 1)[1] if ":" in self.scope else self.scope
        if self.provider in ("azure", "gcp"):
            return ident.rstrip("/").rsplit("/", 1)[-1]
        if self.provider in _PLANNED:
            return ident.rsplit(":", 1)[1] if ":" in ident else ident
        return ident

    def describe(self) -> str:
        """One phrase naming the scope: provider noun, name, then id and place."""
        noun = _PROVIDERS.get(self.provider, "scope")
        if self.default:
            noun = "AWS default VPC"
        ident = self.short_id
        if self.provider in ("k8s", "netbox", "file", "infoblox", "aws-ipam", "plan"):
            return f"{noun} {ident}"
        if self.provider in _PLANNED:
            place = self.scope.split(":", 1)[1].rsplit(":", 1)[0]
            return f"{noun} {ident} ({place})"
        where = " ".join(x for x in (self.account, self.region) if x)
        named = bool(self.name) and self.name != ident and not self.default
        head = f"{noun} {self.name}" if named else f"{noun} {ident}"
        inner = ", ".join(x for x in ((ident if named else None),
                                       where or None) if x)
        return f"{head} ({inner})" if inner else head


def collect_scopes(allocations: Iterable[ObservedBlock]) -> dict[str, ScopeInfo]:
    """Describe every scope: names come from its broadest allocation (the VPC, the VNet)."""
    best: dict[str, tuple[int, ObservedBlock]] = {}
    files: dict[str, set[str]] = {}
    facts: dict[str, dict[str, str]] = {}
    for alloc in allocations:
        rank = KIND_RANK.get(alloc.kind or "", 9)
        current = best.get(alloc.scope)
        if current is None or rank < current[0]:
            best[alloc.scope] = (rank, alloc)
        files.setdefault(alloc.scope, set()).update(o.file for o in alloc.observations)
        known = facts.setdefault(alloc.scope, {})
        for key in ("account", "region"):
            value = getattr(alloc.labels, key)
            if value and key not in known:
                known[key] = value
    result: dict[str, ScopeInfo] = {}
    for scope, (rank, alloc) in best.items():
        provider = scope.split(":", 1)[0]
        name = alloc.name if rank <= KIND_RANK["vpc"] else None
        known = facts[scope]
        result[scope] = ScopeInfo(scope, provider, name, known.get("account"),
                                  known.get("region"), alloc.labels.default,
                                  tuple(sorted(files[scope])))
    return result
