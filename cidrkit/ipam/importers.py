"""Importing existing allocations into a pool: plan lock files and audit inventories.

Both inputs are turned into ``(prefix, description, origin)`` candidates and
applied as one batch of exact-prefix allocations, each with an idempotency
key derived from its prefix, so importing the same file twice changes
nothing. Candidates outside the pool, overlapping what is already there, or
malformed are reported back as skipped, with where they came from; they
never stop the import.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from cidrkit.core import Prefix
from cidrkit.errors import CidrkitError, ParseError
from cidrkit.ipam.errors import InvalidRequest, IpamError
from cidrkit.ipam.model import Allocation, AllocationRequest, Pool
from cidrkit.ipam.service import AllocateOp, AllocateResult, AllocationService

ImportFormat = Literal["lock", "inventory"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A prefix found in an import file, with a description and where it was found."""

    prefix: Prefix
    description: str
    origin: str


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    """A value that was not imported, and why."""

    value: str
    origin: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: new allocations, ones already there, and what was skipped."""

    imported: tuple[Allocation, ...]
    existing: tuple[Allocation, ...]
    skipped: tuple[SkippedEntry, ...]


def lock_candidates(text: str, filename: str) -> tuple[list[Candidate], list[SkippedEntry]]:
    """Prefixes of a plan lock file (YAML or JSON), each described by its key path.

    The lock maps block keys to prefixes; any string value that parses as a
    prefix is taken, with the path of keys leading to it as description.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        document = YAML(typ="safe").load(text)
    except YAMLError as exc:
        message = f"content: {filename} is not YAML or JSON: {exc}"
        raise InvalidRequest(message, field="content") from None
    found: list[Candidate] = []
    skipped: list[SkippedEntry] = []
    for path, value in _strings(document, ""):
        if "/" not in value:
            continue
        try:
            prefix = Prefix.parse(value)
        except ParseError as exc:
            if any(c.isdigit() for c in value.split("/")[0][:1]) or ":" in value:
                skipped.append(SkippedEntry(value, f"{filename} {path or '/'}", str(exc)))
            continue
        found.append(Candidate(prefix, path.strip("/") or prefix.__str__(), f"{filename} {path}"))
    return found, skipped


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}/{index}")
    elif isinstance(value, str):
        yield path, value.strip()


def inventory_candidates(text: str, filename: str) -> tuple[list[Candidate], list[SkippedEntry]]:
    """Records of an audit inventory file (any format ``cidrkit audit`` reads)."""
    from cidrkit.sources.reader import read_file
    from cidrkit.sources.record import Inventory

    inventory = Inventory()
    try:
        read_file(filename, text, inventory)
    except CidrkitError as exc:
        raise InvalidRequest(f"content: {filename}: {exc}", field="content") from None
    found = [
        Candidate(
            record.prefix,
            " ".join(x for x in (record.labels.kind, record.labels.name) if x)
            or str(record.origin),
            str(record.origin),
        )
        for record in inventory.records
    ]
    skipped = [SkippedEntry(m.value, str(m.origin), m.message) for m in inventory.malformed]
    skipped += [SkippedEntry("", s.file, s.reason) for s in inventory.skipped]
    return found, skipped


def import_allocations(
    service: AllocationService,
    pool: Pool,
    *,
    format: ImportFormat,
    content: str,
    filename: str,
    actor: str,
) -> ImportReport:
    """Import the prefixes of ``content`` that fall inside ``pool``, in one transaction."""
    read = lock_candidates if format == "lock" else inventory_candidates
    candidates, skipped = read(content, filename)
    # Supernets first: a VPC is imported and its subnets are then reported as
    # inside it, rather than the other way round.
    candidates.sort(key=lambda c: (c.prefix.length, c.prefix))
    chosen: list[Candidate] = []
    seen: set[Prefix] = set()
    for candidate in candidates:
        if candidate.prefix.version != pool.version or not any(
            p.contains(candidate.prefix) for p in pool.prefixes
        ):
            reason = f"outside pool {pool.name!r}"
            skipped.append(SkippedEntry(str(candidate.prefix), candidate.origin, reason))
        elif candidate.prefix in seen:
            reason = "listed more than once"
            skipped.append(SkippedEntry(str(candidate.prefix), candidate.origin, reason))
        else:
            seen.add(candidate.prefix)
            chosen.append(candidate)
    ops = [
        AllocateOp(
            pool.name,
            (AllocationRequest(prefix=c.prefix, description=c.description[:1000]),),
            actor,
            idempotency_key=f"import:{c.prefix}",
        )
        for c in chosen
    ]
    outcomes = service.execute(ops) if ops else []
    imported: list[Allocation] = []
    existing: list[Allocation] = []
    for candidate, outcome in zip(chosen, outcomes, strict=True):
        if isinstance(outcome, AllocateResult):
            (existing if outcome.replayed else imported).extend(outcome.allocations)
        elif isinstance(outcome, IpamError):
            skipped.append(SkippedEntry(str(candidate.prefix), candidate.origin, outcome.message))
    return ImportReport(tuple(imported), tuple(existing), tuple(skipped))
