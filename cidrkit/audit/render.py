"""Human-readable audit reports: a terminal report and Markdown for a pull-request comment.

Conflicts are grouped by the pair of scopes ("AWS VPC prod-core overlaps Azure
VNet vnet-eus-hub and 2 of its subnets"), blocking groups first, and every
line cites both sides at their source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby

from cidrkit.audit.engine import AuditReport
from cidrkit.audit.groups import block_groups
from cidrkit.audit.model import KIND_RANK, ObservedBlock, ScopeConflict
from cidrkit.audit.rows import RemedyRow, Side, conflict_batches, sides_at
from cidrkit.audit.sidetext import SideTexts
from cidrkit.sources.record import Labels

_RELATION = {"equal": "equals", "a_contains_b": "contains", "b_contains_a": "is inside"}
_NETWORK_KINDS = {k for k, rank in KIND_RANK.items() if rank == 0}


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"{count} {word}"
    return f"{count:,} {word}es" if word.endswith(("x", "s")) else f"{count:,} {word}s"


def _labels_text(labels: Labels) -> str:
    parts = [labels.kind or "allocation"]
    if labels.name:
        parts.append(labels.name)
    if labels.planned:
        parts.append("(planned)")
    return " ".join(parts)


def _label(alloc: ObservedBlock) -> str:
    return _labels_text(alloc.labels)


def _where_text(holder: ObservedBlock | Side) -> str:
    first = str(holder.observations[0])
    more = len(holder.observations) - 1
    return f"{first}  (+{_plural(more, 'other source')})" if more else first


def _sources(alloc: ObservedBlock) -> str:
    return _where_text(alloc)


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


def conflict_groups(report: AuditReport) -> list[tuple[str, str, str, list[ScopeConflict]]]:
    """Conflicts grouped by (scope a, scope b): (severity, scope a, scope b, conflicts).

    Blocking groups come first, then by scopes, so the worst news leads.
    """
    return [(severity, a, b, list(_conflicts_in(report, span)))
            for severity, a, b, span in conflict_spans(report)]


def _conflicts_in(report: AuditReport, span: range) -> Iterator[ScopeConflict]:
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


class _SideLines:
    """A side's name (``10.0.0.0/16 vpc core``), sources and scope, for listed conflicts."""

    def __init__(self, report: AuditReport) -> None:
        self.names = SideTexts(report, lambda side: f"{side.prefix} {_labels_text(side.labels)}")
        # Without a line, "file:line" loses its colon too: such sides are written one by one.
        self.wheres = SideTexts(report, _where_text, None)
        self.scopes = SideTexts(report, lambda side: side.scope)


def _remedy_text(report: AuditReport, scope: str, remedy: RemedyRow) -> str:
    """The remedy line of a listed conflict; ``scope`` is the side to renumber."""
    where = report.scopes[scope].describe()
    text = (f"cheaper to renumber {remedy.block} of {where} "
            f"({_plural(remedy.affected, 'allocation')}, {remedy.addresses:,} addresses)")
    if remedy.candidates:
        text += f" -> free: {', '.join(remedy.candidates)}"
    elif report.pools:
        text += " -> no free block of that size in the pools"
    return text


def _remedy_line(report: AuditReport, conflict: ScopeConflict) -> str | None:
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


#: A pair of scopes with more conflicts than this is shown grouped by covering
#: block (unless ``expand``); the two-company example's largest pair has 7.
GROUP_ABOVE = 20

#: Covering blocks shown per grouped pair of scopes when no limit is given.
SHOWN_GROUPS = 10


def render_text(report: AuditReport, *, expand: bool = False, limit: int | None = None) -> str:
    """The terminal report (see ``iter_text``) as one string."""
    return "".join(iter_text(report, expand=expand, limit=limit))


