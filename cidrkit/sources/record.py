"""What every importer produces: records, and findings about the input itself.

A :class:`Record` is one observation of address space: a prefix, the exact
place it was read from (:class:`Origin`), the routing domain it lives in
(``scope``) and descriptive :class:`Labels`. Importers never decide what is a
conflict; they only say what they saw and where.

Problems with the input are data too: :class:`Malformed` (a value that should
have been a prefix and is not), :class:`Ignored` (a value that looks like a
prefix but is deliberately not an allocation), :class:`Notice` (kept, but worth
a look) and :class:`Skipped` (a whole file that was not understood).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cidrkit.core import Prefix

if TYPE_CHECKING:
    from cidrkit.sources.record_table import RecordTable


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value was read: enough for a reader to find it at its source.

    ``file`` is the path as reached from the command-line arguments, ``line``
    is 1-based, ``pointer`` an RFC 6901 JSON Pointer (for YAML, a pointer into
    the list of documents), ``address`` a Terraform address with the attribute
    (``module.vpc.aws_subnet.private[0].cidr_block``), ``column`` a CSV column
    name or the element of a comma-separated value.
    """

    file: str
    line: int | None = None
    pointer: str | None = None
    address: str | None = None
    column: str | None = None

    def __str__(self) -> str:
        text = self.file if self.line is None else f"{self.file}:{self.line}"
        extras = [x for x in (self.address, self.pointer, self.column) if x]
        if self.address and self.pointer:
            # A Terraform address is the better locator; the pointer adds noise.
            extras = [self.address] + ([self.column] if self.column else [])
        return f"{text} {' '.join(extras)}" if extras else text

    def to_json(self) -> dict[str, object]:
        """The ORIGIN object of the audit JSON schema."""
        return {
            "file": self.file,
            "line": self.line,
            "pointer": self.pointer,
            "address": self.address,
            "column": self.column,
        }


@dataclass(frozen=True, slots=True)
class Labels:
    """Descriptive facts about the resource that holds a prefix.

    ``kind`` is one of vpc, subnet, vnet, network, secondary-range, pod-cidr,
    node-pod-cidr, service-cidr, ip-pool, container, prefix, range, address.
    ``resource`` is the provider's own id (``subnet-0abc``) when there is one.
    ``planned`` marks values read from configuration (HCL) rather than live state.
    ``default`` marks an AWS default VPC (172.31.0.0/16 in every region).
    """

    kind: str | None = None
    name: str | None = None
    account: str | None = None
    region: str | None = None
    resource: str | None = None
    planned: bool = False
    default: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One observation of a prefix held by a resource in a routing domain."""

    prefix: Prefix
    origin: Origin
    scope: str
    labels: Labels = field(default_factory=Labels)


@dataclass(frozen=True, slots=True)
class Malformed:
    """A value that should have been a prefix and could not be parsed."""

    origin: Origin
    value: str
    message: str

    def to_json(self) -> dict[str, object]:
        """The ``malformed`` entry of the audit JSON schema."""
        return {
            "file": self.origin.file,
            "line": self.origin.line,
            "column": self.origin.column,
            "pointer": self.origin.pointer,
            "address": self.origin.address,
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Ignored:
    """A prefix-like value that is deliberately not an allocation, and why."""

    origin: Origin
    value: str
    reason: str

    def to_json(self) -> dict[str, object]:
        """The ``ignored`` entry of the audit JSON schema."""
        return {
            "file": self.origin.file,
            "line": self.origin.line,
            "pointer": self.origin.pointer,
            "address": self.origin.address,
            "value": self.value,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Notice:
    """A value that was kept but deserves attention (e.g. a block being removed)."""

    origin: Origin
    value: str
    message: str

    def to_json(self) -> dict[str, object]:
        """The ``notices`` entry of the audit JSON schema."""
        return {**self.origin.to_json(), "value": self.value, "message": self.message}


@dataclass(frozen=True, slots=True)
class Skipped:
    """A whole file that was not read, and why (unknown format, unreadable)."""

    file: str
    reason: str

    def to_json(self) -> dict[str, object]:
        """The ``skipped`` entry of the audit JSON schema."""
        return {"file": self.file, "reason": self.reason}


@dataclass(slots=True)
class Inventory:
    """Everything read from a set of paths, in reading order.

    With ``columnar`` set, large text lists are kept as :class:`RecordTable`
    columns in ``tables`` instead of ``Record`` objects in ``records``; each
    table is paired with the length ``records`` had when it was read, which
    places its rows in reading order. ``all_records()`` and ``record_count``
    cover both; code that only reads ``records`` should leave ``columnar``
    off (the default).
    """

    records: list[Record] = field(default_factory=list)
    malformed: list[Malformed] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)
    #: Planned scopes (``tf:<dir>:<address>``) known to be a live scope in state.
    aliases: dict[str, str] = field(default_factory=dict)
    columnar: bool = False
    tables: list[tuple[int, RecordTable]] = field(default_factory=list)

    @property
    def record_count(self) -> int:
        """How many records were read, object and columnar alike."""
        return len(self.records) + sum(len(table) for _, table in self.tables)

    def all_records(self) -> Iterator[Record]:
        """Every record, object or columnar, in reading order."""
        done = 0
        for position, table in self.tables:
            yield from self.records[done:position]
            done = position
            yield from table.records()
        yield from self.records[done:]
