"""Value types of the IPAM service: pools, allocations, audit entries, tokens.

These are what the storage layer returns and what the API renders; they hold
cidrkit ``Prefix`` values, never text, so every prefix that reaches the
database went through cidrkit's strict parser first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from cidrkit.core import Prefix

State = Literal["reserved", "allocated", "released"]
LIVE_STATES: tuple[State, ...] = ("reserved", "allocated")
Scope = Literal["read", "write", "admin"]
SCOPE_RANK: dict[str, int] = {"read": 1, "write": 2, "admin": 3}
Strategy = Literal["best_fit", "first_fit"]
SkipKind = Literal["outside", "pool", "inside", "duplicate", "overlap", "invalid", "malformed",
                   "unread"]
# Skipped import entries that say something is wrong (a collision, a bad value),
# as opposed to entries that simply do not belong in the pool. The import
# report, its HTTP model and the command line's exit code all use this one set.
PROBLEM_KINDS: frozenset[str] = frozenset({"overlap", "invalid", "malformed", "unread"})


@dataclass(frozen=True, slots=True)
class PoolRules:
    """What a pool accepts: allowed prefix lengths and the tags every allocation needs.

    ``min_length``/``max_length`` bound the requested prefix length
    (inclusive; ``None`` means the pool's own length / the family's width);
    ``default_length`` is used when a request names neither a length nor a prefix.
    """

    min_length: int | None = None
    max_length: int | None = None
    default_length: int | None = None
    required_tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pool:
    """A named address space of one family, made of one or more disjoint prefixes."""

    id: int
    name: str
    version: int
    prefixes: tuple[Prefix, ...]
    rules: PoolRules
    parent: str | None = None
    description: str = ""
    created_at: datetime | None = None
    generation: int = 0  # changes whenever the pool's live blocks change
    usable_model: str = "rfc"  # the core's model of which addresses hosts may get
    space: str = "global"  # the routing domain; a child pool's is its parent's
    warn_at: int | None = None  # utilisation percent from which the pool is running full


@dataclass(frozen=True, slots=True)
class Space:
    """A routing domain: its top-level pools never overlap, nor those of connected spaces.

    ``connected`` names the spaces routable to this one (symmetric, not
    transitive: each pair is declared on its own, as in the auditor's
    connections file).
    """

    id: int
    name: str
    description: str = ""
    connected: tuple[str, ...] = ()
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Allocation:
    """One block handed out of a pool; ``released`` blocks are history, not space."""

    id: int
    pool: str
    prefix: Prefix
    state: State
    description: str = ""
    owner: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None
    created_at: datetime | None = None
    released_at: datetime | None = None

    @property
    def live(self) -> bool:
        """True while the block occupies space (reserved or allocated)."""
        return self.state != "released"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One append-only audit record, written in the transaction of the change."""

    id: int
    at: datetime
    actor: str
    action: str
    pool: str | None
    allocation_id: int | None
    detail: dict[str, object]


@dataclass(frozen=True, slots=True)
class Token:
    """An API token's public part: what it may do, never its secret."""

    id: int
    name: str
    pool: str | None  # None: every pool
    scope: Scope
    created_at: datetime | None = None
    revoked: bool = False

    def allows(self, pool: str | None, needed: Scope) -> bool:
        """True if this token grants ``needed`` scope on ``pool`` (None: global)."""
        if self.revoked or SCOPE_RANK[self.scope] < SCOPE_RANK[needed]:
            return False
        return self.pool is None or self.pool == pool


@dataclass(frozen=True, slots=True)
class AllocationRequest:
    """One block wanted from a pool: by length (next free) or by exact prefix.

    Exactly one of ``length`` and ``prefix`` is set once the pool's rules
    have been applied (``default_length`` fills a bare request).
    """

    length: int | None = None
    prefix: Prefix | None = None
    strategy: Strategy = "best_fit"
    state: State = "allocated"
    description: str = ""
    owner: str = ""
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Utilisation:
    """Address counts of a pool; IPv6 pools also count /64 subnets.

    ``*_64s`` are ``None`` for IPv4. A /64 counts as used when any live
    allocation touches it, since it can no longer be handed out whole.
    """

    pool: str
    version: int
    total: int
    allocated: int
    reserved: int
    free: int
    allocations: int
    total_64s: int | None = None
    used_64s: int | None = None
    ranged: int = 0  # addresses in free-standing ranges (inside no allocation)
    addresses: int = 0  # single addresses taken straight from the pool

    @property
    def percent(self) -> float:
        """Share of the pool's addresses that are allocated, reserved, in ranges or taken."""
        used = self.allocated + self.reserved + self.ranged + self.addresses
        return 100.0 * used / self.total if self.total else 0.0
