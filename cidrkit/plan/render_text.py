"""Text renderings of a plan: the tree table, JSON, CSV, Terraform and diffs.

Every function returns a string and is deterministic: the same plan and lock
give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping

from cidrkit.core.prefix import Prefix
from cidrkit.plan.allocator import PlanResult, frontier
from cidrkit.plan.report import percent, rows
from cidrkit.plan.spec import Plan, block_key

TABLE_HEADER = ("NODE", "IPV4", "IPV6", "ADDRESSES", "DEMAND", "USABLE", "UTIL")


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def render_table(plan: Plan, allocation: PlanResult) -> str:
    """The tree table plus a line per pool and the reserved/released blocks."""
    table = [TABLE_HEADER]
    for row in rows(plan, allocation):
        table.append((
            "  " * row.depth + row.node.name,
            str(row.ipv4) if row.ipv4 else "-",
            str(row.ipv6) if row.ipv6 else "-",
            _count(row.ipv4.size) if row.ipv4 else "-",
            _count(row.demand),
            _count(row.usable),
            percent(row.utilisation),
        ))
    widths = [max(len(r[i]) for r in table) for i in range(len(TABLE_HEADER))]
    numeric = {3, 4, 5, 6}
    lines = []
    for r in table:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(r)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.extend(pool_summary(plan, allocation))
    for title, entries in (("reserved (removed from the plan, still locked)",
                            allocation.reserved),
                           ("released", allocation.released)):
        if entries:
            lines.append(f"{title}:")
            lines.extend(f"  {key}  {entries[key]}" for key in sorted(entries))
    return "\n".join(lines) + "\n"


def pool_summary(plan: Plan, allocation: PlanResult) -> list[str]:
    """``pool NAME PREFIX: X of Y addresses allocated (Z%)`` per pool prefix."""
    lines = []
    for pool in plan.pools:
        top = [allocation.blocks[block_key(n.path, pool.version)]
               for n in frontier(plan.roots, pool.version)
               if block_key(n.path, pool.version) in allocation.blocks]
        for prefix in pool.prefixes:
            used = sum(b.size for b in top if prefix.contains(b))
            share = used / prefix.size * 100
            lines.append(f"pool {pool.name} {prefix}: {_amount(used)} of {_amount(prefix.size)} "
                         f"addresses allocated ({share:.{_digits(share)}f}%)")
    return lines


def _digits(share: float) -> int:
    return 1 if share >= 1 or share == 0 else 4


def _amount(count: int) -> str:
    """Counts for people; IPv6-sized powers of two as ``2^k``."""
    if count >= 1 << 40 and count & (count - 1) == 0:
        return f"2^{count.bit_length() - 1}"
    if count >= 1 << 40:
        return f"~2^{math.log2(count):.1f}"
    return f"{count:,}"


def render_json(allocation: PlanResult) -> str:
    """One flat object ``{path: cidr}`` (IPv6 at ``path/ipv6``), nothing else."""
    body = {key: str(allocation.blocks[key]) for key in _ordered(allocation.blocks)}
    return json.dumps(body, indent=2) + "\n"


def _ordered(blocks: Mapping[str, Prefix]) -> list[str]:
    # IPv4 blocks in address order, then IPv6; ties (a parent and its first
    # child share a start) keep the parent first.
    return sorted(blocks, key=lambda k: (blocks[k].version, blocks[k].value,
                                         blocks[k].length, k))


CSV_HEADER = ("path", "name", "depth", "kind", "cloud", "ipv4", "ipv6", "addresses",
              "demand", "usable", "utilisation", "status", "note")


def render_csv(plan: Plan, allocation: PlanResult) -> str:
    """One row per node, in tree order (RFC 4180 quoting)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in rows(plan, allocation):
        util = row.utilisation
        writer.writerow((
            row.node.path, row.node.name, row.depth, row.node.kind, row.node.cloud,
            row.ipv4 or "", row.ipv6 or "", row.ipv4.size if row.ipv4 else "",
            "" if row.demand is None else row.demand,
            "" if row.usable is None else row.usable,
            "" if util is None else f"{float(util):.4f}", row.status, row.node.note,
        ))
    return out.getvalue()


def render_terraform(plan: Plan, allocation: PlanResult) -> str:
    """A tfvars JSON file: ``network_plan`` maps each path to its attributes.

    Ready for ``for_each``; filter by ``kind`` or ``parent`` in a ``for``
    expression. Absent blocks are ``null``.
    """
    entries = {}
    for row in rows(plan, allocation):
        node = row.node
        parent = node.path.rsplit("/", 1)[0] if "/" in node.path else None
        entries[node.path] = {
            "name": node.name,
            "parent": parent,
            "depth": row.depth,
            "kind": node.kind,
            "cloud": node.cloud,
            "cidr": str(row.ipv4) if row.ipv4 else None,
            "ipv6_cidr": str(row.ipv6) if row.ipv6 else None,
            "hosts": node.need,
        }
    return json.dumps({"network_plan": entries}, indent=2) + "\n"


def render_diff(old: Mapping[str, Prefix], allocation: PlanResult) -> str:
    """What re-planning changes in the lock, one line per block.

    ``+`` a new block, ``~`` a block grown in place or moved (old → new),
    ``-`` a released block; reserved removed blocks are listed with ``!``.
    Empty when nothing changes.
    """
    lines = []
    for key in _ordered(allocation.blocks):
        block = allocation.blocks[key]
        before = old.get(key)
        if before is None:
            lines.append(f"+ {key}  {block}")
        elif before != block:
            lines.append(f"~ {key}  {before} -> {block} ({allocation.status.get(key, 'changed')})")
    for key in sorted(allocation.released):
        lines.append(f"- {key}  {allocation.released[key]} (released)")
    for key in sorted(allocation.reserved):
        lines.append(f"! {key}  {allocation.reserved[key]} (removed from the plan; still "
                     "reserved, --release to free)")
    return "".join(f"{line}\n" for line in lines)
