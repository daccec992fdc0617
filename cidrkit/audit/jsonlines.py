"""The audit report as JSON lines: one finding per line, sources by reference.

A CI job or a dashboard reads findings one at a time (``grep``, ``jq -c``,
a line-by-line loader), and a file name repeated on every side of 400,000
conflicts is most of a report's size. So every line is one compact JSON
object with a ``type``, files are listed once as ``source`` lines and every
observation names its file by ``source`` id. The order is fixed: the
``report`` line (version and summary), ``source`` lines, ``scope`` lines,
then ``conflict``, ``nesting``, ``malformed``, ``ignored``, ``notice`` and
``skipped`` lines. The shapes are documented in docs/audit.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring as quote
from typing import Any

from cidrkit.audit.engine import AuditReport
from cidrkit.audit.rows import (
    RemedyRow,
    Side,
    Where,
    conflict_batches,
    observed_files,
    side_of,
)
from cidrkit.audit.sidetext import SideTexts
from cidrkit.sources.record import Labels

#: Version of the JSON lines format; like the JSON report's, it only ever grows.
LINES_VERSION = 1


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _null_or(value: str | None) -> str:
    return "null" if value is None else quote(value)


class _Sources:
    """File name -> source id, in order of first mention."""

    def __init__(self, files: Iterable[str]) -> None:
        self.ids: dict[str, int] = {}
        for file in files:
            self.ids.setdefault(file, len(self.ids))


def source_ids(report: AuditReport) -> dict[str, int]:
    """Every file the report may name -> its source id: the files read first, in order."""
    return _Sources(_files_of(report)).ids


def _files_of(report: AuditReport) -> Iterator[str]:
    """Every file a line of the report may name, in a stable order."""
    inv = report.inventory
    yield from inv.files
    yield from observed_files(report)
    for group in (inv.malformed, inv.ignored, inv.notices):
        yield from (item.origin.file for item in group)
    yield from (s.file for s in inv.skipped)


class _SideText:
    """Compact SIDE objects, the text around prefix and line kept per labels and file."""

    def __init__(self, sources: _Sources) -> None:
        self.sources = sources
        self._labels: dict[Labels, str] = {}

    def observation(self, origin: Where) -> str:
        line = "null" if origin.line is None else int.__repr__(origin.line)
        return (f'{{"source":{self.sources.ids[origin.file]},"line":{line},'
                f'"pointer":{_null_or(origin.pointer)},"address":{_null_or(origin.address)},'
                f'"column":{_null_or(origin.column)}}}')

    def encode(self, side: Side) -> str:
        labels = self._labels.get(side.labels)
        if labels is None:
            labels = self._labels[side.labels] = (
                f'"name":{_null_or(side.labels.name)},"kind":{_null_or(side.labels.kind)},'
                f'"planned":{"true" if side.labels.planned else "false"}')
        observations = ",".join([self.observation(o) for o in side.observations])
        return (f'{{"prefix":{quote(side.prefix)},"scope":{quote(side.scope)},{labels},'
                f'"observations":[{observations}]}}')


def _remedy(remedy: RemedyRow) -> str:
    candidates = ",".join(f'"{c}"' for c in remedy.candidates)
    return (f'{{"renumber":"{remedy.side}","block":"{remedy.block}",'
            f'"allocations_affected":{remedy.affected},'
            f'"addresses_affected":{remedy.addresses},"candidates":[{candidates}]}}')


def _referenced(item: dict[str, Any], sources: _Sources) -> dict[str, Any]:
    """A v1 finding object with its ``file`` replaced by the ``source`` id."""
    found = dict(item)
    return {"source": sources.ids[found.pop("file")], **found}


def iter_report_lines(report: AuditReport, limit: int | None = None) -> Iterator[str]:
    """The report as JSON lines, each ending in a newline; ``limit`` caps each kind of finding."""
    inv = report.inventory
    sources = _Sources(_files_of(report))
    head: dict[str, Any] = {"type": "report", "version": LINES_VERSION,
                            "summary": report.summary()}
    if limit is not None:
        head["limit"] = limit
    yield _dumps(head) + "\n"
    yield "".join(_dumps({"type": "source", "id": n, "file": file}) + "\n"
                  for file, n in sources.ids.items())
    yield "".join(_dumps({"type": "scope", "scope": s.scope, "description": s.describe(),
                          "name": s.name, "account": s.account, "region": s.region}) + "\n"
                  for s in sorted(report.scopes.values(), key=lambda s: s.scope))
    encoder = _SideText(sources)
    sides = SideTexts(report, encoder.encode)
    for batch in conflict_batches(report, limit):
        texts = dict(zip(batch.needed.tolist(), sides.at(batch.needed), strict=True))
        remedies: dict[int, str] = {}
        lines = []
        for a, b, relation, severity, remedy in zip(
            batch.a, batch.b, batch.relation, batch.severity, batch.remedy, strict=True
        ):
            remedy_text = ""
            if remedy is not None:
                remedy_text = remedies.get(id(remedy), "")
                if not remedy_text:
                    remedy_text = remedies[id(remedy)] = f',"remedy":{_remedy(remedy)}'
            lines.append(f'{{"type":"conflict","relation":"{relation}","severity":"{severity}",'
                         f'"a":{texts[a]},"b":{texts[b]}{remedy_text}}}\n')
        yield "".join(lines)

    def cut(items: list[Any]) -> list[Any]:
        return items if limit is None else items[:limit]

    for finding in cut(report.nesting):
        yield (f'{{"type":"nesting","message":{quote(finding.message)},'
               f'"allocation":{encoder.encode(side_of(finding.allocation))}}}\n')
    for kind, items in (("malformed", inv.malformed), ("ignored", inv.ignored),
                        ("notice", inv.notices)):
        for item in cut(items):
            yield _dumps({"type": kind, **_referenced(item.to_json(), sources)}) + "\n"
    for skipped in cut(inv.skipped):
        yield _dumps({"type": "skipped", "source": sources.ids[skipped.file],
                      "reason": skipped.reason}) + "\n"
