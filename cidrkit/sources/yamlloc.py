"""YAML with line numbers, in the same shape as :mod:`cidrkit.sources.jsonloc`.

A multi-document YAML file becomes one :class:`Located` whose value is the list
of documents, so ``/1/networking/podSubnet`` points at a key of the second
document. Lines are 1-based; a scalar's line is the line of the scalar itself,
a container's line is the line of the key that holds it.

Tagged nodes (CloudFormation's ``!Ref``, ``!FindInMap``, ``!GetAtt``...) become
one-key mappings ``{"!Ref": value}``, so a reader sees the tag and its value
as data instead of the loader's wrapper objects; their lines are recorded
like any other value's. A YAML alias repeats its anchor's value.
"""

from __future__ import annotations

from typing import Any

from cidrkit.errors import InputError
from cidrkit.sources.jsonloc import Located, child


def load_documents(text: str, source: str = "<yaml>", first_line: int = 1) -> Located:
    """Parse every YAML document in ``text``; raise InputError naming ``source`` if invalid.

    ``first_line`` is the file line of the text's first line, for YAML nested
    inside a string of another YAML document (kubeadm's ConfigMap).
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    loader = YAML(typ="rt", pure=True)
    lines: dict[str, int] = {}
    try:
        raw_docs = list(loader.load_all(text))
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{source}:{mark.line + first_line}" if mark is not None else source
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(f"{where}: not valid YAML: {problem}") from None
    docs: list[Any] = []
    for index, raw in enumerate(raw_docs):
        pointer = f"/{index}"
        start = getattr(getattr(raw, "lc", None), "line", None)
        if start is not None:
            lines[pointer] = start + first_line
        docs.append(_plain(raw, pointer, lines, first_line))
    lines.setdefault("", first_line)
    return Located(docs, lines)


def _line(lc: Any, method: str, key: Any, fallback: int) -> int:
    """A 0-based line from ruamel's position data; tagged and aliased nodes may have none."""
    try:
        found = getattr(lc, method)(key)
    except (AttributeError, KeyError, TypeError, IndexError):
        return fallback
    return found[0] if found and isinstance(found[0], int) else fallback


def _plain(node: Any, pointer: str, lines: dict[str, int], offset: int, depth: int = 0) -> Any:
    """Convert ruamel's round-trip containers to plain ones, recording lines."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

    if depth > 256:
        raise InputError(f"{pointer}: nesting too deep")
    tag = getattr(getattr(node, "tag", None), "value", None)
    if isinstance(node, TaggedScalar):
        return {str(tag): str(node.value) if node.value is not None else ""}
    here = lines.get(pointer, offset) - offset
    if isinstance(node, CommentedMap):
        result: dict[str, Any] = {}
        for key, value in node.items():
            path = child(pointer, str(key))
            method = "key" if isinstance(value, (CommentedMap, CommentedSeq)) else "value"
            lines[path] = _line(node.lc, method, key, here) + offset
            result[str(key)] = _plain(value, path, lines, offset, depth + 1)
        return _tagged(tag, result)
    if isinstance(node, CommentedSeq):
        items: list[Any] = []
        for index, value in enumerate(node):
            path = child(pointer, index)
            lines[path] = _line(node.lc, "item", index, here) + offset
            items.append(_plain(value, path, lines, offset, depth + 1))
        return _tagged(tag, items)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, (bool, int, float)) or node is None:
        return node
    return str(node)


def _tagged(tag: str | None, value: Any) -> Any:
    """A container with an explicit local tag (``!Sub [...]``) as ``{tag: value}``."""
    if tag and tag.startswith("!") and not tag.startswith("!!"):
        return {tag: value}
    return value
