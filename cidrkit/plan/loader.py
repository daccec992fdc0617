"""Read a plan file: YAML with positions, templates, matrices and overrides.

The result is a tree of ``RawNode`` (names final, every value still carrying
the ``file:line:col`` it came from); ``cidrkit.plan.resolve`` sizes it.
Every problem found is collected and raised together as one ``PlanError``.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cidrkit.plan.diagnostics import PlanError, Problem
from cidrkit.plan.spec import IPV6_SEGMENT

TOP_KEYS = (
    "version", "cloud", "growth", "headroom", "ipv6_source", "pools", "avoid",
    "avoid_from", "templates", "tree", "overrides",
)
NODE_KEYS = (
    "kind", "cloud", "pool", "growth", "headroom", "ipv6_source", "hosts", "prefix",
    "ipv4", "ipv6", "block", "k8s", "note", "children", "matrix", "use",
)
# Keys an override may set: everything that describes a node, not its shape.
OVERRIDE_KEYS = tuple(k for k in NODE_KEYS if k not in ("children", "matrix", "use"))
_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_-]*)\}")
_BAD_NAME = re.compile(r"[/*?\[\]{}\s]")


@dataclass(frozen=True, slots=True)
class Value:
    """A YAML value and the ``file:line:col`` where it was written."""

    data: Any
    where: str


@dataclass(slots=True)
class RawNode:
    """A node after expansion: final name and path, fields with positions."""

    name: str
    path: str
    where: str
    fields: dict[str, Value] = field(default_factory=dict)
    children: list[RawNode] = field(default_factory=list)

    def walk(self) -> Iterator[RawNode]:
        """This node and its descendants, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(slots=True)
class RawPlan:
    """The top-level settings and the expanded tree of a plan file."""

    source: str
    base_dir: Path
    settings: dict[str, Value]
    roots: list[RawNode]


