"""Pools and space to avoid, and the one entry point that reads a plan file.

``avoid_from`` paths (relative to the plan file) are read with the inventory
importers of ``cidrkit.sources``, so every format the auditor understands can
feed the planner.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cidrkit.core.prefix import Prefix
from cidrkit.core.range import Range
from cidrkit.errors import CidrkitError, ParseError
from cidrkit.plan.diagnostics import PlanError, Problem
from cidrkit.plan.loader import (
    MAX_NODES,
    RawPlan,
    Value,
    read_plan_file,
    read_plan_text,
)
from cidrkit.plan.resolve import resolve_plan
from cidrkit.plan.spec import Avoid, Plan, Pool


def read_pools(raw: RawPlan, problems: list[Problem]) -> list[Pool]:
    """The ``pools:`` list: each ``{name, cidr | cidrs}``, one family per pool."""
    value = raw.settings.get("pools")
    if value is None:
        problems.append(Problem(raw.source, "the plan declares no pools",
                                "add e.g. pools: [{name: main, cidr: 10.0.0.0/8}]"))
        return []
    if not isinstance(value.data, list):
        problems.append(Problem(value.where, "pools must be a list"))
        return []
    pools: list[Pool] = []
    for index, entry in enumerate(value.data):
        where = _item_where(value, index)
        if not isinstance(entry, Mapping) or "name" not in entry:
            problems.append(Problem(where, f"pool {entry!r} needs a name and a cidr",
                                    "write {name: main, cidr: 10.0.0.0/8}"))
            continue
        _check_keys(entry, ("name", "cidr", "cidrs", "note"), f"pool {entry['name']!r}",
                    where, problems)
        texts = entry.get("cidrs", [entry["cidr"]] if "cidr" in entry else [])
        prefixes = [p for p in (_prefix(str(t), where, problems) for t in texts) if p]
        if not prefixes:
            if not texts:  # a bad cidr was reported above; don't pile on
                problems.append(Problem(where, f"pool {entry['name']!r} has no cidr"))
            continue
        versions = {p.version for p in prefixes}
        if len(versions) > 1:
            problems.append(Problem(where, f"pool {entry['name']!r} mixes IPv4 and IPv6",
                                    "declare one pool per family"))
            continue
        if any(p.name == str(entry["name"]) for p in pools):
            problems.append(Problem(where, f"duplicate pool {entry['name']!r}"))
            continue
        pools.append(Pool(str(entry["name"]), versions.pop(), tuple(prefixes), where))
    _check_pool_overlaps(pools, problems)
    return pools


def _check_pool_overlaps(pools: list[Pool], problems: list[Problem]) -> None:
    seen: list[tuple[Prefix, str]] = []
    for pool in pools:
        for prefix in pool.prefixes:
            for other, name in seen:
                if prefix.overlaps(other):
                    problems.append(Problem(pool.where, f"pool {pool.name!r} ({prefix}) overlaps "
                                                        f"pool {name!r} ({other})"))
            seen.append((prefix, pool.name))


def read_avoid(raw: RawPlan, problems: list[Problem]) -> list[Avoid]:
    """Inline ``avoid:`` entries plus everything read from ``avoid_from:`` paths."""
    avoid: list[Avoid] = []
    value = raw.settings.get("avoid")
    if value is not None:
        items = value.data if isinstance(value.data, list) else [value.data]
        for index, entry in enumerate(items):
            where = _item_where(value, index)
            note = ""
            if isinstance(entry, Mapping):
                # An unquoted comma in a flow mapping splits a note into a
                # stray key: catch it rather than silently losing text.
                _check_keys(entry, ("cidr", "note"), "avoid entry", where, problems)
                note = str(entry.get("note", ""))
                entry = entry.get("cidr", "")
            avoid.extend(Avoid(p, note, where) for p in _prefixes(str(entry), where, problems))
    paths = raw.settings.get("avoid_from")
    if paths is not None:
        names = paths.data if isinstance(paths.data, list) else [paths.data]
        found = []
        for index, name in enumerate(names):
            path = raw.base_dir / str(name)
            if path.exists():
                found.append(path)
            else:  # named at its line in the plan, not as a bare path
                where = _item_where(paths, index)
                problems.append(Problem(where, f"avoid_from: {str(name)!r}: no such file or "
                                               f"directory (looked for {path})"))
        avoid.extend(read_inventories(found, problems))
    return avoid


def read_inventories(paths: list[Path], problems: list[Problem]) -> list[Avoid]:
    """Read prefixes to avoid from inventory files or directories.

    A path that does not exist, a file in no known format and a malformed
    entry are all problems: silently avoiding less than intended would let
    the plan collide with existing space.
    """
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        problems.append(Problem(str(path), "avoid_from: no such file or directory"))
    paths = [p for p in paths if p.exists()]
    if not paths:
        return []
    # Imported here: most plans have no avoid_from, and the importers cost start-up time.
    from cidrkit.sources import read_inventory

    try:
        inventory = read_inventory([str(p) for p in paths])
    except CidrkitError as exc:
        problems.append(Problem(str(paths[0]), f"avoid_from: {exc}"))
        return []
    for bad in inventory.malformed:
        problems.append(Problem(str(bad.origin), f"avoid_from: {bad.value!r}: {bad.message}"))
    for skipped in inventory.skipped:
        problems.append(Problem(skipped.file, f"avoid_from: not read: {skipped.reason}"))
    return [
        Avoid(r.prefix, r.labels.name or r.labels.kind or "", str(r.origin))
        for r in inventory.records
    ]


def _check_keys(entry: Mapping[Any, Any], allowed: tuple[str, ...], what: str, where: str,
                problems: list[Problem]) -> None:
    for key in entry:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else (
                "quote text that contains a comma")
            problems.append(Problem(where, f"unknown key {key!r} in {what}", hint))


def _prefix(text: str, where: str, problems: list[Problem]) -> Prefix | None:
    try:
        return Prefix.parse(text)
    except ParseError as exc:
        problems.append(Problem(where, exc.problem, exc.hint))
        return None


def _prefixes(text: str, where: str, problems: list[Problem]) -> Iterable[Prefix]:
    """A prefix, or the minimal prefix cover of a range ``a-b``."""
    if "-" in text:
        try:
            return Range.parse(text).to_prefixes()
        except ParseError as exc:
            problems.append(Problem(where, exc.problem, exc.hint))
            return []
    prefix = _prefix(text, where, problems)
    return [prefix] if prefix else []


def _item_where(value: Value, index: int) -> str:
    lc = getattr(value.data, "lc", None)
    if lc is None:
        return value.where
    try:
        line, col = lc.item(index)
    except (KeyError, AttributeError):
        return value.where
    return f"{value.where.rsplit(':', 2)[0]}:{line + 1}:{col + 1}"


def _build(raw: RawPlan) -> Plan:
    problems: list[Problem] = []
    version = raw.settings.get("version")
    if version is not None and version.data != 1:
        problems.append(Problem(version.where, f"unsupported plan version {version.data!r}",
                                "this cidrkit reads version 1"))
    pools = read_pools(raw, problems)
    avoid = read_avoid(raw, problems)
    if problems:
        raise PlanError(problems)
    return resolve_plan(raw, pools, avoid)


def load_plan(path: Path, *, max_nodes: int = MAX_NODES) -> Plan:
    """Read, expand and size the plan file at ``path``; ``PlanError`` lists problems."""
    return _build(read_plan_file(path, max_nodes=max_nodes))


def load_plan_text(text: str, source: str = "plan.yaml", base_dir: Path | None = None) -> Plan:
    """Like ``load_plan`` for text already in memory (``source`` names it in messages)."""
    return _build(read_plan_text(text, source, base_dir))
