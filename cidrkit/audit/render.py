"""Human-readable audit reports: a terminal report and Markdown for a pull-request comment.

Conflicts are grouped by the pair of scopes ("AWS VPC prod-core overlaps Azure
VNet vnet-eus-hub and 2 of its subnets"), blocking groups first, and every
line cites both sides at their source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
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


def conflict_spans(report: AuditReport) -> list[tuple[str, str, str, range]]:
    """Runs of conflicts between one pair of scopes: (severity, scope a, scope b, indexes).

    Blocking runs come first, then by scopes, so the worst news leads.
    Conflicts are sorted by scopes already, so every pair is one run.
    """
    columnar = getattr(report.conflicts, "groups", None)
    if columnar is not None:
        return columnar()  # type: ignore[no-any-return]
    spans = []
    start = 0
    for (scope_a, scope_b), items in groupby(report.conflicts, key=lambda c: (c.a.scope,
                                                                              c.b.scope)):
        members = list(items)
        severity = "blocking" if any(c.severity == "blocking" for c in members) else "latent"
        spans.append((severity, scope_a, scope_b, range(start, start + len(members))))
        start += len(members)
    spans.sort(key=lambda g: (g[0] != "blocking", g[1], g[2]))
    return spans


def conflict_groups(report: AuditReport) -> list[tuple[str, str, str, list[Conflict]]]:
    """Conflicts grouped by (scope a, scope b): (severity, scope a, scope b, conflicts).

    Blocking groups come first, then by scopes, so the worst news leads.
    """
    return [(severity, a, b, list(_conflicts_in(report, span)))
            for severity, a, b, span in conflict_spans(report)]


def _conflicts_in(report: AuditReport, span: range) -> Iterator[Conflict]:
    """The conflicts at ``span``; a columnar report builds them a batch at a time."""
    columnar = getattr(report.conflicts, "iter_span", None)
    if columnar is not None:
        yield from columnar(span)
    else:
        yield from (report.conflicts[i] for i in span)


def _b_kinds(report: AuditReport, span: range) -> list[str | None]:
    columnar = getattr(report.conflicts, "b_kinds", None)
    if columnar is not None:
        return columnar(span)  # type: ignore[no-any-return]
    members = list(_conflicts_in(report, span))
    return [b.kind for b in {c.b.index: c.b for c in members}.values()]


def headline(report: AuditReport, scope_a: str, scope_b: str,
             b_kinds: Iterable[str | None]) -> str:
    """"A overlaps B and 3 of its subnets": who collides with whom, in one phrase.

    ``b_kinds`` holds the kind of every distinct allocation on side b.
    """
    a_text = report.scopes[scope_a].describe()
    b_text = report.scopes[scope_b].describe()
    kinds = list(b_kinds)
    whole = any(kind in _NETWORK_KINDS for kind in kinds)
    parts = Counter(kind or "allocation" for kind in kinds if kind not in _NETWORK_KINDS)
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
    spans = conflict_spans(report)
    if spans:
        out.append("")
        out.append(f"CONFLICTS: {summary['conflicts']} ({summary['blocking']} blocking, "
                   f"{summary['latent']} latent) between {_plural(len(spans), 'pair')} of scopes")
    for severity, scope_a, scope_b, span in spans:
        out.append("")
        out.append(f"[{severity}] {headline(report, scope_a, scope_b, _b_kinds(report, span))}")
        # A dict keeps first-seen order and finds repeats in O(1).
        remedies: dict[str, None] = {}
        for c in _conflicts_in(report, span):
            out.append(f"  {c.a.prefix} {_label(c.a)}  {_RELATION[c.relation]}  "
                       f"{c.b.prefix} {_label(c.b)}")
            out.append(f"      a: {_sources(c.a)}")
            out.append(f"      b: {_sources(c.b)}")
            line = _remedy_line(report, c)
            if line:
                remedies[line] = None
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
    for severity, scope_a, scope_b, span in conflict_spans(report):
        out += ["", f"### {'🛑' if severity == 'blocking' else '⚠️'} "
                    f"{_md(headline(report, scope_a, scope_b, _b_kinds(report, span)))}", "",
                "| a | relation | b | a source | b source |", "|---|---|---|---|---|"]
        remedies: set[str] = set()
        for c in _conflicts_in(report, span):
            if line := _remedy_line(report, c):
                remedies.add(line)
            out.append(f"| `{c.a.prefix}` {_md(_label(c.a))} | {_RELATION[c.relation]} | "
                       f"`{c.b.prefix}` {_md(_label(c.b))} | `{_md(str(c.a.observations[0]))}` | "
                       f"`{_md(str(c.b.observations[0]))}` |")
        out += [f"\nRemedy: {_md(line)}" for line in sorted(remedies)]
    if report.inventory.malformed:
        out += ["", "### Malformed values", "", "| where | value | problem |", "|---|---|---|"]
        out += [f"| `{_md(str(m.origin))}` | `{_md(m.value)}` | {_md(m.message)} |"
                for m in report.inventory.malformed]
    if report.nesting:
        out += ["", "### Nesting", ""]
        out += [f"- {_md(n.message)} (`{_md(str(n.allocation.observations[0]))}`)"
                for n in report.nesting]
    if report.inventory.skipped:
        out += ["", "### Files not read", ""]
        out += [f"- `{_md(s.file)}`: {_md(s.reason)}" for s in report.inventory.skipped]
    return "\n".join(out) + "\n"
