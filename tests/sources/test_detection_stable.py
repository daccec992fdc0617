"""Reading cidrkit's plan files steals no other format's files.

``detected_formats.json`` records, for every file under ``tests/`` and
``examples/``, the format each was detected as before the plan readers
existed ("skipped" when it was not read, "none" for an empty file). The plan
readers are tried after every other shape, so each file must keep its
format, except the plan's own lock and renderings, which were skipped as
JSON or a table of an unrecognised shape and are now read.
"""

from __future__ import annotations

import json
from pathlib import Path

from cidrkit.sources import read_inventory
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