def iter_text(report: AuditReport, *, expand: bool = False,
              limit: int | None = None) -> Iterator[str]:
    """The terminal report in pieces of whole lines, so an expanded report is never whole
    in memory.

    A pair of scopes with more than ``GROUP_ABOVE`` conflicts is summarised by
    covering block, the largest ``limit`` (default ``SHOWN_GROUPS``) first;
    ``expand`` lists every conflict instead. ``limit`` also caps the conflicts
    listed per pair of scopes.
    """
    out: list[str] = []
    side_texts = _SideLines(report)
    summary = report.summary()
    out.append(
        f"Read {_plural(summary['files'], 'file')}: {_plural(summary['records'], 'record')}, "
        f"{_plural(summary['allocations'], 'allocation')} in {_plural(summary['scopes'], 'scope')}."
    )
    spans = conflict_spans(report)
    if spans:
        out.append("")
        out.append(f"CONFLICTS: {summary['conflicts']:,} ({summary['blocking']:,} blocking, "
                   f"{summary['latent']:,} latent) between {_plural(len(spans), 'pair')} of scopes")
    for severity, scope_a, scope_b, span in spans:
        out.append("")
        out.append(f"[{severity}] {headline(report, scope_a, scope_b, _b_kinds(report, span))}")
        if len(span) > GROUP_ABOVE and not expand:
            _grouped_text(report, span, SHOWN_GROUPS if limit is None else limit, out)
            continue
        shown = span if limit is None else span[:limit]
        # A dict keeps first-seen order and finds repeats in O(1).
        remedies: dict[str, None] = {}
        for batch in conflict_batches(report, shown.stop, shown.start):
            keys = batch.needed.tolist()
            name = dict(zip(keys, side_texts.names.at(batch.needed), strict=True))
            where = dict(zip(keys, side_texts.wheres.at(batch.needed), strict=True))
            scope = dict(zip(keys, side_texts.scopes.at(batch.needed), strict=True))
            for a, b, relation, remedy in zip(batch.a, batch.b, batch.relation, batch.remedy,
                                              strict=True):
                out.append(f"  {name[a]}  {_RELATION[relation]}  {name[b]}")
                out.append(f"      a: {where[a]}")
                out.append(f"      b: {where[b]}")
                if remedy is not None:
                    remedies[_remedy_text(report, scope[a if remedy.side == "a" else b],
                                          remedy)] = None
            if len(out) >= _FLUSH_LINES:
                yield _lines(out)
        if len(shown) < len(span):
            out.append(f"  ... {len(span) - len(shown):,} more conflicts between these scopes "
                       f"(shown: the first {len(shown):,}, by address)")
        out.extend(f"  remedy: {line}" for line in remedies)
    _findings_text(report, out, limit)
    out.append("")
    verdict = ("no conflicts" if not report.conflicts else
               f"{_plural(summary['conflicts'], 'conflict')} "
               f"({summary['blocking']:,} blocking, {summary['latent']:,} latent)")
    out.append(f"Summary: {verdict}, {summary['malformed']:,} malformed, "
               f"{summary['ignored']:,} ignored, {summary['nesting']:,} nesting, "
               f"{_plural(summary['skipped'], 'skipped file')}.")
    yield _lines(out)


#: Lines gathered before a piece of the terminal report is handed on.
_FLUSH_LINES = 30_000


def _lines(out: list[str]) -> str:
    """The lines gathered so far, each ending in a newline; ``out`` is emptied."""
    text = "".join(line + "\n" for line in out)
    out.clear()
    return text


def _side_text(side: Side) -> str:
    return f"{side.prefix} {_labels_text(side.labels)}"


def _grouped_text(report: AuditReport, span: range, limit: int, out: list[str]) -> None:
    """One pair of scopes summarised by covering block, the largest ``limit`` first."""
    groups, total = block_groups(report, span, limit)
    needed = sorted({g.block for g in groups} | {x for g in groups for x in g.examples})
    sides = dict(zip(needed, sides_at(report, needed), strict=True))
    out.append(f"  {len(span):,} conflicts under {_plural(total, 'covering block')}, "
               f"largest first (--all lists every conflict):")
    for group in groups:
        other = "b" if group.side == "a" else "a"
        noun = _plural(group.others, group.kind or "allocation").split(" ", 1)[1]
        examples = ", ".join(_side_text(sides[x]) for x in group.examples)
        more = ", ..." if group.others > len(group.examples) else ""
        out.append(f"  {group.side}: {_side_text(sides[group.block])}  overlaps "
                   f"{group.others:,} {noun} of {other} "
                   f"in {_plural(group.conflicts, 'conflict')}: {examples}{more}")
        out.append(f"      at {_where_text(sides[group.block])}")
    if total > len(groups):
        out.append(f"  ... {total - len(groups):,} more covering blocks, each smaller "
                   f"(--limit N shows N of them)")