class _Reader:
    """Walks the YAML document, collecting problems instead of stopping."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.templates: dict[str, Any] = {}

    def at(self, mapping: Any, key: Any | None = None, *, value: bool = False) -> str:
        """``file:line:col`` of ``mapping`` (or of one of its keys/values)."""
        lc = getattr(mapping, "lc", None)
        if lc is None:
            return self.source
        try:
            if key is None:
                line, col = lc.line, lc.col
            elif isinstance(key, int) and not hasattr(mapping, "keys"):
                line, col = lc.item(key)
            else:
                line, col = lc.value(key) if value else lc.key(key)
        except (KeyError, TypeError, AttributeError):
            return self.source
        return f"{self.source}:{line + 1}:{col + 1}"

    def problem(self, where: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(where, message, hint))

    def check_keys(self, mapping: Mapping[Any, Any], allowed: tuple[str, ...], what: str) -> None:
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean {close[0]!r}?" if close else None
                self.problem(self.at(mapping, key), f"unknown key {key!r} in {what}", hint)

    # -- expansion -----------------------------------------------------------

    def expand(
        self,
        name_template: str,
        body: Any,
        variables: dict[str, str],
        parent_path: str,
        where: str,
        using: tuple[str, ...] = (),
    ) -> list[RawNode]:
        """Expand one YAML node entry into one node per matrix combination."""
        if body is None:
            body = {}
        if not isinstance(body, Mapping):
            self.problem(where, f"node {name_template!r} must be a mapping, got {body!r}")
            return []
        self.check_keys(body, NODE_KEYS, f"node {name_template!r}")
        combos: list[dict[str, str]] = [{}]
        if "matrix" in body:
            combos = self._matrix(body, name_template)
        nodes = []
        for combo in combos:
            scope = {**variables, **combo}
            name = self.substitute(str(name_template), scope, where)
            if name is None:
                continue
            if _BAD_NAME.search(name) or not name or name == IPV6_SEGMENT:
                self.problem(
                    where,
                    f"node name {name!r} is not allowed",
                    "names may not be empty, 'ipv6', or contain '/', spaces or glob characters",
                )
                continue
            path = f"{parent_path}/{name}" if parent_path else name
            node = RawNode(name, path, where)
            self._fill(node, body, scope, using)
            nodes.append(node)
        return nodes

    def _matrix(self, body: Any, name_template: str) -> list[dict[str, str]]:
        matrix = body["matrix"]
        where = self.at(body, "matrix", value=True)
        if not isinstance(matrix, Mapping) or not matrix:
            self.problem(where, "matrix must map variable names to lists of values")
            return []
        names, choices = [], []
        for var, values in matrix.items():
            if not isinstance(values, list) or not values:
                self.problem(self.at(matrix, var),
                             f"matrix variable {var!r} needs a list of values")
                return []
            if f"{{{var}}}" not in str(name_template):
                self.problem(
                    self.at(matrix, var),
                    f"matrix variable {var!r} does not appear in the node name {name_template!r}",
                    f"name the node e.g. '{name_template}-{{{var}}}' so each copy is distinct",
                )
                return []
            names.append(str(var))
            choices.append([str(v) for v in values])
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices)]

    def _fill(
        self, node: RawNode, body: Any, scope: dict[str, str], using: tuple[str, ...]
    ) -> None:
        child_bodies: dict[str, tuple[Any, str]] = {}
        if "use" in body:
            where = self.at(body, "use", value=True)
            template_name = self.substitute(str(body["use"]), scope, where) or ""
            template = self.templates.get(template_name)
            if template is None:
                close = difflib.get_close_matches(template_name, list(self.templates), n=1)
                self.problem(
                    where,
                    f"unknown template {template_name!r}",
                    f"did you mean {close[0]!r}?" if close else None,
                )
            elif template_name in using:
                self.problem(where, f"template {template_name!r} uses itself")
            else:
                self.check_keys(template, NODE_KEYS, f"template {template_name!r}")
                if "matrix" in template:
                    self.problem(self.at(template, "matrix"), "a template cannot carry a matrix")
                # A template may itself use another template.
                self._fill(node, template, scope, (*using, template_name))
                using = (*using, template_name)
        for key, value in body.items():
            if key in ("children", "matrix", "use"):
                continue
            node.fields[str(key)] = Value(
                self.substitute_deep(value, scope, self.at(body, key, value=True)),
                self.at(body, key, value=True),
            )
        children = body.get("children")
        if children is None:
            return
        if not isinstance(children, Mapping):
            self.problem(self.at(body, "children", value=True),
                         "children must be a mapping of names")
            return
        for key, child in children.items():
            child_bodies[str(key)] = (child, self.at(children, key))
        existing = {c.name for c in node.children}
        for key, (child, where) in child_bodies.items():
            for expanded in self.expand(key, child, scope, node.path, where, using):
                if expanded.name in existing:
                    self._merge_into(node, expanded)
                else:
                    existing.add(expanded.name)
                    node.children.append(expanded)

    def _merge_into(self, node: RawNode, extra: RawNode) -> None:
        """A node's own child with a template child's name refines that child."""
        target = next(c for c in node.children if c.name == extra.name)
        target.fields.update(extra.fields)
        target.where = extra.where
        names = {c.name for c in target.children}
        for grandchild in extra.children:
            if grandchild.name in names:
                self._merge_into(target, grandchild)
            else:
                target.children.append(grandchild)

    def substitute(self, text: str, scope: dict[str, str], where: str) -> str | None:
        """Replace ``{var}`` in ``text``; a problem (and ``None``) for unknown ones."""
        missing = [m for m in _VARIABLE.findall(text) if m not in scope]
        if missing:
            self.problem(where, f"unknown variable {{{missing[0]}}} in {text!r}",
                         "variables come from a 'matrix' on this node or an ancestor")
            return None
        return _VARIABLE.sub(lambda m: scope[m.group(1)], text)

    def substitute_deep(self, value: Any, scope: dict[str, str], where: str) -> Any:
        if isinstance(value, str) and "{" in value:
            result = self.substitute(value, scope, where)
            return value if result is None else result
        if isinstance(value, Mapping):
            return {k: self.substitute_deep(v, scope, where) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute_deep(v, scope, where) for v in value]
        return value


def load_yaml(text: str, source: str) -> Any:
    """Parse YAML keeping positions; a ``PlanError`` pointing at bad syntax."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    yaml = YAML(typ="rt")
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise PlanError([Problem(where, f"invalid YAML: {exc.problem}")]) from None


