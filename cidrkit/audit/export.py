"""Machine-readable audit reports: JSON (schema version 1) and SARIF 2.1.0.

The JSON schema is documented in docs/audit.md and only ever grows: new keys
may be added, existing ones keep their meaning while ``version`` is 1.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring as _quote
from typing import Any

from cidrkit.audit.engine import AuditReport
from cidrkit.audit.model import Allocation, Conflict
from cidrkit.sources.record import Origin

SCHEMA_VERSION = 1


def report_json(report: AuditReport) -> dict[str, Any]:
    """The whole report as JSON-ready data (schema version 1)."""
    document = _json_document(report)
    document["conflicts"] = list(document["conflicts"])
    document["allocations"] = list(document["allocations"])
    return document


def iter_report_json(report: AuditReport) -> Iterator[str]:
    """The JSON report as text pieces: ``json.dumps(report_json(report), indent=2)`` and a
    newline, byte for byte, without ever holding every conflict in memory.
    """
    document = _json_document(report)
    return _stream(document, ("conflicts", "allocations"))


def iter_report_sarif(report: AuditReport) -> Iterator[str]:
    """The SARIF log as text pieces, like ``iter_report_json``."""
    document = _sarif_document(report)
    return _stream(document["runs"][0], ("results",), document)


def _json_document(report: AuditReport) -> dict[str, Any]:
    """The JSON report with its two big lists left as lazy iterables."""
    inv = report.inventory
    return {
        "version": SCHEMA_VERSION,
        "summary": report.summary(),
        "conflicts": (c.to_json() for c in report.conflicts),
        "nesting": [n.to_json() for n in report.nesting],
        "malformed": [m.to_json() for m in inv.malformed],
        "ignored": [i.to_json() for i in inv.ignored],
        "notices": [n.to_json() for n in inv.notices],
        "skipped": [s.to_json() for s in inv.skipped],
        "scopes": [
            {"scope": s.scope, "description": s.describe(), "name": s.name,
             "account": s.account, "region": s.region}
            for s in sorted(report.scopes.values(), key=lambda s: s.scope)
        ],
        "allocations": (
            {"prefix": str(a.prefix), "scope": a.scope, "name": a.name, "kind": a.kind,
             "observations": [o.to_json() for o in a.observations]}
            for a in report.allocations
        ),
    }


_RULES = [
    ("overlap/blocking", "Address space overlaps between connected networks",
     "error"),
    ("overlap/latent", "Address space overlaps between networks not (yet) connected",
     "warning"),
    ("nesting/outside", "A subnet lies outside every block of its own network", "warning"),
    ("input/malformed", "A value that should be a CIDR does not parse", "error"),
]


def _location(origin: Origin, message: str | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": origin.file.replace("\\", "/")}}
    if origin.line is not None:
        physical["region"] = {"startLine": origin.line}
    location: dict[str, Any] = {"physicalLocation": physical}
    names = [x for x in (origin.address, origin.pointer) if x]
    if names:
        location["logicalLocations"] = [{"fullyQualifiedName": names[0]}]
    if message:
        location["message"] = {"text": message}
    return location


def _side(alloc: Allocation) -> str:
    name = f" {alloc.name}" if alloc.name else ""
    return f"{alloc.prefix} ({alloc.kind or 'allocation'}{name} in {alloc.scope})"


def _conflict_result(conflict: Conflict, report: AuditReport) -> dict[str, Any]:
    relation = {"equal": "equals", "a_contains_b": "contains",
                "b_contains_a": "is inside"}[conflict.relation]
    text = f"{_side(conflict.a)} {relation} {_side(conflict.b)}"
    if conflict.remedy is not None:
        side = conflict.a if conflict.remedy.side == "a" else conflict.b
        text += f"; cheaper to renumber {conflict.remedy.block} in {side.scope}"
        if conflict.remedy.candidates:
            text += f" (free: {conflict.remedy.candidates[0]})"
    related = [_location(o, f"other side: {_side(conflict.b)}") for o in conflict.b.observations]
    related += [_location(o, f"same allocation: {conflict.a.prefix}")
                for o in conflict.a.observations[1:]]
    for n, loc in enumerate(related):
        loc["id"] = n
    return {
        "ruleId": f"overlap/{conflict.severity}",
        "level": "error" if conflict.severity == "blocking" else "warning",
        "message": {"text": text},
        "locations": [_location(conflict.a.observations[0])],
        "relatedLocations": related,
    }


def report_sarif(report: AuditReport) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log, so CI shows findings on the lines of the files."""
    document = _sarif_document(report)
    run = document["runs"][0]
    run["results"] = list(run["results"])
    return document


def _sarif_document(report: AuditReport) -> dict[str, Any]:
    """The SARIF log with its results left as a lazy iterable."""
    results = (_conflict_result(c, report) for c in report.conflicts)
    findings = [
        {"ruleId": "nesting/outside", "level": "warning", "message": {"text": n.message},
         "locations": [_location(n.allocation.observations[0])]}
        for n in report.nesting
    ]
    findings += [
        {"ruleId": "input/malformed", "level": "error",
         "message": {"text": f"{m.value!r}: {m.message}"}, "locations": [_location(m.origin)]}
        for m in report.inventory.malformed
    ]
    rules = [
        {"id": rid, "shortDescription": {"text": text},
         "defaultConfiguration": {"level": level}}
        for rid, text, level in _RULES
    ]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "cidrkit", "rules": rules}},
            "results": itertools.chain(results, findings),
        }],
    }


def _stream(holder: dict[str, Any], keys: tuple[str, ...],
            document: dict[str, Any] | None = None) -> Iterator[str]:
    """Encode ``document`` as ``json.dumps(indent=2)`` does, streaming ``holder[key]``.

    Each lazy list is swapped for a unique placeholder, the rest is encoded
    once, and the lists are written item by item where the placeholders were.
    """
    document = holder if document is None else document
    token = uuid.uuid4().hex
    lists = {}
    for n, key in enumerate(keys):
        lists[f'"@{token}-{n}@"'] = holder[key]
        holder[key] = f"@{token}-{n}@"
    text = json.dumps(document, indent=2, ensure_ascii=False)
    for placeholder, items in lists.items():
        before, text = text.split(placeholder, 1)
        yield before
        yield from _encode_list(items, before[before.rfind("\n") + 1:])
    yield text + "\n"


def _encode_list(items: Iterable[Any], line: str) -> Iterator[str]:
    """A JSON list at the indentation of ``line`` (the text before it on its line)."""
    pad = line[: len(line) - len(line.lstrip(" "))]
    inner = pad + "  "
    first = True
    for item in items:
        yield ("[\n" if first else ",\n") + inner + _encode(item, inner)
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
