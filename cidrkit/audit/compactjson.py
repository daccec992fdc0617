"""The JSON report, schema version 2: every file and every allocation written once.

Version 1 writes both sides of each conflict in full, with all their sources,
so a report of 430,000 conflicts is 729 MB, most of it the same allocations
and file names again. Version 2 keeps version 1's objects and moves the
repetition into tables: ``sources`` lists each file once and observations
name it by index (``"source": 3``); ``allocations`` lists each allocation a
finding refers to once, and conflicts and nesting findings name it by index
(``"a": 17``). Its size grows with the findings, not with how often the same
names recur. Written piece by piece like version 1; the shape is documented
in docs/audit.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from cidrkit.audit.engine import AuditReport
from cidrkit.audit.export import BATCH_ITEMS, Encoded, stream_json
from cidrkit.audit.jsonlines import source_ids
from cidrkit.audit.jsontext import SideEncoder, remedy_json
from cidrkit.audit.rows import conflict_arrays, conflict_batches
from cidrkit.audit.sidetext import SideTexts

I64 = npt.NDArray[np.int64]

COMPACT_VERSION = 2


def _referenced(report: AuditReport, limit: int | None) -> I64:
    """Indexes of the observed blocks the written findings refer to, sorted (report order)."""
    a, b, _ = conflict_arrays(report)
    if limit is not None:
        a, b = a[:limit], b[:limit]
    nested = [n.allocation.index for n in report.nesting[:limit]]
    return np.unique(np.concatenate([a, b, np.array(nested, dtype=np.int64)]))


def _with_source(item: dict[str, Any], sources: dict[str, int]) -> dict[str, Any]:
    """A version 1 finding with ``file`` replaced by ``source``, in the same place."""
    return {("source" if key == "file" else key): (sources[value] if key == "file" else value)
            for key, value in item.items()}


def iter_report_compact(report: AuditReport, limit: int | None = None) -> Iterator[str]:
    """The version 2 JSON report as text pieces, ending in a newline."""
    inv = report.inventory
    sources = source_ids(report)
    referenced = _referenced(report, limit)

    def cut(items: list[Any]) -> list[Any]:
        return items if limit is None else items[:limit]

    document: dict[str, Any] = {"version": COMPACT_VERSION, "summary": report.summary()}
    if limit is not None:
        document["limit"] = limit
    position = {int(i): n for n, i in enumerate(referenced.tolist())}
    document.update({
        "sources": list(sources),
        "scopes": [
            {"scope": s.scope, "description": s.describe(), "name": s.name,
             "account": s.account, "region": s.region}
            for s in sorted(report.scopes.values(), key=lambda s: s.scope)
        ],
        "allocations": partial(_allocation_texts, report, referenced, sources),
        "conflicts": partial(_conflict_texts, report, limit, referenced),
        "nesting": [{"message": n.message, "allocation": position[n.allocation.index]}
                    for n in cut(report.nesting)],
        "malformed": [_with_source(m.to_json(), sources) for m in cut(inv.malformed)],
        "ignored": [_with_source(i.to_json(), sources) for i in cut(inv.ignored)],
        "notices": [_with_source(n.to_json(), sources) for n in cut(inv.notices)],
        "skipped": [_with_source(s.to_json(), sources) for s in cut(inv.skipped)],
    })
    lazy: dict[str, Encoded] = {key: document[key] for key in ("allocations", "conflicts")}
    return stream_json(document, lazy)


def _allocation_texts(report: AuditReport, referenced: I64, sources: dict[str, int],
                      pad: str) -> Iterator[list[str]]:
    sides = SideTexts(report, SideEncoder(pad, sources=sources).encode)
    for start in range(0, int(referenced.shape[0]), BATCH_ITEMS):
        yield sides.at(referenced[start:start + BATCH_ITEMS])


def _conflict_texts(report: AuditReport, limit: int | None, referenced: I64,
                    pad: str) -> Iterator[list[str]]:
    p = pad + "  "
    for batch in conflict_batches(report, limit):
        ids_a = np.searchsorted(referenced, np.array(batch.a, dtype=np.int64)).tolist()
        ids_b = np.searchsorted(referenced, np.array(batch.b, dtype=np.int64)).tolist()
        remedies: dict[int, str] = {}
        items = []
        for a, b, relation, severity, remedy in zip(
            ids_a, ids_b, batch.relation, batch.severity, batch.remedy, strict=True
        ):
            tail = ""
            if remedy is not None:
                tail = remedies.get(id(remedy), "")
                if not tail:
                    tail = remedies[id(remedy)] = f',\n{p}"remedy": {remedy_json(remedy, p)}'
            items.append(f'{{\n{p}"relation": "{relation}",\n{p}"severity": "{severity}",\n'
                         f'{p}"a": {a},\n{p}"b": {b}{tail}\n{pad}}}')
        yield items
