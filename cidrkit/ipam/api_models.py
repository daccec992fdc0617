"""Request and response bodies of the HTTP API (pydantic), and their conversions.

Every text field rejects NUL characters and unpaired surrogates: neither can
be stored (PostgreSQL refuses NUL, UTF-8 cannot encode a lone surrogate), so
they are a 422 naming the field rather than a database error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from cidrkit.ipam.capacity import Fragmentation, utilisation_warnings
from cidrkit.ipam.importers import ImportReport
from cidrkit.ipam.model import Allocation, AuditEntry, Pool, Space, Utilisation
from cidrkit.ipam.pools import POOL_NAME_RULE, is_pool_name
from cidrkit.ipam.reports import FreePage
from cidrkit.ipam.spaces import SPACE_NAME_RULE, Overlap, SpaceDetail, is_space_name


def _storable(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no unpaired surrogates)") from None
    return text


def _pool_name(text: str) -> str:
    if not is_pool_name(text):
        raise ValueError(f"{text[:40]!r} is not a pool name ({POOL_NAME_RULE})")
    return text


def _space_name(text: str) -> str:
    if not is_space_name(text):
        raise ValueError(f"{text[:40]!r} is not a space name ({SPACE_NAME_RULE})")
    return text


Text = Annotated[str, AfterValidator(_storable)]
SpaceNameText = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_space_name)]
Percent = Annotated[int, Field(ge=1, le=100)]
PoolNameText = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_pool_name)]
Length = Annotated[int, Field(ge=0, le=128)]
Key = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_storable)]
TagKey = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_storable)]
TagValue = Annotated[str, Field(max_length=500), AfterValidator(_storable)]


class Strict(BaseModel):
    """Unknown fields are an error: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class PoolIn(Strict):
    """A new pool: prefixes, or (with a parent) a prefix length to take from it."""

    name: PoolNameText
    prefixes: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=64)] = []
    parent: PoolNameText | None = None
    prefix_length: Length | None = None
    min_length: Length | None = None
    max_length: Length | None = None
    default_length: Length | None = None
    required_tags: Annotated[list[TagKey], Field(max_length=32)] = []
    description: Annotated[Text, Field(max_length=1000)] = ""
    space: SpaceNameText | None = None
    warn_at: Percent | None = None
    usable_model: Literal["rfc", "aws", "azure", "gcp", "none"] = "rfc"


class UtilisationOut(BaseModel):
    """Address counts of a pool, as decimal strings: IPv6 counts exceed what JSON
    numbers hold exactly (2**53), as in every cidrkit JSON output."""

    total: str
    allocated: str
    reserved: str
    free: str
    allocations: int
    percent: float
    total_64s: str | None = None
    used_64s: str | None = None
    ranged: str = "0"
    addresses: str = "0"

    @classmethod
    def of(cls, u: Utilisation) -> UtilisationOut:
        return cls(
            total=str(u.total),
            allocated=str(u.allocated),
            reserved=str(u.reserved),
            free=str(u.free),
            allocations=u.allocations,
            percent=round(u.percent, 4),
            total_64s=None if u.total_64s is None else str(u.total_64s),
            used_64s=None if u.used_64s is None else str(u.used_64s),
            ranged=str(u.ranged),
            addresses=str(u.addresses),
        )


class PoolOut(BaseModel):
    """A pool and its rules, with its utilisation."""

    name: str
    version: int
    prefixes: list[str]
    parent: str | None
    min_length: int | None
    max_length: int | None
    default_length: int | None
    required_tags: list[str]
    description: str
    created_at: datetime | None
    utilisation: UtilisationOut | None = None
    space: str = "global"
    warn_at: int | None = None
    warnings: list[str] = []
    usable_model: str = "rfc"

    @classmethod
    def of(cls, pool: Pool, usage: Utilisation | None = None) -> PoolOut:
        return cls(
            name=pool.name,
            version=pool.version,
            prefixes=[str(p) for p in pool.prefixes],
            parent=pool.parent,
            min_length=pool.rules.min_length,
            max_length=pool.rules.max_length,
            default_length=pool.rules.default_length,
            required_tags=list(pool.rules.required_tags),
            description=pool.description,
            created_at=pool.created_at,
            utilisation=UtilisationOut.of(usage) if usage else None,
            space=pool.space,
            warn_at=pool.warn_at,
            warnings=utilisation_warnings(pool, usage) if usage else [],
            usable_model=pool.usable_model,
        )


class AllocationItem(Strict):
    """One block wanted: ``prefix_length`` (next free), or an exact ``prefix``."""

    prefix_length: Length | None = None
    prefix: Annotated[str, Field(max_length=100)] | None = None
    strategy: Literal["best_fit", "first_fit"] = "best_fit"
    state: Literal["allocated", "reserved"] = "allocated"
    description: Annotated[Text, Field(max_length=1000)] = ""
    owner: Annotated[Text, Field(max_length=200)] = ""
    tags: Annotated[dict[TagKey, TagValue], Field(max_length=64)] = {}


class AllocationIn(AllocationItem):
    """One allocation request; the idempotency key makes a retry return the same block."""

    idempotency_key: Key | None = None


class BatchIn(Strict):
    """Several blocks from one pool, all or none, in one transaction."""

    items: Annotated[list[AllocationItem], Field(min_length=1, max_length=256)]
    idempotency_key: Key | None = None


