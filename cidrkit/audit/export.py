"""Machine-readable audit reports: JSON (schema version 1) and SARIF 2.1.0.

The JSON schema is documented in docs/audit.md and only ever grows: new keys
may be added, existing ones keep their meaning while ``version`` is 1.
"""

from __future__ import annotations

from typing import Any

from cidrkit.audit.engine import AuditReport
from cidrkit.audit.model import Allocation, Conflict
from cidrkit.sources.record import Origin

SCHEMA_VERSION = 1


def report_json(report: AuditReport) -> dict[str, Any]:
    """The whole report as JSON-ready data (schema version 1)."""
    inv = report.inventory
    return {
        "version": SCHEMA_VERSION,
        "summary": report.summary(),
        "conflicts": [c.to_json() for c in report.conflicts],
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
        "allocations": [
            {"prefix": str(a.prefix), "scope": a.scope, "name": a.name, "kind": a.kind,
             "observations": [o.to_json() for o in a.observations]}
            for a in report.allocations
        ],
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
    results = [_conflict_result(c, report) for c in report.conflicts]
    results += [
        {"ruleId": "nesting/outside", "level": "warning", "message": {"text": n.message},
         "locations": [_location(n.allocation.observations[0])]}
        for n in report.nesting
    ]
    results += [
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
            "results": results,
        }],
    }