def _findings_text(report: AuditReport, out: list[str], limit: int | None) -> None:
    inv = report.inventory

    def more(items: Sequence[object]) -> list[str]:
        if limit is None or len(items) <= limit:
            return []
        return [f"  ... {len(items) - limit:,} more"]

    if report.nesting:
        out += ["", f"NESTING: {len(report.nesting):,}"]
        for n in report.nesting[:limit]:
            out.append(f"  {n.message}")
            out.append(f"      at {_sources(n.allocation)}")
        out += more(report.nesting)
    if inv.malformed:
        out += ["", f"MALFORMED: {len(inv.malformed):,}"]
        for m in inv.malformed[:limit]:
            out.append(f"  {m.origin}: {m.value!r}: {m.message}")
        out += more(inv.malformed)
    if inv.ignored:
        out += ["", f"IGNORED: {len(inv.ignored):,} (not allocations; --format json lists each)"]
        for reason, count in sorted(Counter(i.reason for i in inv.ignored).items()):
            out.append(f"  {count:>4}  {reason}")
    if inv.notices:
        out += ["", f"NOTICES: {len(inv.notices):,}"]
        out += [f"  {n.origin}: {n.value}: {n.message}" for n in inv.notices[:limit]]
        out += more(inv.notices)
    if inv.skipped:
        out += ["", f"SKIPPED FILES: {len(inv.skipped):,}"]
        out += [f"  {s.file}: {s.reason}" for s in inv.skipped[:limit]]
        out += more(inv.skipped)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(report: AuditReport, *, limit: int | None = None) -> str:
    """A Markdown report for a pull-request comment.

    Grouped like the terminal report: a pair of scopes with more than
    ``GROUP_ABOVE`` conflicts becomes a table of its largest covering blocks.
    ``limit`` caps the rows per pair of scopes and the findings listed.
    """
    summary = report.summary()
    out = ["## cidrkit audit", ""]
    allocs = _plural(summary["allocations"], "allocation")
    out.append(f"{_plural(summary['files'], 'file')}, {allocs}"
               f" in {_plural(summary['scopes'], 'scope')}: **{summary['blocking']:,} blocking**, "
               f"{summary['latent']:,} latent conflicts, "
               f"{summary['malformed']:,} malformed values.")
    for severity, scope_a, scope_b, span in conflict_spans(report):
        out += ["", f"### {'🛑' if severity == 'blocking' else '⚠️'} "
                    f"{_md(headline(report, scope_a, scope_b, _b_kinds(report, span)))}", ""]
        if len(span) > GROUP_ABOVE:
            _grouped_markdown(report, span, SHOWN_GROUPS if limit is None else limit, out)
            continue
        out += ["| a | relation | b | a source | b source |", "|---|---|---|---|---|"]
        shown = span if limit is None else span[:limit]
        remedies: set[str] = set()
        for c in _conflicts_in(report, shown):
            if line := _remedy_line(report, c):
                remedies.add(line)
            out.append(f"| `{c.a.prefix}` {_md(_label(c.a))} | {_RELATION[c.relation]} | "
                       f"`{c.b.prefix}` {_md(_label(c.b))} | `{_md(str(c.a.observations[0]))}` | "
                       f"`{_md(str(c.b.observations[0]))}` |")
        if len(shown) < len(span):
            out.append(f"\n... and {len(span) - len(shown):,} more conflicts between these scopes.")
        out += [f"\nRemedy: {_md(line)}" for line in sorted(remedies)]
    malformed = report.inventory.malformed
    if malformed:
        out += ["", "### Malformed values", "", "| where | value | problem |", "|---|---|---|"]
        out += [f"| `{_md(str(m.origin))}` | `{_md(m.value)}` | {_md(m.message)} |"
                for m in malformed[:limit]]
        if limit is not None and len(malformed) > limit:
            out.append(f"\n... and {len(malformed) - limit:,} more malformed values.")
    if report.nesting:
        out += ["", "### Nesting", ""]
        out += [f"- {_md(n.message)} (`{_md(str(n.allocation.observations[0]))}`)"
                for n in report.nesting[:limit]]
    if report.inventory.skipped:
        out += ["", "### Files not read", ""]
        out += [f"- `{_md(s.file)}`: {_md(s.reason)}" for s in report.inventory.skipped]
    return "\n".join(out) + "\n"


def _grouped_markdown(report: AuditReport, span: range, limit: int, out: list[str]) -> None:
    groups, total = block_groups(report, span, limit)
    needed = sorted({g.block for g in groups} | {x for g in groups for x in g.examples})
    sides = dict(zip(needed, sides_at(report, needed), strict=True))
    out += [f"{len(span):,} conflicts under {_plural(total, 'covering block')}, "
            f"largest first:", "",
            "| side | covering block | overlaps | conflicts | e.g. | source |",
            "|---|---|---|---|---|---|"]
    for group in groups:
        block = sides[group.block]
        examples = ", ".join(f"`{sides[x].prefix}`" for x in group.examples)
        out.append(f"| {group.side} | `{block.prefix}` {_md(_labels_text(block.labels))} | "
                   f"{group.others:,} | {group.conflicts:,} | {examples} | "
                   f"`{_md(str(block.observations[0]))}` |")
    if total > len(groups):
        out.append(f"\n... and {total - len(groups):,} more covering blocks.")
