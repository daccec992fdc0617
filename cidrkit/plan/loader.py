"""Read a plan file: YAML with positions, templates, matrices and overrides.

The result is a tree of ``RawNode`` (names final, every value still carrying
the ``file:line:col`` it came from); ``cidrkit.plan.resolve`` sizes it.
Every problem found is collected and raised together as one ``PlanError``.
"""

from __future__ import annotations

import difflib
import itertools
import math
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
# Limits that keep a hostile or mistaken plan from hanging the planner. A
# real plan has hundreds of nodes and a few levels; these are far above that.
MAX_NODES = 100_000  # plan nodes after matrices and templates (--max-nodes)
MAX_DEPTH = 64  # levels of children
MAX_TEMPLATE_CHAIN = 32  # templates using templates
MAX_YAML_DEPTH = 256  # nesting of YAML collections
# YAML values with every alias counted at each use ("billion laughs"), per
# allowed plan node: a node is a handful of values, so this is generous.
YAML_VALUES_PER_NODE = 50
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

    def __init__(self, source: str, max_nodes: int = MAX_NODES) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.templates: dict[str, Any] = {}
        self.max_nodes = max_nodes
        self.nodes_made = 0

    def count_nodes(self, more: int, where: str) -> None:
        """Spend ``more`` of the node budget; stop reading at once when it runs out."""
        self.nodes_made += more
        if self.nodes_made > self.max_nodes:
            self.problem(
                where,
                f"the plan expands to more than {self.max_nodes:,} nodes "
                "(matrices multiply, templates repeat)",
                "raise the limit with --max-nodes if this size is meant",
            )
            raise PlanError(self.problems)

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
        depth = parent_path.count("/") + 2 if parent_path else 1
        if depth > MAX_DEPTH:
            self.problem(where, f"node {name_template!r} is nested {depth} levels deep; "
                                f"the limit is {MAX_DEPTH}")
            return []
        combos: list[dict[str, str]] = [{}]
        if "matrix" in body:
            combos = self._matrix(body, name_template, where)
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
            self.count_nodes(1, where)
            node = RawNode(name, path, where)
            self._fill(node, body, scope, using)
            nodes.append(node)
        return nodes

    def _matrix(self, body: Any, name_template: str, node_where: str) -> list[dict[str, str]]:
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
        # Check the size before building the product: 200 x 200 x 200 is 8M.
        copies = math.prod(len(c) for c in choices)
        if self.nodes_made + copies > self.max_nodes:
            self.count_nodes(copies, where)
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
                chain = " -> ".join([*using[using.index(template_name):], template_name])
                self.problem(where, f"template {template_name!r} uses itself: {chain}")
            elif len(using) >= MAX_TEMPLATE_CHAIN:
                chain = " -> ".join([*using[:3], "...", *using[-2:], template_name])
                self.problem(
                    where,
                    f"templates use templates more than {MAX_TEMPLATE_CHAIN} deep: {chain}",
                )
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


def load_yaml(text: str, source: str, max_nodes: int = MAX_NODES) -> Any:
    """Parse YAML keeping positions; a ``PlanError`` pointing at bad syntax.

    The event stream is checked first (see ``check_yaml_events``), so an
    alias bomb or a pathologically deep document is refused before it is
    built.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        check_yaml_events(yaml.parse(text), source, max_nodes * YAML_VALUES_PER_NODE)
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise PlanError([Problem(where, f"invalid YAML: {exc.problem}")]) from None
    except YAMLError as exc:
        # Reader errors (control characters, bad encodings) carry no mark.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PlanError([Problem(source, f"invalid YAML: {first}")]) from None


def check_yaml_events(events: Iterator[Any], source: str, max_values: int) -> None:
    """Refuse a YAML event stream that nests too deep or expands too far.

    Counts values as a loader would build them, with each alias counted at
    full size at each use: a "billion laughs" document of a few hundred
    bytes is refused here, in time linear in its text. Iterative, so depth
    costs no Python stack.
    """
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        NodeEvent,
    )

    sizes: dict[str, int] = {}
    # One frame per open collection: its anchor and the values inside so far.
    frames: list[tuple[str | None, list[int]]] = [(None, [0])]
    total = 0  # every value so far, aliases expanded
    for event in events:
        if isinstance(event, AliasEvent):
            if event.anchor not in sizes:
                if any(anchor == event.anchor for anchor, _ in frames):
                    raise _yaml_problem(event, source,
                                        f"alias *{event.anchor} refers to itself (a cycle)")
                continue  # an undefined alias: the loader reports it with its place
            added = sizes[event.anchor]
        elif isinstance(event, CollectionStartEvent):
            if len(frames) > MAX_YAML_DEPTH:
                raise _yaml_problem(event, source,
                                    f"YAML nested more than {MAX_YAML_DEPTH} levels deep")
            frames.append((event.anchor, [0]))
            added = 1
        elif isinstance(event, CollectionEndEvent):
            anchor, (inside,) = frames.pop()
            if anchor is not None:
                sizes[anchor] = inside + 1
            frames[-1][1][0] += inside + 1
            continue
        elif isinstance(event, NodeEvent):  # a scalar
            if event.anchor is not None:
                sizes[event.anchor] = 1
            added = 1
        else:
            continue
        if not isinstance(event, CollectionStartEvent):
            frames[-1][1][0] += added
        total += added
        if total > max_values:
            raise _yaml_problem(
                event, source,
                f"the YAML expands to more than {max_values:,} values (aliases counted at "
                "each use)",
                "raise the limit with --max-nodes if this size is meant",
            )


def _yaml_problem(event: Any, source: str, message: str, hint: str | None = None) -> PlanError:
    mark = event.start_mark
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
    return PlanError([Problem(where, message, hint)])


def read_plan_text(
    text: str, source: str, base_dir: Path | None = None, *, max_nodes: int = MAX_NODES
) -> RawPlan:
    """Parse plan ``text`` (named ``source`` in messages) into a ``RawPlan``.

    ``max_nodes`` caps the nodes that matrices and templates may expand to,
    and (scaled) the size of the YAML with its aliases expanded.
    """
    document = load_yaml(text, source, max_nodes)
    reader = _Reader(source, max_nodes)
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


def read_plan_file(path: Path, *, max_nodes: int = MAX_NODES) -> RawPlan:
    """Read and expand the plan file at ``path``."""
    name = str(path)
    if path.is_dir():
        raise PlanError([Problem(name, "is a directory; give the plan file (YAML)")])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlanError([Problem(name, f"cannot read plan: {exc.strerror}")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanError([Problem(
            name, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                  "a plan is a YAML text file",
        )]) from None
    source = path.name if path.parent == Path(".") else name
    return read_plan_text(text, source, path.parent, max_nodes=max_nodes)


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
