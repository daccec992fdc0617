"""Conflicts and allocations of a report as plain rows, a batch at a time.

Writing a report of hundreds of thousands of conflicts used to cost more in
building objects (a ``Prefix``, an ``ObservedBlock``, its ``Origin`` list per
side) than in writing text. A row carries only what a report prints: the
prefix already as text, the scope, the labels and the observations. A
columnar report makes its rows straight from its arrays, with the prefix
text of a whole batch formatted in one vectorised call; an object report
makes them from its objects. Every writer reads rows, so both paths print
the same bytes by construction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from cidrkit.audit.engine import AuditReport
from cidrkit.audit.model import RELATIONS, ObservedBlock, Remedy
from cidrkit.sources.record import Labels, Origin

I64 = npt.NDArray[np.int64]

#: Conflicts turned into rows per batch: large enough to amortise numpy calls,
#: small enough that a batch's rows are a few megabytes.
BATCH = 8192


class Seen(NamedTuple):
    """Where a value was read: the fields of ``Origin`` as a tuple, far cheaper to make."""

    file: str
    line: int | None
    pointer: str | None
    address: str | None
    column: str | None

    def __str__(self) -> str:
        return str(Origin(*self))


#: Where an observation was read, as an object or as a tuple.
Where = Origin | Seen


class Side(NamedTuple):
    """One allocation as a report prints it; ``position`` is its index in the report."""

    position: int
    prefix: str
    scope: str
    labels: Labels
    observations: Sequence[Where]


class RemedyRow(NamedTuple):
    """A :class:`Remedy` as a report prints it: the block and candidates as text."""

    side: str
    block: str
    affected: int
    addresses: int
    candidates: tuple[str, ...]

    @classmethod
    def of(cls, remedy: Remedy | None) -> RemedyRow | None:
        """The row of a remedy object."""
        if remedy is None:
            return None
        return cls(remedy.side, str(remedy.block), remedy.affected, remedy.addresses,
                   tuple(str(c) for c in remedy.candidates))


class ConflictRow(NamedTuple):
    """One conflict as a report prints it; ``remedy`` only for blocking ones."""

    relation: str
    severity: str
    a: Side
    b: Side
    remedy: RemedyRow | None


def side_of(alloc: ObservedBlock) -> Side:
    """The row of an allocation object."""
    return Side(alloc.index, str(alloc.prefix), alloc.scope, alloc.labels, alloc.observations)


def _columns(report: AuditReport) -> Any:
    """The conflict arrays of a columnar report, or None for an object report."""
    return getattr(report.conflicts, "columns", None)


def conflict_arrays(report: AuditReport) -> tuple[I64, I64, npt.NDArray[np.int8]]:
    """Per conflict in report order: allocation index of ``a``, of ``b``, relation index."""
    columns = _columns(report)
    if columns is not None:
        return columns.a, columns.b, columns.relation
    conflicts = report.conflicts
    return (np.array([c.a.index for c in conflicts], dtype=np.int64),
            np.array([c.b.index for c in conflicts], dtype=np.int64),
            np.array([RELATIONS.index(c.relation) for c in conflicts], dtype=np.int8))


def outermost(report: AuditReport) -> I64:
    """Per allocation, the outermost allocation of its own scope holding it (itself if none)."""
    columns = _columns(report)
    if columns is not None:
        root: I64 = columns.root
        return root
    from cidrkit.audit.remedy import outermost_blocks

    return np.array(outermost_blocks(report.allocations)[0], dtype=np.int64)


def observed_files(report: AuditReport) -> list[str]:
    """Every file an observation of the report names (without repeats on the columnar path)."""
    columns = _columns(report)
    if columns is not None:
        files: list[str] = columns.allocations.records.files
        return files
    return [o.file for a in report.allocations for o in a.observations]


def kind_codes(report: AuditReport) -> tuple[I64, list[str | None]]:
    """Per allocation a number standing for its kind, and the kinds those numbers stand for."""
    columns = _columns(report)
    if columns is not None:
        allocations = columns.allocations
        label_kinds = [x.kind for x in allocations.records.labels]
        kinds = sorted(set(label_kinds), key=lambda k: (k is None, k or ""))
        code = {k: n for n, k in enumerate(kinds)}
        by_label = np.array([code[k] for k in label_kinds], dtype=np.int64)
        return by_label[allocations.label], kinds
    alloc_kinds = [a.kind for a in report.allocations]
    kinds = sorted(set(alloc_kinds), key=lambda k: (k is None, k or ""))
    code = {k: n for n, k in enumerate(kinds)}
    return np.array([code[k] for k in alloc_kinds], dtype=np.int64), kinds


def sides_at(report: AuditReport, indexes: Sequence[int] | I64) -> list[Side]:
    """The rows of allocations ``indexes``, in that order."""
    wanted = np.asarray(indexes, dtype=np.int64)
    columns = _columns(report)
    if columns is None:
        return [side_of(report.allocations[i]) for i in wanted.tolist()]
    return column_sides(columns.allocations, wanted)


def observed_once(report: AuditReport, indexes: I64) -> list[bool]:
    """Per allocation of ``indexes``: whether it surely has a single observation."""
    columns = _columns(report)
    if columns is None:
        return [len(report.allocations[i].observations) == 1 for i in indexes.tolist()]
    once: list[bool] = (columns.allocations.count[indexes] == 1).tolist()
    return once


class ConflictBatch(NamedTuple):
    """Consecutive conflicts by allocation index, for writers that encode sides themselves.

    ``needed`` holds the distinct allocation indexes among ``a`` and ``b``, sorted.
    """

    a: list[int]
    b: list[int]
    relation: list[str]
    severity: list[str]
    remedy: list[RemedyRow | None]
    needed: I64


def conflict_batches(report: AuditReport, stop: int | None = None,
                     first: int = 0) -> Iterator[ConflictBatch]:
    """Conflicts ``first`` to ``stop`` (the end by default) in report order, in batches."""
    total = len(report.conflicts) if stop is None else min(stop, len(report.conflicts))
    columns = _columns(report)
    for start in range(first, total, BATCH):
        end = min(start + BATCH, total)
        if columns is not None:
            yield _column_batch(columns, start, end)
            continue
        found = report.conflicts[start:end]
        a = [c.a.index for c in found]
        b = [c.b.index for c in found]
        yield ConflictBatch(a, b, [c.relation for c in found], [c.severity for c in found],
                            [RemedyRow.of(c.remedy) for c in found],
                            np.unique(np.array(a + b, dtype=np.int64)))


def conflict_rows(report: AuditReport, stop: int | None = None) -> Iterator[list[ConflictRow]]:
    """The rows of the first ``stop`` conflicts (all by default) in report order, in batches."""
    for batch in conflict_batches(report, stop):
        sides = dict(zip(batch.needed.tolist(), sides_at(report, batch.needed), strict=True))
        yield [ConflictRow(relation, severity, sides[a], sides[b], remedy)
               for a, b, relation, severity, remedy in zip(
                   batch.a, batch.b, batch.relation, batch.severity, batch.remedy, strict=True)]


def _column_batch(columns: Any, start: int, stop: int) -> ConflictBatch:
    """Conflicts ``start`` to ``stop`` of a columnar report, as the object path would give."""
    allocations = columns.allocations
    a, b = columns.a[start:stop], columns.b[start:stop]
    block = columns.block[start:stop]
    on_a = columns.root[a] == block
    found: list[RemedyRow | None] = [None] * int(a.shape[0])
    blocking = np.flatnonzero(block >= 0)
    if blocking.shape[0]:
        # One remedy per distinct (block, side) in the batch, its block text formatted at once.
        keys = block[blocking] * 2 + on_a[blocking]
        distinct, back = np.unique(keys, return_inverse=True)
        blocks = distinct // 2
        texts = prefix_texts(allocations, blocks)
        host = (allocations.bits[blocks].astype(np.int64)
                - allocations.length[blocks].astype(np.int64)).tolist()
        remedies = []
        for blk, key, text, bits in zip(blocks.tolist(), distinct.tolist(), texts, host,
                                        strict=True):
            candidates: tuple[str, ...] = ()
            if columns.candidates:
                placed = columns.candidates.get(allocations.prefix(blk), ())
                candidates = tuple(str(c) for c in placed)
            remedies.append(RemedyRow("a" if key % 2 else "b", text,
                                      int(columns.affected[blk]), 1 << bits, candidates))
        for slot, n in zip(blocking.tolist(), back.reshape(-1).tolist(), strict=True):
            found[slot] = remedies[n]
    severity = np.where(columns.latent[start:stop], "latent", "blocking").tolist()
    relation = np.array(RELATIONS)[columns.relation[start:stop]].tolist()
    return ConflictBatch(a.tolist(), b.tolist(), relation, severity, found,
                         np.unique(np.concatenate([a, b])))


def prefix_texts(allocations: Any, indexes: I64) -> list[str]:
    """The prefixes of allocations ``indexes`` as text, formatted a family at a time."""
    from cidrkit.bulk.arrays import Prefixes
    from cidrkit.bulk.textformat import prefix_strings

    texts: list[str] = [""] * int(indexes.shape[0])
    bits = allocations.bits[indexes]
    for family in (32, 128):
        at = np.flatnonzero(bits == family)
        if not at.shape[0]:
            continue
        chosen = indexes[at]
        part = Prefixes(family, allocations.hi[chosen], allocations.lo[chosen],
                        allocations.length[chosen], chosen)
        for slot, text in zip(at.tolist(), prefix_strings(part), strict=True):
            texts[slot] = text
    return texts


def column_sides(allocations: Any, indexes: I64) -> list[Side]:
    """Rows of allocations ``indexes`` made from the allocation columns."""
    records = allocations.records
    texts = prefix_texts(allocations, indexes)
    first, count = allocations.first[indexes], allocations.count[indexes]
    single = count == 1
    # One observation is by far the common case: its origin comes in one batch.
    lone = iter(_origins_at(records, allocations.order[first[single]]))
    scopes, labels = records.scopes, records.labels
    rows = []
    for i, one, text, scope, label in zip(
        indexes.tolist(), single.tolist(), texts, allocations.scope[indexes].tolist(),
        allocations.label[indexes].tolist(), strict=True,
    ):
        observations = [next(lone)] if one else allocations.block(i).observations
        rows.append(Side(i, text, scopes[scope], labels[label], observations))
    return rows


def _origins_at(records: Any, ks: I64) -> list[Where]:
    """Where records ``ks`` (reading-order indexes) were read, in that order.

    Rows of a record table become ``Seen`` tuples, built from the table's
    columns a segment at a time; records read as objects keep their ``Origin``.
    """
    segment = np.searchsorted(records.segment_start, ks, side="right") - 1
    found: list[Where] = [Seen("", None, None, None, None)] * int(ks.shape[0])
    for n in np.unique(segment).tolist():
        at = np.flatnonzero(segment == n)
        part = records.segments[n]
        rows = ks[at] - records.segment_start[n] + part.first
        table = part.table
        if table is None:
            objects = records.inventory.records
            for slot, row in zip(at.tolist(), rows.tolist(), strict=True):
                found[slot] = objects[row].origin
            continue
        file, column = table.file, table.column
        for slot, line in zip(at.tolist(), table.line[rows].tolist(), strict=True):
            found[slot] = Seen(file, None if line < 0 else line, None, None, column)
    return found
