"""Importing existing allocations into a pool: plan lock files and audit inventories.

Both inputs are turned into ``(prefix, description, origin)`` candidates and
applied as exact-prefix allocations, all or nothing (``bulkimport``: the
checks hold no lock, the rows go in short transactions and appear at once),
each with an idempotency key derived from its prefix, so importing the same
file twice changes nothing. Lock files are read by the planner's own reader
(``cidrkit.plan.parse_lock``), inventories by the audit's
(``cidrkit.sources.reader.read_file``). Candidates outside the pool, inside
another imported block, overlapping what is already there, or malformed
are reported back as skipped, with where they came from and a ``kind`` a
program can act on; they never stop the import.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from cidrkit.core import Prefix
from cidrkit.errors import CidrkitError
from cidrkit.ipam.allocator import check_tags
from cidrkit.ipam.bulkimport import Block, apply_import
from cidrkit.ipam.errors import InvalidRequest
from cidrkit.ipam.model import PROBLEM_KINDS, Allocation, Pool, SkipKind
from cidrkit.ipam.service import AllocationService

if TYPE_CHECKING:
    from cidrkit.sources.record import Labels

ImportFormat = Literal["auto", "lock", "inventory"]
LOCK_MARKER = "cidrkit-plan-lock"


# A prefix found in an import file, with a description and where it was found.
Candidate = Block


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    """A value that was not imported, where it was, why, and the kind of reason."""

    value: str
    origin: str
    reason: str
    kind: SkipKind = "invalid"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: new allocations, ones already there, and what was skipped."""

    format: Literal["lock", "inventory"]
    imported: tuple[Allocation, ...]
    existing: tuple[Allocation, ...]
    skipped: tuple[SkippedEntry, ...]

    @property
    def problems(self) -> tuple[SkippedEntry, ...]:
        """Skipped entries that point at a collision or a bad value."""
        return tuple(s for s in self.skipped if s.kind in PROBLEM_KINDS)


def detect_format(text: str, filename: str) -> Literal["lock", "inventory"]:
    """``lock`` for a planner lock file (by name, or by its marker key), else ``inventory``."""
    if filename.endswith(".lock"):
        return "lock"
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("{") and f'"{LOCK_MARKER}"' in text:
        try:
            body = json.loads(text)
        except ValueError:
            return "inventory"
        if isinstance(body, dict) and LOCK_MARKER in body:
            return "lock"
    return "inventory"


def lock_candidates(
    text: str, filename: str, under: Sequence[str] = ()
) -> tuple[list[Candidate], list[SkippedEntry]]:
    """The blocks of a plan lock file, each described by its plan path.

    The file must be a lock the planner itself would accept (its reader does
    the parsing); a malformed block is skipped and named by JSON pointer, any
    other problem refuses the whole file. ``under`` keeps only the blocks at
    or below those plan paths (``shop/prod``).
    """
    from cidrkit.plan import PlanError, parse_lock

    skipped: list[SkippedEntry] = []
    try:
        blocks = parse_lock(text, filename)
    except PlanError as exc:
        if any(p.key is None for p in exc.problems):
            raise InvalidRequest(f"content: {exc}", field="content") from None
        # Only some blocks are bad: report each, then read the rest with the same reader.
        body = json.loads(text)
        bad = {p.key: p for p in exc.problems if p.key is not None}
        for key, problem in bad.items():
            # One line, written as cidrkit writes every parse error.
            reason = f"{problem.message}; {problem.hint}" if problem.hint else problem.message
            skipped.append(SkippedEntry(str(body["blocks"][key]), problem.where, reason,
                                        "malformed"))
        body["blocks"] = {k: v for k, v in body["blocks"].items() if k not in bad}
        blocks = parse_lock(json.dumps(body), filename)
    found = [
        Candidate(prefix, key, f"{filename}#/blocks/{_escape_pointer(key)}")
        for key, prefix in blocks.items()
        if not under or any(key == path or key.startswith(f"{path}/") for path in under)
    ]
    if under and not found and not skipped:
        paths = ", ".join(repr(p) for p in under)
        raise InvalidRequest(f"under: no block of {filename} is at or below {paths}",
                             field="under")
    return found, skipped


def _escape_pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")  # RFC 6901


