"""Conflicts between two scopes grouped by the block that covers them.

Two inventories that overlap widely conflict hundreds of thousands of
times, and nobody reads each conflict. What a person acts on is the block:
"vpc prod-core 10.20.0.0/16 overlaps 3,112 prefixes of scope B". Every
conflict has a covering side (the side that contains the other; side ``a``
when both are equal), and the group is the outermost allocation of that
side's scope holding it (the block a renumbering would move). Groups are
computed on arrays, so grouping 430,000 conflicts costs a few sorts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cidrkit.audit.engine import AuditReport
from cidrkit.audit.model import RELATIONS
from cidrkit.audit.rows import conflict_arrays, kind_codes, outermost

I64 = npt.NDArray[np.int64]

#: How many of a group's other-side allocations it names as examples.
EXAMPLES = 3

_B_CONTAINS_A = RELATIONS.index("b_contains_a")


@dataclass(frozen=True, slots=True)
class BlockGroup:
    """The conflicts of one pair of scopes under one covering block.

    ``side`` says which scope the block belongs to (``"a"`` or ``"b"``),
    ``block`` is its allocation index, ``others`` how many distinct
    allocations of the other scope it overlaps, ``conflicts`` how many
    conflicts that makes, and ``examples`` the first few of those
    allocations by address; ``kind`` is the kind all of them share (None
    when they differ).
    """

    side: str
    block: int
    others: int
    conflicts: int
    examples: tuple[int, ...]
    kind: str | None


def block_groups(report: AuditReport, span: range,
                 limit: int | None = None) -> tuple[list[BlockGroup], int]:
    """The first ``limit`` groups of the conflicts at ``span`` (one pair of scopes), and
    how many groups there are.

    Largest first: by distinct allocations overlapped, then conflicts, then by
    the block's address, so the same report always lists the same groups first.
    """
    all_a, all_b, all_relation = conflict_arrays(report)
    a, b = all_a[span.start:span.stop], all_b[span.start:span.stop]
    on_b = all_relation[span.start:span.stop] == _B_CONTAINS_A
    if not a.shape[0]:
        return [], 0
    block = outermost(report)[np.where(on_b, b, a)]
    other = np.where(on_b, a, b)
    # Sorted by (block, other): each group is a run, each distinct pair starts a sub-run.
    order = np.lexsort((other, block))
    block, other = block[order], other[order]
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
    stops = np.r_[starts[1:], block.shape[0]]
    new_pair = np.r_[True, (block[1:] != block[:-1]) | (other[1:] != other[:-1])]
    distinct = np.add.reduceat(new_pair.astype(np.int64), starts)
    conflicts = stops - starts
    ranking = np.lexsort((block[starts], -conflicts, -distinct))
    sides = on_b[order][starts]
    codes, kinds = kind_codes(report)
    other_codes = codes[other]
    lowest = np.minimum.reduceat(other_codes, starts)
    highest = np.maximum.reduceat(other_codes, starts)
    groups = []
    for g in ranking[:limit].tolist():
        start, stop = int(starts[g]), int(stops[g])
        pair_starts = np.flatnonzero(new_pair[start:stop])[:EXAMPLES] + start
        shared = kinds[int(lowest[g])] if lowest[g] == highest[g] else None
        groups.append(BlockGroup("b" if sides[g] else "a", int(block[start]),
                                 int(distinct[g]), int(conflicts[g]),
                                 tuple(other[pair_starts].tolist()), shared))
    return groups, int(starts.shape[0])