def read_plan_text(text: str, source: str, base_dir: Path | None = None) -> RawPlan:
    """Parse plan ``text`` (named ``source`` in messages) into a ``RawPlan``."""
    document = load_yaml(text, source)
    reader = _Reader(source)
    if not isinstance(document, Mapping):
        raise PlanError([Problem(source, "a plan must be a YAML mapping with a 'tree' key")])
    reader.check_keys(document, TOP_KEYS, "the plan")
    settings = {
        str(k): Value(v, reader.at(document, k, value=True))
        for k, v in document.items()
        if k not in ("templates", "tree", "overrides")
    }
    templates = document.get("templates") or {}
    if not isinstance(templates, Mapping):
        reader.problem(reader.at(document, "templates", value=True), "templates must be a mapping")
        templates = {}
    reader.templates = {str(k): v for k, v in templates.items()}
    tree = document.get("tree")
    roots: list[RawNode] = []
    if not isinstance(tree, Mapping) or not tree:
        reader.problem(reader.at(document, "tree") if "tree" in document else source,
                       "the plan needs a 'tree' mapping of top-level nodes")
    else:
        for key, body in tree.items():
            roots.extend(reader.expand(str(key), body, {}, "", reader.at(tree, key)))
    _check_unique(roots, reader)
    _apply_overrides(document.get("overrides"), document, roots, reader)
    if reader.problems:
        raise PlanError(reader.problems)
    return RawPlan(source, base_dir or Path("."), settings, roots)


def read_plan_file(path: Path) -> RawPlan:
    """Read and expand the plan file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError([Problem(str(path), f"cannot read plan: {exc.strerror}")]) from None
    return read_plan_text(text, path.name if path.parent == Path(".") else str(path), path.parent)


def _check_unique(nodes: list[RawNode], reader: _Reader) -> None:
    seen: dict[str, str] = {}
    for node in nodes:
        if node.name in seen:
            reader.problem(node.where, f"duplicate node {node.path!r}",
                           f"first defined at {seen[node.name]}")
        seen.setdefault(node.name, node.where)
        _check_unique(node.children, reader)


def path_matches(pattern: str, path: str) -> bool:
    """Whether ``path`` matches ``pattern``: ``*`` one segment, ``**`` any number."""
    import fnmatch

    def match(pats: list[str], segs: list[str]) -> bool:
        if not pats:
            return not segs
        if pats[0] == "**":
            return any(match(pats[1:], segs[i:]) for i in range(len(segs) + 1))
        return bool(segs) and fnmatch.fnmatchcase(segs[0], pats[0]) and match(pats[1:], segs[1:])

    return match(pattern.split("/"), path.split("/"))


def _apply_overrides(overrides: Any, document: Any, roots: list[RawNode], reader: _Reader) -> None:
    if overrides is None:
        return
    if not isinstance(overrides, Mapping):
        reader.problem(reader.at(document, "overrides", value=True),
                       "overrides must map path patterns to settings")
        return
    every = [n for root in roots for n in root.walk()]
    for pattern, values in overrides.items():
        where = reader.at(overrides, pattern)
        if not isinstance(values, Mapping):
            reader.problem(where, f"override {pattern!r} must be a mapping of settings")
            continue
        reader.check_keys(values, OVERRIDE_KEYS, f"override {pattern!r}")
        targets = [n for n in every if path_matches(str(pattern), n.path)]
        if not targets:
            close = difflib.get_close_matches(str(pattern), [n.path for n in every], n=1)
            reader.problem(where, f"override {pattern!r} matches no node",
                           f"did you mean {close[0]!r}?" if close else None)
        for node in targets:
            for key, value in values.items():
                if key in OVERRIDE_KEYS:
                    node.fields[str(key)] = Value(value, reader.at(values, key, value=True))
