"""Request and response bodies of the range and address routes (pydantic).

Same rules as ``api_models``: unknown fields are an error, text fields refuse
NUL and unpaired surrogates, and every address is parsed by cidrkit, never
by pydantic.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from cidrkit.core import Addr
from cidrkit.ipam.addresses import MAX_COUNT, IpAddress
from cidrkit.ipam.api_models import Key, Strict, TagKey, TagValue, Text
from cidrkit.ipam.ranges import IpRange

# Host names as DNS has them (RFC 1035 labels, with '_' as in service records and
# a leading '*' label for wildcards), an optional trailing dot.
DNS_NAME = re.compile(r"(\*|[0-9A-Za-z_-]{1,63})(\.[0-9A-Za-z_-]{1,63})*\.?")


def _dns_name(text: str) -> str:
    if text and DNS_NAME.fullmatch(text) is None:
        raise ValueError(f"{text[:40]!r} is not a DNS name (labels of letters, digits, '-', "
                         "'_', separated by dots)")
    return text


AddressText = Annotated[str, Field(min_length=1, max_length=100)]
DnsName = Annotated[str, Field(max_length=255), AfterValidator(_dns_name)]
Description = Annotated[Text, Field(max_length=1000)]
Owner = Annotated[Text, Field(max_length=200)]
Tags = Annotated[dict[TagKey, TagValue], Field(max_length=64)]
# Strict: a JSON string "3" or a boolean is not a number here.
RowId = Annotated[int, Field(ge=1, le=2**62, strict=True)]


class RangeIn(Strict):
    """A new range: both ends inclusive; inside one allocation or outside all of them."""

    start: AddressText
    end: AddressText
    kind: Literal["dhcp", "reserved", "populated"] = "dhcp"
    description: Description = ""
    allocation_id: RowId | None = None


class RangePatch(Strict):
    """Fields of a range that may change (its ends never do)."""

    kind: Literal["dhcp", "reserved", "populated"] | None = None
    description: Description | None = None


class RangeOut(BaseModel):
    """A range as stored; ``size`` is a decimal string (IPv6 ranges are huge)."""

    id: int
    pool: str
    start: str
    end: str
    size: str
    kind: str
    description: str
    allocation_id: int | None
    created_at: datetime | None

    @classmethod
    def of(cls, r: IpRange) -> RangeOut:
        return cls(id=r.id, pool=r.pool, start=str(r.start), end=str(r.end),
                   size=str(r.span.size), kind=r.kind, description=r.description,
                   allocation_id=r.allocation_id, created_at=r.created_at)


class AddressIn(Strict):
    """Addresses wanted: the next ``count`` free ones, or exactly ``address``.

    ``allocation_id`` takes them from that allocation instead of the pool.
    """

    address: AddressText | None = None
    count: Annotated[int, Field(ge=1, le=MAX_COUNT, strict=True)] = 1
    allocation_id: RowId | None = None
    state: Literal["allocated", "reserved"] = "allocated"
    description: Description = ""
    dns_name: DnsName = ""
    owner: Owner = ""
    tags: Tags = Field(default_factory=dict)
    idempotency_key: Key | None = None


class AddressPatch(Strict):
    """Fields of a live address that may change."""

    state: Literal["allocated", "reserved"] | None = None
    description: Description | None = None
    dns_name: DnsName | None = None
    owner: Owner | None = None
    tags: Tags | None = None


class AddressOut(BaseModel):
    """An address as stored."""

    id: int
    pool: str
    address: str
    allocation_id: int | None
    state: Literal["allocated", "reserved", "released"]
    description: str
    dns_name: str
    owner: str
    tags: dict[str, str]
    idempotency_key: str | None
    created_at: datetime | None
    released_at: datetime | None

    @classmethod
    def of(cls, a: IpAddress) -> AddressOut:
        return cls(id=a.id, pool=a.pool, address=str(a.address), allocation_id=a.allocation_id,
                   state=a.state, description=a.description, dns_name=a.dns_name,
                   owner=a.owner, tags=a.tags, idempotency_key=a.idempotency_key,
                   created_at=a.created_at, released_at=a.released_at)


class AddressBatchOut(BaseModel):
    """The addresses of one request, lowest first; ``replayed`` for a matched key."""

    addresses: list[AddressOut]
    replayed: bool


class AddressPage(BaseModel):
    """One page of a pool's addresses (address order) and the total count."""

    total: int
    offset: int
    addresses: list[AddressOut]


class AvailableOut(BaseModel):
    """Addresses "next free" would hand out now, lowest first."""

    pool: str
    allocation_id: int | None
    addresses: list[str]

    @classmethod
    def of(cls, pool: str, allocation_id: int | None, found: list[Addr]) -> AvailableOut:
        return cls(pool=pool, allocation_id=allocation_id, addresses=[str(a) for a in found])