class AllocationOut(BaseModel):
    """An allocation as stored."""

    id: int
    pool: str
    prefix: str
    state: Literal["allocated", "reserved", "released"]
    description: str
    owner: str
    tags: dict[str, str]
    idempotency_key: str | None
    created_at: datetime | None
    released_at: datetime | None

    @classmethod
    def of(cls, a: Allocation) -> AllocationOut:
        return cls(
            id=a.id,
            pool=a.pool,
            prefix=str(a.prefix),
            state=a.state,
            description=a.description,
            owner=a.owner,
            tags=a.tags,
            idempotency_key=a.idempotency_key,
            created_at=a.created_at,
            released_at=a.released_at,
        )


class BatchOut(BaseModel):
    """The allocations of a batch, in request order."""

    allocations: list[AllocationOut]
    replayed: bool


class AllocationPage(BaseModel):
    """One page of a pool's allocations (address order) and the total count."""

    total: int
    offset: int
    allocations: list[AllocationOut]


class FreeOut(BaseModel):
    """One page of free blocks; ``total`` and ``offset`` are decimal strings (exact,
    possibly astronomically large)."""

    pool: str
    length: int | None
    total: str
    offset: str
    blocks: list[str]

    @classmethod
    def of(cls, page: FreePage) -> FreeOut:
        return cls(
            pool=page.pool,
            length=page.length,
            total=str(page.total),
            offset=str(page.offset),
            blocks=[str(b) for b in page.blocks],
        )


class AuditOut(BaseModel):
    """One audit log entry."""

    id: int
    at: datetime
    actor: str
    action: str
    pool: str | None
    allocation_id: int | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, e: AuditEntry) -> AuditOut:
        return cls(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            pool=e.pool,
            allocation_id=e.allocation_id,
            detail=e.detail,
        )


class ImportIn(Strict):
    """A file to import: a plan lock file or any inventory ``cidrkit audit`` reads."""

    format: Literal["auto", "lock", "inventory"] = "auto"
    content: Annotated[Text, Field(max_length=20_000_000)]
    filename: Annotated[Text, Field(min_length=1, max_length=500)] = "upload"
    under: Annotated[list[Annotated[Text, Field(min_length=1, max_length=500)]],
                     Field(max_length=100)] = []
    tags: Annotated[dict[TagKey, TagValue], Field(max_length=64)] = {}


class SkippedOut(BaseModel):
    """A value that was not imported, where it was, why, and the kind of reason."""

    value: str
    origin: str
    reason: str
    kind: Literal["outside", "pool", "inside", "duplicate", "overlap", "invalid", "malformed",
                  "unread"]


class ImportOut(BaseModel):
    """New allocations, ones already present from an earlier import, and skipped values."""

    format: Literal["lock", "inventory"]
    imported: list[AllocationOut]
    existing: list[AllocationOut]
    skipped: list[SkippedOut]

    @classmethod
    def of(cls, report: ImportReport) -> ImportOut:
        return cls(
            format=report.format,
            imported=[AllocationOut.of(a) for a in report.imported],
            existing=[AllocationOut.of(a) for a in report.existing],
            skipped=[SkippedOut(value=s.value, origin=s.origin, reason=s.reason, kind=s.kind)
                     for s in report.skipped],
        )


class ErrorDetail(BaseModel):
    """What went wrong: a code, a message naming the input, and the field at fault."""

    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class WhoAmI(BaseModel):
    """The token making the request."""

    token_id: int
    name: str
    pool: str | None
    scope: str


class SpaceIn(Strict):
    """A new space (routing domain)."""

    name: SpaceNameText
    description: Annotated[Text, Field(max_length=1000)] = ""


class OverlapOut(BaseModel):
    """Two top-level pool prefixes that overlap (kept from before spaces existed)."""

    pool_a: str
    prefix_a: str
    space_a: str
    pool_b: str
    prefix_b: str
    space_b: str
    message: str

    @classmethod
    def of(cls, o: Overlap) -> OverlapOut:
        return cls(pool_a=o.a.pool, prefix_a=str(o.a.prefix), space_a=o.a.space,
                   pool_b=o.b.pool, prefix_b=str(o.b.prefix), space_b=o.b.space,
                   message=o.describe())


class SpaceOut(BaseModel):
    """A space, the spaces connected to it and (in detail views) its pools."""

    name: str
    description: str
    connected: list[str]
    created_at: datetime | None
    pools: list[str] | None = None
    overlaps: list[OverlapOut] | None = None

    @classmethod
    def of(cls, space: Space, detail: SpaceDetail | None = None) -> SpaceOut:
        return cls(name=space.name, description=space.description,
                   connected=list(space.connected), created_at=space.created_at,
                   pools=list(detail.pools) if detail else None,
                   overlaps=[OverlapOut.of(o) for o in detail.overlaps] if detail else None)


class FragmentationOut(BaseModel):
    """How a pool's free space is split: the largest block and counts per length.

    Address counts are decimal strings; ``free_blocks_by_length`` maps a
    prefix length (as text, a JSON key) to how many free blocks have it."""

    pool: str
    free: str
    free_blocks: int
    largest_free_block: str | None
    largest_share: float
    free_blocks_by_length: dict[str, int]

    @classmethod
    def of(cls, f: Fragmentation) -> FragmentationOut:
        return cls(pool=f.pool, free=str(f.free_addresses), free_blocks=f.blocks,
                   largest_free_block=None if f.largest is None else str(f.largest),
                   largest_share=round(f.largest_share, 4),
                   free_blocks_by_length={str(k): v for k, v in f.by_length.items()})
