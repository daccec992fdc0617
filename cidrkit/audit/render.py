"""Human-readable audit reports: a terminal report and Markdown for a pull-request comment.

Conflicts are grouped by the pair of scopes ("AWS VPC prod-core overlaps Azure
VNet vnet-eus-hub and 2 of its subnets"), blocking groups first, and every
line cites both sides at their source.
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from cidrkit.audit.engine import AuditReport
from cidrkit.audit.model import KIND_RANK, Allocation, Conflict

_RELATION = {"equal": "equals", "a_contains_b": "contains", "b_contains_a": "is inside"}
_NETWORK_KINDS = {k for k, rank in KIND_RANK.items() if rank == 0}


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word}es" if word.endswith(("x", "s")) else f"{count} {word}s"


def _label(alloc: Allocation) -> str:
    parts = [alloc.kind or "allocation"]
    if alloc.name:
        parts.append(alloc.name)
    if alloc.labels.planned:
        parts.append("(planned)")
    return " ".join(parts)


def _sources(alloc: Allocation) -> str:
    first = str(alloc.observations[0])
    more = len(alloc.observations) - 1
    return f"{first}  (+{_plural(more, 'other source')})" if more else first


def conflict_groups(report: AuditReport) -> list[tuple[str, str, str, list[Conflict]]]:
    """Conflicts grouped by (scope a, scope b): (severity, scope a, scope b, conflicts).

    Blocking groups come first, then by scopes, so the worst news leads.
    """
    groups = []
    for (scope_a, scope_b), items in groupby(report.conflicts, key=lambda c: (c.a.scope,
                                                                              c.b.scope)):
        members = list(items)
        severity = "blocking" if any(c.severity == "blocking" for c in members) else "latent"
        groups.append((severity, scope_a, scope_b, members))
    groups.sort(key=lambda g: (g[0] != "blocking", g[1], g[2]))
    return groups


def headline(report: AuditReport, scope_a: str, scope_b: str, members: list[Conflict]) -> str:
    """"A overlaps B and 3 of its subnets": who collides with whom, in one phrase."""
    a_text = report.scopes[scope_a].describe()
    b_text = report.scopes[scope_b].describe()
    b_allocs = {c.b.index: c.b for c in members}.values()
    whole = any(a.kind in _NETWORK_KINDS for a in b_allocs)
    parts = Counter(a.kind or "allocation" for a in b_allocs if a.kind not in _NETWORK_KINDS)
    if not parts:
        return f"{a_text} overlaps {b_text}"
    listed = ", ".join(_plural(n, kind) for kind, n in sorted(parts.items()))
    if whole:
        return f"{a_text} overlaps {b_text} and {listed} in it"
    return f"{a_text} overlaps {listed} of {b_text}"


def _remedy_line(report: AuditReport, conflict: Conflict) -> str | None:
    remedy = conflict.remedy
    if remedy is None:
        return None
    side = conflict.a if remedy.side == "a" else conflict.b
    where = report.scopes[side.scope].describe()
    text = (f"cheaper to renumber {remedy.block} of {where} "
            f"({_plural(remedy.affected, 'allocation')}, {remedy.addresses:,} addresses)")
    if remedy.candidates:
        text += f" -> free: {', '.join(str(p) for p in remedy.candidates)}"
    elif report.pools:
        text += " -> no free block of that size in the pools"
    return text


def render_text(report: AuditReport) -> str:
    """The terminal report."""
    out: list[str] = []
    summary = report.summary()
    out.append(
        f"Read {_plural(summary['files'], 'file')}: {_plural(summary['records'], 'record')}, "
        f"{_plural(summary['allocations'], 'allocation')} in {_plural(summary['scopes'], 'scope')}."
    )
    groups = conflict_groups(report)
    if groups:
        out.append("")
        out.append(f"CONFLICTS: {summary['conflicts']} ({summary['blocking']} blocking, "
                   f"{summary['latent']} latent) between {_plural(len(groups), 'pair')} of scopes")
    for severity, scope_a, scope_b, members in groups:
        out.append("")
        out.append(f"[{severity}] {headline(report, scope_a, scope_b, members)}")
        remedies: list[str] = []
        for c in members:
            out.append(f"  {c.a.prefix} {_label(c.a)}  {_RELATION[c.relation]}  "
                       f"{c.b.prefix} {_label(c.b)}")
            out.append(f"      a: {_sources(c.a)}")
            out.append(f"      b: {_sources(c.b)}")
            line = _remedy_line(report, c)
            if line and line not in remedies:
                remedies.append(line)
        out.extend(f"  remedy: {line}" for line in remedies)
    _findings_text(report, out)
    out.append("")
    verdict = ("no conflicts" if not report.conflicts else
               f"{_plural(summary['conflicts'], 'conflict')} "
               f"({summary['blocking']} blocking, {summary['latent']} latent)")
    out.append(f"Summary: {verdict}, {summary['malformed']} malformed, "
               f"{summary['ignored']} ignored, {summary['nesting']} nesting, "
               f"{_plural(summary['skipped'], 'skipped file')}.")
    return "\n".join(out) + "\n"


def _findings_text(report: AuditReport, out: list[str]) -> None:
    inv = report.inventory
    if report.nesting:
        out += ["", f"NESTING: {len(report.nesting)}"]
        for n in report.nesting:
            out.append(f"  {n.message}")
            out.append(f"      at {_sources(n.allocation)}")
    if inv.malformed:
        out += ["", f"MALFORMED: {len(inv.malformed)}"]
        for m in inv.malformed:
            out.append(f"  {m.origin}: {m.value!r}: {m.message}")
    if inv.ignored:
        out += ["", f"IGNORED: {len(inv.ignored)} (not allocations; --format json lists each)"]
        for reason, count in sorted(Counter(i.reason for i in inv.ignored).items()):
            out.append(f"  {count:>4}  {reason}")
    if inv.notices:
        out += ["", f"NOTICES: {len(inv.notices)}"]
        out += [f"  {n.origin}: {n.value}: {n.message}" for n in inv.notices]
    if inv.skipped:
        out += ["", f"SKIPPED FILES: {len(inv.skipped)}"]
        out += [f"  {s.file}: {s.reason}" for s in inv.skipped]


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(report: AuditReport) -> str:
    """A Markdown report for a pull-request comment."""
    summary = report.summary()
    out = ["## cidrkit audit", ""]
    allocs = _plural(summary["allocations"], "allocation")
    out.append(f"{_plural(summary['files'], 'file')}, {allocs}"
               f" in {_plural(summary['scopes'], 'scope')}: **{summary['blocking']} blocking**, "
               f"{summary['latent']} latent conflicts, {summary['malformed']} malformed values.")
    for severity, scope_a, scope_b, members in conflict_groups(report):
        out += ["", f"### {'🛑' if severity == 'blocking' else '⚠️'} "
                    f"{_md(headline(report, scope_a, scope_b, members))}", "",
                "| a | relation | b | a source | b source |", "|---|---|---|---|---|"]
        for c in members:
            out.append(f"| `{c.a.prefix}` {_md(_label(c.a))} | {_RELATION[c.relation]} | "
                       f"`{c.b.prefix}` {_md(_label(c.b))} | `{_md(str(c.a.observations[0]))}` | "
                       f"`{_md(str(c.b.observations[0]))}` |")
        remedies = {line for c in members if (line := _remedy_line(report, c))}
        out += [f"\nRemedy: {_md(line)}" for line in sorted(remedies)]
    if report.inventory.malformed:
        out += ["", "### Malformed values", "", "| where | value | problem |", "|---|---|---|"]
        out += [f"| `{_md(str(m.origin))}` | `{_md(m.value)}` | {_md(m.message)} |"
                for m in report.inventory.malformed]
    if report.nesting:
        out += ["", "### Nesting", ""]
        out += [f"- {_md(n.message)} (`{_md(str(n.allocation.observations[0]))}`)"
                for n in report.nesting]
    return "\n".join(out) + "\n"
