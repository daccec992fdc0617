"""Machine-readable audit reports: JSON (schema version 1) and SARIF 2.1.0.

The JSON schema is documented in docs/audit.md and only ever grows: new keys
may be added, existing ones keep their meaning while ``version`` is 1.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from json.encoder import encode_basestring as _quote
from typing import Any

import numpy as np

from cidrkit.audit.engine import AuditReport
from cidrkit.audit.jsontext import (
    RELATION_WORDS,
    SideEncoder,
    conflict_json,
    location_json,
    related_of_b,
    remedy_json,
    remedy_phrase,
    sarif_conflict,
    sarif_result,
    side_phrase,
)
from cidrkit.audit.model import ObservedBlock, ScopeConflict
from cidrkit.audit.rows import (
    BATCH,
    ConflictRow,
    conflict_batches,
    observed_once,
    sides_at,
)
from cidrkit.audit.sidetext import SideTexts
from cidrkit.sources.sarif import sarif_location

SCHEMA_VERSION = 1

#: Items of a lazy list encoded per batch.
BATCH_ITEMS = BATCH

#: A lazy list: given the indentation its items open at, their encoded texts in batches.
Encoded = Callable[[str], Iterator[list[str]]]


def report_json(report: AuditReport, limit: int | None = None) -> dict[str, Any]:
    """The whole report as JSON-ready data (schema version 1).

    ``limit`` keeps at most that many entries in every list (conflicts,
    allocations, findings) and adds ``"limit"``; the summary still counts all.
    """
    document = _json_document(report, limit)
    conflicts = report.conflicts if limit is None else report.conflicts[:limit]
    document["conflicts"] = [c.to_json() for c in conflicts]
    allocations = report.allocations if limit is None else report.allocations[:limit]
    document["allocations"] = [
        {"prefix": str(a.prefix), "scope": a.scope, "name": a.name, "kind": a.kind,
         "observations": [o.to_json() for o in a.observations]}
        for a in allocations
    ]
    return document


def iter_report_json(report: AuditReport, limit: int | None = None) -> Iterator[str]:
    """The JSON report as text pieces: ``json.dumps(report_json(report), indent=2)`` and a
    newline, byte for byte, without ever holding every conflict in memory.
    """
    document = _json_document(report, limit)
    document["conflicts"] = partial(_conflict_texts, report, limit)
    document["allocations"] = partial(_allocation_texts, report, limit)
    return _stream(document, ("conflicts", "allocations"))


def _conflict_texts(report: AuditReport, limit: int | None, pad: str) -> Iterator[list[str]]:
    inner = pad + "  "
    sides = SideTexts(report, SideEncoder(inner).encode)
    for batch in conflict_batches(report, limit):
        texts = dict(zip(batch.needed.tolist(), sides.at(batch.needed), strict=True))
        # Conflicts of one block share its remedy object: encode each once.
        remedies: dict[int, str] = {}
        items = []
        for a, b, relation, severity, remedy in zip(
            batch.a, batch.b, batch.relation, batch.severity, batch.remedy, strict=True
        ):
            remedy_text = None
            if remedy is not None:
                remedy_text = remedies.get(id(remedy))
                if remedy_text is None:
                    remedy_text = remedies[id(remedy)] = remedy_json(remedy, inner)
            items.append(conflict_json(relation, severity, texts[a], texts[b], remedy_text, pad))
        yield items


def _allocation_texts(report: AuditReport, limit: int | None,
                      pad: str) -> Iterator[list[str]]:
    total = len(report.allocations) if limit is None else min(limit, len(report.allocations))
    sides = SideTexts(report, SideEncoder(pad, planned=False).encode)
    for start in range(0, total, BATCH):
        yield sides.at(np.arange(start, min(start + BATCH, total), dtype=np.int64))


def iter_report_sarif(report: AuditReport, limit: int | None = None) -> Iterator[str]:
    """The SARIF log as text pieces, like ``iter_report_json``."""
    document = _sarif_document(report, limit)
    run = document["runs"][0]
    findings = run["results"]
    run["results"] = partial(_sarif_texts, report, limit, findings)
    return _stream(run, ("results",), document)


def _sarif_texts(report: AuditReport, limit: int | None, findings: list[dict[str, Any]],
                 pad: str) -> Iterator[list[str]]:
    q = pad + "    "
    phrases = SideTexts(report, side_phrase)
    scopes = SideTexts(report, lambda side: side.scope)
    # A missing line drops the whole region object: such sides are encoded one by one.
    locations = SideTexts(report, lambda side: location_json(side.observations[0], q), None)
    related = SideTexts(report, lambda side: related_of_b(side, q), None)
    for batch in conflict_batches(report, limit):
        needed = batch.needed
        keys = needed.tolist()
        phrase = dict(zip(keys, phrases.at(needed), strict=True))
        scope = dict(zip(keys, scopes.at(needed), strict=True))
        location = dict(zip(keys, locations.at(needed), strict=True))
        related_b = dict(zip(keys, related.at(needed), strict=True))
        alone = dict(zip(keys, observed_once(report, needed), strict=True))
        remedies: dict[tuple[int, str], str] = {}
        items = []
        for a, b, relation, severity, remedy in zip(
            batch.a, batch.b, batch.relation, batch.severity, batch.remedy, strict=True
        ):
            if not alone[a]:
                # Side a's further sources join the related locations: the general path.
                a_side, b_side = sides_at(report, [a, b])
                row = ConflictRow(relation, severity, a_side, b_side, remedy)
                items.append(sarif_conflict(row, pad))
                continue
            text = f"{phrase[a]} {RELATION_WORDS[relation]} {phrase[b]}"
            if remedy is not None:
                remedy_scope = scope[a] if remedy.side == "a" else scope[b]
                key = (id(remedy), remedy_scope)
                told = remedies.get(key)
                if told is None:
                    told = remedies[key] = remedy_phrase(remedy, remedy_scope)
                text += told
            items.append(sarif_result(severity, text, location[a], related_b[b], pad))
        yield items
    yield [_encode(finding, pad) for finding in findings]


def _cut(items: list[Any], limit: int | None) -> list[Any]:
    return items if limit is None else items[:limit]


def _json_document(report: AuditReport, limit: int | None) -> dict[str, Any]:
    """The JSON report with its two big lists still to be filled in."""
    inv = report.inventory
    document: dict[str, Any] = {"version": SCHEMA_VERSION, "summary": report.summary()}
    if limit is not None:
        document["limit"] = limit
    document.update({
        "conflicts": None,
        "nesting": [n.to_json() for n in _cut(report.nesting, limit)],
        "malformed": [m.to_json() for m in _cut(inv.malformed, limit)],
        "ignored": [i.to_json() for i in _cut(inv.ignored, limit)],
        "notices": [n.to_json() for n in _cut(inv.notices, limit)],
        "skipped": [s.to_json() for s in _cut(inv.skipped, limit)],
        "scopes": [
            {"scope": s.scope, "description": s.describe(), "name": s.name,
             "account": s.account, "region": s.region}
            for s in sorted(report.scopes.values(), key=lambda s: s.scope)
        ],
        "allocations": None,
    })
    return document


_RULES = [
    ("overlap/blocking", "Address space overlaps between connected networks",
     "error"),
    ("overlap/latent", "Address space overlaps between networks not (yet) connected",
     "warning"),
    ("nesting/outside", "A subnet lies outside every block of its own network", "warning"),
    ("input/malformed", "A value that should be a CIDR does not parse", "error"),
]


def report_sarif(report: AuditReport, limit: int | None = None) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log, so CI shows findings on the lines of the files.

    Built from the conflict objects, independently of the streamed writer
    (``iter_report_sarif``), which tests compare with it.
    """
    document = _sarif_document(report, limit)
    run = document["runs"][0]
    conflicts = report.conflicts if limit is None else report.conflicts[:limit]
    run["results"] = [_conflict_result(c) for c in conflicts] + run["results"]
    return document


