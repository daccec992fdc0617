"""YAML with line numbers, in the same shape as :mod:`cidrkit.sources.jsonloc`.

A multi-document YAML file becomes one :class:`Located` whose value is the list
of documents, so ``/1/networking/podSubnet`` points at a key of the second
document. Lines are 1-based; a scalar's line is the line of the scalar itself,
a container's line is the line of the key that holds it.
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


def _plain(node: Any, pointer: str, lines: dict[str, int], offset: int) -> Any:
    """Convert ruamel's round-trip containers to plain ones, recording lines."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        result: dict[str, Any] = {}
        for key, value in node.items():
            path = child(pointer, str(key))
            if isinstance(value, (CommentedMap, CommentedSeq)):
                lines[path] = node.lc.key(key)[0] + offset
            else:
                lines[path] = node.lc.value(key)[0] + offset
            result[str(key)] = _plain(value, path, lines, offset)
        return result
    if isinstance(node, CommentedSeq):
        items: list[Any] = []
        for index, value in enumerate(node):
            path = child(pointer, index)
            lines[path] = node.lc.item(index)[0] + offset
            items.append(_plain(value, path, lines, offset))
        return items
    if isinstance(node, str):
        return str(node)
    return node
