"""The resolved plan: every node sized, every default inherited.

This is what the allocator consumes. It is built by ``cidrkit.plan.loader``
from a YAML file (templates and matrices expanded, overrides applied), but can
also be constructed directly in code and tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from cidrkit.core.prefix import Prefix
from cidrkit.plan.profiles import Kind

IPV6_SEGMENT = "ipv6"


@dataclass(frozen=True, slots=True)
class FamilyRequest:
    """How much space of one family a node asks for.

    ``length`` is the block's prefix length; ``pinned`` a fixed block the user
    chose (then ``length == pinned.length``). ``basis`` says where the length
    came from: ``demand``, ``prefix``, ``children``, ``pinned`` or ``k8s``.
    """

    length: int
    basis: str
    pinned: Prefix | None = None
    needed: int | None = None


@dataclass(slots=True)
class PlanNode:
    """One node of the plan tree.

    ``path`` joins the names from the top of the tree with ``/``. ``v4``/``v6``
    are ``None`` when the node has no block of that family of its own (opted
    out, or an IPv6 level left unspecified). ``need`` is the leaf demand in
    addresses after growth, ``usable`` what the block gives hosts under the
    node's cloud. ``pools`` maps an IP version to the pool the node's block
    of that family must sit in, if any.
    """

    name: str
    path: str
    where: str
    kind: Kind = "group"
    cloud: str = "none"
    note: str = ""
    need: int | None = None
    v4: FamilyRequest | None = None
    v6: FamilyRequest | None = None
    pools: dict[int, str] = field(default_factory=dict)
    children: list[PlanNode] = field(default_factory=list)

    def walk(self) -> Iterator[PlanNode]:
        """This node and all its descendants, parents before children."""
        yield self
        for child in self.children:
            yield from child.walk()

    def request(self, version: int) -> FamilyRequest | None:
        """The request of IP ``version`` (4 or 6)."""
        return self.v4 if version == 4 else self.v6


@dataclass(frozen=True, slots=True)
class Pool:
    """Named address space the top of the tree is placed into (one family)."""

    name: str
    version: int
    prefixes: tuple[Prefix, ...]
    where: str


@dataclass(frozen=True, slots=True)
class Avoid:
    """Space no block may overlap, with the reason and where it was declared."""

    prefix: Prefix
    note: str
    where: str


@dataclass(slots=True)
class Plan:
    """A whole plan: pools, space to avoid, and the tree's top-level nodes."""

    source: str
    pools: list[Pool]
    avoid: list[Avoid]
    roots: list[PlanNode]

    def nodes(self) -> Iterator[PlanNode]:
        """Every node, depth first, parents before children."""
        for root in self.roots:
            yield from root.walk()

    def pools_of(self, version: int) -> list[Pool]:
        """The pools of IP ``version``, in declaration order."""
        return [p for p in self.pools if p.version == version]


def block_key(path: str, version: int) -> str:
    """The key of a node's block in locks and JSON output (``a/b`` or ``a/b/ipv6``)."""
    return path if version == 4 else f"{path}/{IPV6_SEGMENT}"