def _side(alloc: ObservedBlock) -> str:
    name = f" {alloc.name}" if alloc.name else ""
    return f"{alloc.prefix} ({alloc.kind or 'allocation'}{name} in {alloc.scope})"


def _conflict_result(conflict: ScopeConflict) -> dict[str, Any]:
    text = f"{_side(conflict.a)} {RELATION_WORDS[conflict.relation]} {_side(conflict.b)}"
    if conflict.remedy is not None:
        side = conflict.a if conflict.remedy.side == "a" else conflict.b
        text += f"; cheaper to renumber {conflict.remedy.block} in {side.scope}"
        if conflict.remedy.candidates:
            text += f" (free: {conflict.remedy.candidates[0]})"
    related = [sarif_location(o, f"other side: {_side(conflict.b)}")
               for o in conflict.b.observations]
    related += [sarif_location(o, f"same allocation: {conflict.a.prefix}")
                for o in conflict.a.observations[1:]]
    for n, loc in enumerate(related):
        loc["id"] = n
    return {
        "ruleId": f"overlap/{conflict.severity}",
        "level": "error" if conflict.severity == "blocking" else "warning",
        "message": {"text": text},
        "locations": [sarif_location(conflict.a.observations[0])],
        "relatedLocations": related,
    }


def _sarif_document(report: AuditReport, limit: int | None) -> dict[str, Any]:
    """The SARIF log; ``results`` holds the findings other than conflicts."""
    findings = [
        {"ruleId": "nesting/outside", "level": "warning", "message": {"text": n.message},
         "locations": [sarif_location(n.allocation.observations[0])]}
        for n in _cut(report.nesting, limit)
    ]
    findings += [
        {"ruleId": "input/malformed", "level": "error",
         "message": {"text": f"{m.value!r}: {m.message}"}, "locations": [sarif_location(m.origin)]}
        for m in _cut(report.inventory.malformed, limit)
    ]
    rules = [
        {"id": rid, "shortDescription": {"text": text},
         "defaultConfiguration": {"level": level}}
        for rid, text, level in _RULES
    ]
    run: dict[str, Any] = {"tool": {"driver": {"name": "cidrkit", "rules": rules}},
                           "results": findings}
    if limit is not None:
        # SARIF's property bag says the lists were cut, and how much there was.
        run["properties"] = {"limit": limit, "conflicts": len(report.conflicts)}
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }


