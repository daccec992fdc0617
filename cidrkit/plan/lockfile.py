"""The lock file: every allocated block, pinned so re-planning never moves it.

Users commit ``<plan>.lock`` next to the plan, like a package lock. It is JSON
with sorted keys, so the same plan always produces the same bytes and a
change shows up as a one-line diff::

    {
      "cidrkit-plan-lock": 1,
      "blocks": {
        "acme": "10.0.0.0/14",
        "acme/ipv6": "2001:db8::/40"
      }
    }
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from cidrkit.core.prefix import Prefix
from cidrkit.errors import ParseError
from cidrkit.plan.diagnostics import PlanError, Problem

LOCK_FORMAT = 1
_MARKER = "cidrkit-plan-lock"


def lock_path(plan_path: Path) -> Path:
    """``plan.yaml`` → ``plan.yaml.lock``."""
    return plan_path.with_name(plan_path.name + ".lock")


def dump_lock(blocks: Mapping[str, Prefix]) -> str:
    """Serialise ``blocks`` as lock-file text (deterministic, newline-terminated)."""
    body = {_MARKER: LOCK_FORMAT, "blocks": {k: str(blocks[k]) for k in sorted(blocks)}}
    return json.dumps(body, indent=2) + "\n"


def parse_lock(text: str, source: str) -> dict[str, Prefix]:
    """Parse lock-file text; ``PlanError`` naming the bad entry by JSON pointer."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError([Problem(f"{source}:{exc.lineno}:{exc.colno}",
                                 f"not a valid lock file: {exc.msg}")]) from None
    if not isinstance(body, dict) or body.get(_MARKER) != LOCK_FORMAT:
        raise PlanError([Problem(source, f"not a cidrkit plan lock (format {LOCK_FORMAT})",
                                 "delete it to plan from scratch")])
    entries = body.get("blocks")
    if not isinstance(entries, dict):
        raise PlanError([Problem(f"{source}#/blocks", "missing the 'blocks' object")])
    blocks: dict[str, Prefix] = {}
    problems = []
    for key, text_value in entries.items():
        pointer = f"{source}#/blocks/{key.replace('~', '~0').replace('/', '~1')}"
        try:
            blocks[key] = Prefix.parse(str(text_value))
        except ParseError as exc:
            problems.append(Problem(pointer, exc.problem, exc.hint, key=key))
    if problems:
        raise PlanError(problems)
    return blocks


def read_lock(path: Path) -> dict[str, Prefix] | None:
    """The lock at ``path``, or ``None`` when there is none yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PlanError([Problem(str(path), f"cannot read lock: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise PlanError([Problem(str(path), f"not a lock file: not UTF-8 text ({exc.reason} "
                                            f"at offset {exc.start})")]) from None
    return parse_lock(text, str(path))