def inventory_candidates(text: str, filename: str) -> tuple[list[Candidate], list[SkippedEntry]]:
    """Records of an audit inventory file (any format ``cidrkit audit`` reads)."""
    from cidrkit.sources.reader import read_file
    from cidrkit.sources.record import Inventory

    inventory = Inventory()
    try:
        read_file(filename, text, inventory)
    except CidrkitError as exc:
        raise InvalidRequest(f"content: {filename}: {exc}", field="content") from None
    found = [Candidate(record.prefix, _describe(record.labels, str(record.origin)),
                       str(record.origin)) for record in inventory.records]
    skipped = [SkippedEntry(m.value, str(m.origin), m.message, "malformed")
               for m in inventory.malformed]
    skipped += [SkippedEntry("", s.file, s.reason, "unread") for s in inventory.skipped]
    return found, skipped


def _describe(labels: Labels, origin: str) -> str:
    """``subnet app-a: note``: the resource's kind (when it says more than "prefix"),
    its name or id, and the inventory's note; the origin when there is nothing else."""
    kind = labels.kind if labels.kind not in ("prefix", "range", "address") else None
    text = " ".join(w for w in (kind, labels.name or labels.resource) if w)
    if labels.note:
        text = f"{text}: {labels.note}" if text else labels.note
    return text or origin


def import_allocations(
    service: AllocationService,
    pool: Pool,
    *,
    format: ImportFormat,
    content: str,
    filename: str,
    actor: str,
    under: Sequence[str] = (),
    tags: dict[str, str] | None = None,
) -> ImportReport:
    """Import the prefixes of ``content`` that fall inside ``pool``, all or nothing.

    ``tags`` go on every new allocation (a pool's required tags apply to
    imports too). ``under`` selects plan paths of a lock file.
    """
    chosen_format = detect_format(content, filename) if format == "auto" else format
    if under and chosen_format != "lock":
        raise InvalidRequest("under: only a plan lock file has plan paths", field="under")
    if chosen_format == "lock":
        candidates, skipped = lock_candidates(content, filename, under)
    else:
        candidates, skipped = inventory_candidates(content, filename)
    check_tags(pool.rules, pool.name, dict(tags or {}), "tags")
    chosen, passed_over = _select(pool, candidates)
    skipped += passed_over
    plan, imported = apply_import(service.db, pool, chosen, dict(tags or {}), actor)
    skipped += [SkippedEntry(str(block.prefix), block.origin, reason, kind)
                for block, reason, kind in plan.skipped]
    return ImportReport(chosen_format, tuple(imported), tuple(plan.existing), tuple(skipped))


def _select(pool: Pool, candidates: list[Candidate]) -> tuple[list[Candidate], list[SkippedEntry]]:
    """The candidates to allocate, and why the others are left out.

    Supernets go first: a VPC is imported and its subnets are then reported
    as inside it, rather than the other way round. A block equal to one of
    the pool's own prefixes is the pool itself, not an allocation in it.
    """
    ordered = sorted(candidates, key=lambda c: (c.prefix.length, c.prefix))
    chosen: dict[Prefix, Candidate] = {}
    lengths: set[int] = set()
    skipped: list[SkippedEntry] = []
    for candidate in ordered:
        prefix = candidate.prefix

        def skip(reason: str, kind: SkipKind, where: Candidate = candidate) -> None:
            skipped.append(SkippedEntry(str(where.prefix), where.origin, reason, kind))

        if prefix.version != pool.version or not any(p.contains(prefix) for p in pool.prefixes):
            skip(f"outside pool {pool.name!r} ({', '.join(map(str, pool.prefixes))})", "outside")
            continue
        if prefix in pool.prefixes:
            skip(f"is pool {pool.name!r} itself; its blocks are imported instead", "pool")
            continue
        if prefix in chosen:
            first = chosen[prefix]
            skip(f"listed more than once (first as {first.description!r})", "duplicate")
            continue
        outer = next((chosen[prefix.supernet(n)] for n in sorted(lengths)
                      if n < prefix.length and prefix.supernet(n) in chosen), None)
        if outer is not None:
            skip(f"inside {outer.prefix} ({outer.description}), imported as one block", "inside")
            continue
        chosen[prefix] = candidate
        lengths.add(prefix.length)
    return list(chosen.values()), skipped