def stream_json(document: dict[str, Any], lazy: dict[str, Encoded]) -> Iterator[str]:
    """``document`` as ``json.dumps(indent=2)`` writes it, and a newline, in pieces;
    the top-level lists in ``lazy`` are written a batch at a time where they belong.
    """
    return _stream(document, tuple(lazy), None, lazy)


def _stream(holder: dict[str, Any], keys: tuple[str, ...],
            document: dict[str, Any] | None = None,
            lazy: dict[str, Encoded] | None = None) -> Iterator[str]:
    """Encode ``document`` as ``json.dumps(indent=2)`` does, streaming ``holder[key]``.

    Each lazy list is swapped for a unique placeholder, the rest is encoded
    once, and the lists are written item by item where the placeholders were.
    """
    document = holder if document is None else document
    token = uuid.uuid4().hex
    lists: dict[str, Encoded] = {}
    for n, key in enumerate(keys):
        lists[f'"@{token}-{n}@"'] = holder[key] if lazy is None else lazy[key]
        holder[key] = f"@{token}-{n}@"
    text = json.dumps(document, indent=2, ensure_ascii=False)
    for placeholder in sorted(lists, key=text.find):
        before, text = text.split(placeholder, 1)
        yield before
        yield from _encode_list(lists[placeholder], before[before.rfind("\n") + 1:])
    yield text + "\n"


def _encode_list(items: Encoded, line: str) -> Iterator[str]:
    """A JSON list at the indentation of ``line`` (the text before it on its line)."""
    pad = line[: len(line) - len(line.lstrip(" "))]
    inner = pad + "  "
    first = True
    for batch in items(inner):
        if batch:
            yield ("[\n" if first else ",\n") + inner + (",\n" + inner).join(batch)
            first = False
    yield "[]" if first else f"\n{pad}]"


def _encode(value: Any, pad: str) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)`` for a value starting at ``pad``.

    A lean copy of the standard encoder for the types reports hold; the
    standard one is over twice as slow with an indent.
    """
    if isinstance(value, str):
        return _quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    inner = pad + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        body = ",\n".join([f"{inner}{_quote(k)}: {_encode(v, inner)}" for k, v in value.items()])
        return f"{{\n{body}\n{pad}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        body = ",\n".join([inner + _encode(v, inner) for v in value])
        return f"[\n{body}\n{pad}]"
    return json.dumps(value, ensure_ascii=False)
