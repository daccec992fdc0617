"""Drift reports as a table, JSON (schema version 1) and SARIF 2.1.0.

JSON::

    {"version": 1,
     "summary": {"compared": 12, "as_planned": 10, "changed": 1, "absent": 1,
                 "unplanned": 0, "outside": 2},
     "drift": [{"kind": "changed", "block": "shop/prod", "planned": "10.21.0.0/20",
                "plan_location": "plan.yaml:12:7",
                "actual": {"prefix": "10.21.0.0/19", "scope": "aws:vpc-0abc", "name":
                           "shop-prod", "kind": "vpc", "observations": [ORIGIN, ...]}}]}
"""

from __future__ import annotations

import json
from typing import Any

from cidrkit.plan.drift import KINDS, Drift, DriftReport
from cidrkit.sources.sarif import sarif_location

SCHEMA_VERSION = 1
_HEADER = ("DRIFT", "BLOCK", "PLANNED", "ACTUAL", "WHERE")
_RULES = {
    "changed": ("A planned network exists with another CIDR than the plan's lock", "error"),
    "absent": ("A planned block is not in use anywhere", "warning"),
    "unplanned": ("Address space in use inside the plan's pools but in no planned block",
                  "error"),
    "outside": ("Address space in use outside every pool of the plan", "note"),
}


def _where(drift: Drift) -> str:
    if drift.actual is None:
        return drift.where or "-"
    named = f" ({drift.actual.name})" if drift.actual.name else ""
    return f"{drift.actual.scope}{named} {drift.actual.origins[0]}"


def render_drift_table(report: DriftReport) -> str:
    """One row per drift, then a summary line (``no drift: ...`` when there is none)."""
    lines: list[str] = []
    if report.findings:
        table = [_HEADER] + [
            (d.kind, d.key or "-", str(d.planned) if d.planned else "-",
             str(d.actual.prefix) if d.actual else "-", _where(d))
            for d in report.findings
        ]
        widths = [max(len(row[i]) for row in table) for i in range(len(_HEADER))]
        lines += ["  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip()
                  for row in table]
        lines.append("")
        counts = report.counts()
        parts = ", ".join(f"{counts[k]} {k}" for k in KINDS if counts[k])
        lines.append(f"{len(report.findings)} drift(s): {parts}; "
                     f"{report.as_planned} of {report.compared} planned blocks in use as planned")
    else:
        lines.append(f"no drift: {report.as_planned} of {report.compared} planned blocks in use "
                     "as planned, nothing in use outside the plan")
    return "\n".join(lines) + "\n"


def _actual_json(drift: Drift) -> dict[str, Any] | None:
    if drift.actual is None:
        return None
    return {"prefix": str(drift.actual.prefix), "scope": drift.actual.scope,
            "name": drift.actual.name, "kind": drift.actual.kind,
            "observations": [o.to_json() for o in drift.actual.origins]}


def drift_json(report: DriftReport) -> dict[str, Any]:
    """The report as JSON-ready data (schema version 1, see the module docstring)."""
    inv = report.inventory
    return {
        "version": SCHEMA_VERSION,
        "summary": {"compared": report.compared, "as_planned": report.as_planned,
                    **report.counts()},
        "drift": [{"kind": d.kind, "block": d.key,
                   "planned": str(d.planned) if d.planned else None,
                   "plan_location": d.where, "actual": _actual_json(d), "message": d.message}
                  for d in report.findings],
        "malformed": [m.to_json() for m in inv.malformed],
        "skipped": [s.to_json() for s in inv.skipped],
    }


def render_drift_json(report: DriftReport) -> str:
    return json.dumps(drift_json(report), indent=2, ensure_ascii=False) + "\n"


def _plan_location(where: str, message: str | None = None) -> dict[str, Any]:
    """A SARIF location for ``plan.yaml:LINE:COL``."""
    path, line, column = where, None, None
    parts = where.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        path, line, column = parts[0], int(parts[1]), int(parts[2])
    physical: dict[str, Any] = {"artifactLocation": {"uri": path.replace("\\", "/")}}
    if line is not None:
        physical["region"] = {"startLine": line, "startColumn": column}
    location: dict[str, Any] = {"physicalLocation": physical}
    if message:
        location["message"] = {"text": message}
    return location


def _result(drift: Drift) -> dict[str, Any]:
    if drift.actual is not None:
        locations = [sarif_location(drift.actual.origins[0])]
    else:
        locations = [_plan_location(drift.where or "plan")]
    result: dict[str, Any] = {"ruleId": f"drift/{drift.kind}", "level": _RULES[drift.kind][1],
                              "message": {"text": drift.message}, "locations": locations}
    if drift.actual is not None and drift.where:
        related = _plan_location(drift.where, f"planned here: {drift.key} {drift.planned}")
        related["id"] = 0
        result["relatedLocations"] = [related]
    return result


def render_drift_sarif(report: DriftReport) -> str:
    """A SARIF 2.1.0 log, so CI shows each drift on the line of the plan or the export."""
    rules = [{"id": f"drift/{kind}", "shortDescription": {"text": text},
              "defaultConfiguration": {"level": level}}
             for kind, (text, level) in _RULES.items()]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "cidrkit", "rules": rules}},
                  "results": [_result(d) for d in report.findings]}],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
