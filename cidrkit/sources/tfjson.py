"""``*.tf.json``: Terraform configuration in its JSON syntax, read by the HCL reader's rules.

The JSON form nests ``resource.<type>.<name>`` objects and writes every
string as JSON; expressions are ``"${...}"`` strings. It is turned into the
tree python-hcl2 gives for native syntax (literal strings keep their
quotes, whole-expression strings stay ``${...}``), so both syntaxes go
through the same resource, module, locals and variable rules.
"""

from __future__ import annotations

import json
from typing import Any

from cidrkit.sources.hcl import read_tree
from cidrkit.sources.jsonloc import Located
from cidrkit.sources.sink import Sink


def _hcl_value(value: Any) -> Any:
    if isinstance(value, str):
        whole = value.startswith("${") and value.endswith("}") and value.count("${") == 1
        return value if whole else json.dumps(value)
    if isinstance(value, list):
        return [_hcl_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _hcl_value(v) for k, v in value.items()}
    return value


def to_hcl_tree(document: dict[str, Any]) -> dict[str, Any]:
    """The python-hcl2 shaped tree of a ``.tf.json`` document."""
    tree: dict[str, Any] = {}
    for key in ("resource", "module", "locals", "variable"):
        section = document.get(key)
        if isinstance(section, dict):
            tree[key] = [_hcl_value(section)]
        elif isinstance(section, list):
            tree[key] = [_hcl_value(s) for s in section if isinstance(s, dict)]
    return tree


def read_tf_json(doc: Located, sink: Sink) -> None:
    """Read a ``.tf.json`` document; lines are searched in the file's text, as for ``.tf``."""
    read_tree(to_hcl_tree(doc.value), sink.text, sink)
