"""Turn an expanded plan file into a sized ``Plan``.

Defaults (``cloud``, ``growth``, ``headroom``, ``pool``, ``ipv6_source``, and
opting out with ``ipv4: false`` / ``ipv6: false``) flow down the tree. Leaves
are sized from demand; inner nodes from their children plus headroom; cloud
limits are checked per node. Every problem is collected, then raised at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, cast

from cidrkit.core.prefix import Prefix
from cidrkit.core.text import family_bits
from cidrkit.errors import ArgumentError, ParseError
from cidrkit.plan.diagnostics import PlanError, Problem
from cidrkit.plan.k8s import MODELS, size_cluster
from cidrkit.plan.loader import RawNode, RawPlan, Value
from cidrkit.plan.profiles import CLOUDS, PROFILES, Ipv6Source, Kind
from cidrkit.plan.sizing import (
    length_for_children,
    parse_percent,
    size_for_hosts,
    usable_count,
)
from cidrkit.plan.spec import Avoid, FamilyRequest, Plan, PlanNode, Pool

AvoidReader = Callable[[RawPlan, list[Problem]], list[Avoid]]
KINDS: tuple[Kind, ...] = ("group", "vpc", "subnet", "range")


@dataclass(frozen=True, slots=True)
class _Inherited:
    cloud: str = "none"
    growth: Fraction = Fraction(0)
    headroom: Fraction = Fraction(0)
    ipv6_source: Ipv6Source = "provider"
    no_v4: bool = False
    no_v6: bool = False
    pools: tuple[tuple[int, str], ...] = ()


class _Resolver:
    def __init__(self, raw: RawPlan, pools: list[Pool]) -> None:
        self.raw = raw
        self.problems: list[Problem] = []
        self.pools = {p.name: p for p in pools}

    def problem(self, where: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(where, message, hint))

    # -- settings ------------------------------------------------------------

    def inherit(self, fields: dict[str, Value], base: _Inherited, label: str) -> _Inherited:
        ctx = base
        if "cloud" in fields:
            cloud = str(fields["cloud"].data)
            if cloud not in CLOUDS:
                self.problem(fields["cloud"].where, f"{label}: unknown cloud {cloud!r}",
                             f"choose one of {', '.join(CLOUDS)}")
            else:
                ctx = replace(ctx, cloud=cloud)
        for key in ("growth", "headroom"):
            if key in fields:
                try:
                    share = parse_percent(fields[key].data)
                except ArgumentError as exc:
                    self.problem(fields[key].where, f"{label}: {key}: {exc}")
                    continue
                ctx = replace(ctx, growth=share) if key == "growth" else replace(
                    ctx, headroom=share)
        if "ipv6_source" in fields:
            source = fields["ipv6_source"].data
            if source not in ("provider", "ipam"):
                self.problem(fields["ipv6_source"].where,
                             f"{label}: ipv6_source must be 'provider' or 'ipam', got {source!r}")
            else:
                ctx = replace(ctx, ipv6_source=source)
        if fields.get("ipv4", Value(None, "")).data is False:
            ctx = replace(ctx, no_v4=True)
        if fields.get("ipv6", Value(None, "")).data is False:
            ctx = replace(ctx, no_v6=True)
        if "pool" in fields:
            ctx = replace(ctx, pools=self._pools(fields["pool"], ctx.pools, label))
        return ctx

    def _pools(self, value: Value, inherited: tuple[tuple[int, str], ...], label: str
               ) -> tuple[tuple[int, str], ...]:
        names = value.data if isinstance(value.data, list) else [value.data]
        chosen = dict(inherited)
        for name in names:
            pool = self.pools.get(str(name))
            if pool is None:
                self.problem(value.where, f"{label}: unknown pool {name!r}",
                             f"pools are: {', '.join(self.pools) or 'none declared'}")
                continue
            chosen[pool.version] = pool.name
        return tuple(sorted(chosen.items()))

    # -- nodes ---------------------------------------------------------------

    def node(self, raw: RawNode, base: _Inherited) -> PlanNode:
        label = f"node {raw.path!r}"
        fields = dict(raw.fields)
        ctx = self.inherit(fields, base, label)
        if "k8s" in fields and "headroom" not in fields:
            # A cluster's sizing already counts surge nodes and growth; inherited
            # headroom on top would double its block for nothing.
            ctx = replace(ctx, headroom=Fraction(0))
        children = [self.node(child, ctx) for child in raw.children]
        if "k8s" in fields:
            children.extend(self.k8s_children(raw, fields["k8s"], ctx, children))
        kind = self.kind(fields, label, bool(children))
        node = PlanNode(
            name=raw.name, path=raw.path, where=raw.where, kind=kind, cloud=ctx.cloud,
            note=str(fields["note"].data) if "note" in fields else "",
            pools=dict(ctx.pools), children=children,
        )
        if "hosts" in fields and children:
            self.problem(fields["hosts"].where, f"{label} has children, so it cannot ask for hosts",
                         "move the hosts into a child node")
        if fields.get("block", Value(None, "")).data is False:
            # A pure grouping node: its children are placed in its parent.
            if not children:
                self.problem(raw.where, f"{label} has 'block: false' but no children")
            return node
        if not ctx.no_v4:
            node.v4 = self.v4_request(node, fields, ctx, label)
        if not ctx.no_v6 and "ipv6" in fields:
            node.v6 = self.v6_request(node, fields["ipv6"], ctx, label)
        return node

    def kind(self, fields: dict[str, Value], label: str, has_children: bool) -> Kind:
        if "kind" not in fields:
            return "group" if has_children else "subnet"
        kind = fields["kind"].data
        if kind not in KINDS:
            self.problem(fields["kind"].where, f"{label}: unknown kind {kind!r}",
                         f"choose one of {', '.join(KINDS)}")
            return "group"
        return cast(Kind, kind)

    def v4_request(self, node: PlanNode, fields: dict[str, Value], ctx: _Inherited, label: str
                   ) -> FamilyRequest | None:
        cloud = PROFILES[ctx.cloud]
        request: FamilyRequest | None = None
        if "hosts" in fields:
            hosts = fields["hosts"]
            if not isinstance(hosts.data, int) or isinstance(hosts.data, bool) or hosts.data < 1:
                self.problem(hosts.where, f"{label}: hosts must be a positive whole number, "
                                          f"got {hosts.data!r}")
                return None
            sizing = size_for_hosts(hosts.data, ctx.growth, cloud, 32)
            node.need = sizing.need
            if sizing.length is None:
                self.problem(hosts.where, f"{label}: no IPv4 block holds {sizing.need} hosts")
                return None
            request = FamilyRequest(sizing.length, "demand", needed=sizing.need)
        if "prefix" in fields:
            explicit = self.explicit(fields["prefix"], 4, label)
            if explicit is None:
                return None
            if request is not None and explicit.length > request.length:
                usable = usable_count(cloud, 32, explicit.length)
                self.problem(fields["prefix"].where,
                             f"{label}: /{explicit.length} gives {usable} usable addresses under "
                             f"{cloud.name}, fewer than the {node.need} asked for",
                             f"use /{request.length} or drop 'prefix' to size from demand")
            request = replace(explicit, needed=node.need)
        # Through 'block: false' children: their children are placed in this
        # node, so this node's block must be sized to hold them.
        v4_children = [c.v4 for c in _frontier(node, 4) if c.v4 is not None]
        if request is None and v4_children:
            length, needed = length_for_children([c.length for c in v4_children], ctx.headroom, 32)
            if length < 0:
                self.problem(node.where, f"{label}: its children need {needed:,} IPv4 addresses, "
                                         "more than exist")
                return None
            request = FamilyRequest(length, "children", needed=needed)
        elif request is not None and v4_children:
            total = sum(1 << (32 - c.length) for c in v4_children)
            if total > 1 << (32 - request.length):
                self.problem(fields["prefix"].where,
                             f"{label}: /{request.length} cannot hold its children, which need "
                             f"{total:,} addresses", "raise the prefix or remove it to size "
                             "from the children")
        if request is None:
            if not node.children:
                self.problem(node.where, f"{label} asks for no space",
                             "give it 'hosts', 'prefix', 'k8s' or children, or 'ipv4: false'")
            return None
        self.check_limit(node, request.length, 4, ctx, fields.get("prefix") or fields.get("hosts"))
        return request

    def v6_request(self, node: PlanNode, value: Value, ctx: _Inherited, label: str
                   ) -> FamilyRequest | None:
        children = [c.v6 for c in _frontier(node, 6) if c.v6 is not None]
        if value.data == "auto":
            if not children:
                self.problem(value.where, f"{label}: 'ipv6: auto' needs children with IPv6 blocks")
                return None
            length, _ = length_for_children([c.length for c in children], ctx.headroom, 128)
            request = FamilyRequest(length, "children")
        else:
            explicit = self.explicit(value, 6, label)
            if explicit is None:
                return None
            request = explicit
            total = sum(1 << (128 - c.length) for c in children)
            if total > 1 << (128 - request.length):
                self.problem(value.where,
                             f"{label}: IPv6 /{request.length} cannot hold its children's "
                             "IPv6 blocks", "use a shorter prefix or 'auto'")
        self.check_limit(node, request.length, 6, ctx, value)
        return request

    def explicit(self, value: Value, version: int, label: str) -> FamilyRequest | None:
        """``/24`` (a length) or ``10.1.0.0/16`` (a pinned block)."""
        text = str(value.data).strip()
        bits = family_bits(version)
        if text.startswith("/"):
            digits = text[1:]
            if not digits.isdigit() or not 0 <= int(digits) <= bits:
                self.problem(value.where, f"{label}: {text!r} is not an IPv{version} prefix length",
                             f"write e.g. '/{24 if version == 4 else 64}'")
                return None
            return FamilyRequest(int(digits), "prefix")
        try:
            pinned = Prefix.parse(text)
        except ParseError as exc:
            self.problem(value.where, f"{label}: {exc.problem}", exc.hint)
            return None
        if pinned.version != version:
            self.problem(value.where, f"{label}: {text!r} is not an IPv{version} prefix")
            return None
        return FamilyRequest(pinned.length, "pinned", pinned=pinned)

    def check_limit(self, node: PlanNode, length: int, version: int, ctx: _Inherited,
                    value: Value | None) -> None:
        cloud = PROFILES[ctx.cloud]
        if node.kind not in ("vpc", "subnet"):
            return
        rule = (cloud.ipv4_rule(node.kind) if version == 4
                else cloud.ipv6_rule(node.kind, ctx.ipv6_source))
        if rule is None or rule.allows(length):
            return
        what = f"{cloud.name} {node.kind}"
        self.problem(value.where if value else node.where,
                     f"node {node.path!r}: IPv{version} /{length} breaks the {what} limit "
                     f"of {rule.describe()}",
                     f"{what} IPv{version} blocks must be {rule.describe()}")

    def k8s_children(self, raw: RawNode, value: Value, ctx: _Inherited,
                     existing: list[PlanNode]) -> list[PlanNode]:
        spec = value.data
        label = f"node {raw.path!r}"
        if not isinstance(spec, dict):
            self.problem(value.where, f"{label}: k8s must be a mapping")
            return []
        allowed = {"model", "nodes", "max_pods_per_node", "surge_nodes", "services"}
        for key in spec:
            if key not in allowed:
                self.problem(value.where, f"{label}: unknown k8s key {key!r}",
                             f"k8s keys are {', '.join(sorted(allowed))}")
        model = spec.get("model")
        if model not in MODELS:
            self.problem(value.where, f"{label}: k8s model must be one of {', '.join(MODELS)}, "
                                      f"got {model!r}")
            return []
        try:
            demand = size_cluster(
                model, _int(spec.get("nodes")), _int(spec.get("max_pods_per_node", 110)),
                _int(spec.get("surge_nodes", 0)),
                None if spec.get("services") is None else _int(spec.get("services")),
                ctx.growth,
            )
        except ArgumentError as exc:
            self.problem(value.where, f"{label}: k8s: {exc}")
            return []
        taken = {c.name for c in existing}
        made = []
        for cluster_range in demand.ranges:
            if not cluster_range.in_network or cluster_range.role in taken:
                continue
            kind: Kind = "subnet" if cluster_range.role == "nodes" else "range"
            child = PlanNode(
                name=cluster_range.role, path=f"{raw.path}/{cluster_range.role}",
                where=value.where, kind=kind, cloud=ctx.cloud,
                note=f"{model}: " + "; ".join(cluster_range.steps), need=cluster_range.need,
                pools=dict(ctx.pools),
            )
            if not ctx.no_v4:
                child.v4 = FamilyRequest(cluster_range.length, "k8s", needed=cluster_range.need)
            made.append(child)
        return made


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError(f"expected a whole number, got {repr(value)[:40]}")
    return value


def _frontier(node: PlanNode, version: int) -> list[PlanNode]:
    """The nearest descendants of ``node`` that have blocks of ``version`` of their own."""
    found: list[PlanNode] = []
    for child in node.children:
        if child.request(version) is not None:
            found.append(child)
        else:
            found.extend(_frontier(child, version))
    return found


def v6_frontier(node: PlanNode) -> list[PlanNode]:
    """Public form of the IPv6 frontier, used by the allocator and renderers."""
    return _frontier(node, 6)


def resolve_plan(raw: RawPlan, pools: list[Pool], avoid: list[Avoid]) -> Plan:
    """Size every node of ``raw``; raise ``PlanError`` listing every problem."""
    resolver = _Resolver(raw, pools)
    base = resolver.inherit(raw.settings, _Inherited(), "the plan")
    roots = [resolver.node(root, base) for root in raw.roots]
    if resolver.problems:
        raise PlanError(resolver.problems)
    return Plan(raw.source, pools, avoid, roots)
