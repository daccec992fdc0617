"""``why``: every allocation holding or touching an address, CIDR or range, innermost first."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cidrkit.audit.engine import COLUMNAR_MIN_RECORDS, merge_records
from cidrkit.audit.model import ObservedBlock
from cidrkit.audit.scopes import ScopeInfo, collect_scopes
from cidrkit.core import Addr, Prefix, Range
from cidrkit.sources.record import Inventory


def _bounds(item: Addr | Prefix | Range) -> tuple[int, int, int]:
    if isinstance(item, Addr):
        return item.bits, item.value, item.value
    if isinstance(item, Prefix):
        return item.bits, item.start, item.end
    return item.bits, item.start, item.end


def why(
    allocations: Sequence[ObservedBlock], target: Addr | Prefix | Range
) -> list[tuple[ObservedBlock, str]]:
    """Allocations overlapping ``target`` with how: ``contains``, ``equal`` or ``inside``.

    Sorted innermost first (smallest block first), then by scope, so the most
    specific owner of an address leads.
    """
    bits, start, end = _bounds(target)
    found: list[tuple[ObservedBlock, str]] = []
    for alloc in allocations:
        p = alloc.prefix
        if p.bits != bits or p.end < start or p.start > end:
            continue
        if p.start == start and p.end == end:
            relation = "equal"
        elif p.start <= start and end <= p.end:
            relation = "contains"
        else:
            relation = "inside"
        found.append((alloc, relation))
    found.sort(key=lambda pair: (-pair[0].prefix.length, pair[0].scope))
    return found


def who_holds(
    inventory: Inventory, target: Addr | Prefix | Range
) -> tuple[list[tuple[ObservedBlock, str]], dict[str, ScopeInfo]]:
    """``why`` over a whole inventory, with the scopes to describe the answer.

    Inventories read as columns are searched with numpy; only the allocations
    that touch ``target`` are built.
    """
    if not inventory.tables and inventory.record_count < COLUMNAR_MIN_RECORDS:
        allocations = merge_records(inventory.records)
        return why(allocations, target), collect_scopes(allocations)
    from cidrkit.audit.block_columns import ObservedBlockColumns, RecordColumns
    from cidrkit.bulk import words

    columns = ObservedBlockColumns(RecordColumns(inventory))
    bits, start, end = _bounds(target)
    (start_hi, start_lo), (end_hi, end_lo) = words.split_ints([start]), words.split_ints([end])
    mask_hi, mask_lo = words.host_mask(columns.length, bits)
    touching = ((columns.bits == bits)
                & ~words.less(columns.hi | mask_hi, columns.lo | mask_lo, start_hi, start_lo)
                & ~words.less(end_hi, end_lo, columns.hi, columns.lo))
    found = [columns.block(i) for i in np.flatnonzero(touching).tolist()]
    return why(found, target), columns.scope_infos()
