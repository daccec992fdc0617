"""Reading cidrkit's plan files steals no other format's files.

``detected_formats.json`` records, for every file under ``tests/`` and
``examples/``, the format each was detected as before the plan readers
existed ("skipped" when it was not read, "none" for an empty file). The plan
readers are tried after every other shape, so each file must keep its
format, except the plan's own lock and renderings, which were skipped as
JSON or a table of an unrecognised shape and are now read. Hypothesis then
edits the JSON fixtures anywhere, with values shaped like plan files, and
checks that a document another reader takes is still that reader's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.sources import detect, read_inventory
from tests.cli.runner import REPO_ROOT

SNAPSHOT = json.loads((Path(__file__).parent / "detected_formats.json").read_text("utf-8"))
NOW_READ = {
    "examples/plans/multi-region.yaml.lock": "cidrkit-plan-lock",
    "examples/plans/golden/multi-region.json": "cidrkit-plan-json",
    "examples/plans/golden/multi-region.tfvars.json": "cidrkit-plan-terraform",
    "examples/plans/golden/multi-region.csv": "cidrkit-plan-csv",
}


def _detected(path: str) -> str:
    inventory = read_inventory([str(REPO_ROOT / path)])
    return next(iter(inventory.formats.values()), "skipped" if inventory.skipped else "none")


def test_every_fixture_keeps_its_detected_format() -> None:
    present = [path for path in sorted(SNAPSHOT) if (REPO_ROOT / path).is_file()]
    assert len(present) > 300, "the fixtures moved: regenerate the snapshot"
    changed = {path: (SNAPSHOT[path], found) for path in present
               if (found := _detected(path)) != NOW_READ.get(path, SNAPSHOT[path])}
    assert changed == {}


def test_the_plan_renderings_were_unread_before() -> None:
    assert {path: SNAPSHOT[path] for path in NOW_READ} == dict.fromkeys(NOW_READ, "skipped")


JSON_FIXTURES = sorted(path for path, found in SNAPSHOT.items()
                       if path.endswith(".json") and found not in ("skipped", "none")
                       and (REPO_ROOT / path).is_file())
_VALUES = st.recursive(
    st.none() | st.integers(-5, 5) | st.sampled_from(
        ["", "10.0.0.0/8", "10.0.0.5/8", "2001:db8::/48", "x", "a/b", "vpc-1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["a", "a/b", "a/ipv6", "blocks", "cidr", "network_plan",
                         "cidrkit-plan-lock", "kind"]), inner, max_size=3),
    max_leaves=8)


def _edit(value: Any, path: list[int], replacement: Any) -> Any:
    """``value`` with the item that ``path`` (indexes, modulo each size) leads to replaced."""
    if isinstance(value, dict) and value:
        keys = sorted(value)
        key = keys[path[0] % len(keys)] if path else "a/b"
        inner = _edit(value[key], path[1:], replacement) if path[1:] else replacement
        return {**value, key: inner}
    if isinstance(value, list) and value:
        index = path[0] % len(value) if path else 0
        inner = _edit(value[index], path[1:], replacement) if path[1:] else replacement
        return [*value[:index], inner, *value[index + 1:]]
    return replacement


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(JSON_FIXTURES), st.lists(st.integers(0, 50), max_size=4), _VALUES)
def test_plan_readers_take_only_what_no_other_reader_takes(
        fixture: str, path: list[int], replacement: Any) -> None:
    document = _edit(json.loads((REPO_ROOT / fixture).read_text("utf-8-sig")), path, replacement)
    found = detect.json_reader(document)
    with patch.object(detect, "_plan_reader", lambda value: None):
        without = detect.json_reader(document)
    if isinstance(without, tuple):
        assert isinstance(found, tuple) and found[0] == without[0]
    elif isinstance(found, tuple):
        assert found[0].startswith("cidrkit-plan-")
