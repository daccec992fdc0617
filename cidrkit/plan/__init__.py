"""The planner: size address plans from demand, place them stably, render them.

Typical use::

    from pathlib import Path
    from cidrkit.plan import allocate_plan, load_plan, read_lock, lock_path

    plan = load_plan(Path("plan.yaml"))
    result = allocate_plan(plan, read_lock(lock_path(Path("plan.yaml"))))
    result.blocks["acme/eu-west-1/prod"]      # Prefix('10.17.0.0/18')

``load_plan`` reads and sizes (it does I/O for the file and ``avoid_from``);
``allocate_plan`` is pure. Errors are ``PlanError`` (bad plan) and
``PlanFitError`` (does not fit, or would have to move), each listing every
problem with its ``file:line:col``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cidrkit.plan.allocator import PlanResult, allocate_plan
    from cidrkit.plan.diagnostics import PlanError, PlanFitError, Problem
    from cidrkit.plan.load import load_plan, load_plan_text
    from cidrkit.plan.lockfile import dump_lock, lock_path, parse_lock, read_lock
    from cidrkit.plan.spec import Avoid, FamilyRequest, Plan, PlanNode, Pool

# Imported on first use: ``cidrkit size`` and ``cidrkit nat`` load a submodule
# of this package and must not pay for YAML and the allocator.
_HOMES = {
    "PlanResult": "allocator", "allocate_plan": "allocator",
    "PlanError": "diagnostics", "PlanFitError": "diagnostics", "Problem": "diagnostics",
    "dump_lock": "lockfile", "lock_path": "lockfile", "parse_lock": "lockfile",
    "read_lock": "lockfile", "load_plan": "load", "load_plan_text": "load",
    "Avoid": "spec", "FamilyRequest": "spec", "Plan": "spec", "PlanNode": "spec",
    "Pool": "spec",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'cidrkit.plan' has no attribute {name!r}")
    return getattr(importlib.import_module(f"cidrkit.plan.{home}"), name)


__all__ = [
    "Avoid",
    "FamilyRequest",
    "Plan",
    "PlanError",
    "PlanFitError",
    "PlanNode",
    "PlanResult",
    "Pool",
    "Problem",
    "allocate_plan",
    "dump_lock",
    "load_plan",
    "load_plan_text",
    "lock_path",
    "parse_lock",
    "read_lock",
]
