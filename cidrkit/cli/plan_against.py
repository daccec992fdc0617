"""``cidrkit plan PLAN --against DIR``: compare the plan's lock with the space in use."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode

FORMATS = ("table", "json", "sarif")


def run_against(args: argparse.Namespace, ctx: Context) -> int:
    """Print the drift report; exit 1 on drift, 2 when the plan, lock or inventory is bad."""
    from cidrkit.errors import ArgumentError, InputError
    from cidrkit.plan.drift import compare
    from cidrkit.plan.drift_render import (
        render_drift_json,
        render_drift_sarif,
        render_drift_table,
    )
    from cidrkit.plan.load import load_plan
    from cidrkit.plan.lockfile import lock_path, read_lock
    from cidrkit.sources import read_inventory
    from cidrkit.sources.plan_outputs import set_aside

    fmt = "json" if args.json else args.format
    if fmt not in FORMATS:
        raise ArgumentError(f"--against prints {', '.join(FORMATS)}, not --format {fmt}")
    missing = [p for p in args.against if not os.path.exists(p)]
    if missing:
        raise InputError(f"--against {missing[0]}: no such file or folder")
    # A bad plan or lock raises PlanError, which the CLI's boundary reports (exit 2).
    plan = load_plan(Path(args.plan), max_nodes=args.max_nodes)
    lock_file = Path(args.lock) if args.lock else lock_path(Path(args.plan))
    lock = read_lock(lock_file)
    if lock is None:
        raise InputError(f"{lock_file} is missing: drift compares reality with the lock; "
                         f"run 'cidrkit plan {args.plan}' first")
    inventory = read_inventory(args.against)
    set_aside(inventory, "a cidrkit plan file: the plan itself, not the space in use")
    report = compare(plan, lock, inventory)
    render = {"json": render_drift_json, "sarif": render_drift_sarif}.get(
        fmt, render_drift_table)
    text = render(report)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as err:
            raise InputError(f"{args.output}: cannot write: {err.strerror}") from None
    else:
        ctx.stdout.write(text)
    for bad in inventory.malformed:
        ctx.stderr.write(f"{bad.origin}: error: {bad.value!r}: {bad.message}\n")
    for skipped in inventory.skipped:
        ctx.stderr.write(f"{skipped.file}: error: not read: {skipped.reason}\n")
    if report.findings:
        return ExitCode.FALSE
    # Nothing that could not be read is reported as "no drift".
    if inventory.malformed or inventory.skipped:
        return ExitCode.BAD_INPUT
    return ExitCode.OK
