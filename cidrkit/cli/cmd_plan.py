"""``cidrkit plan``: size and place a plan file, keep its lock, render it."""

from __future__ import annotations

import argparse
from pathlib import Path

from cidrkit.cli.common import whole_number
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode, NegativeAnswer
from cidrkit.errors import ArgumentError, InputError
from cidrkit.plan.loader import MAX_NODES

FORMATS = ("table", "json", "csv", "terraform", "svg", "html", "sarif")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Size every node of PLAN from its demand, place the blocks (largest first,\n"
        "aligned, never moving a block already in the lock) and print the plan.\n"
        "Writes PLAN.lock unless --check, --diff or --no-write is given.\n"
        "Exit codes: 0 done, 1 lock missing or out of date (--check, --diff),\n"
        "2 the plan is invalid or does not fit (every problem is listed).\n"
        "--against compares the lock with the space in use instead (exit 1 on drift)."
    )
    parser.add_argument("plan", metavar="PLAN", help="the plan file (YAML)")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="output: tree table (default), flat JSON {path: cidr}, CSV, "
                             "Terraform tfvars JSON, SVG picture or HTML page; SARIF with "
                             "--against only")
    parser.add_argument("--lock", metavar="FILE", help="lock file (default: PLAN.lock)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="exit 1 if the lock is missing or out of date; write nothing")
    mode.add_argument("--diff", action="store_true",
                      help="show what re-planning would change in the lock; exit 1 if "
                           "anything would; write nothing")
    mode.add_argument("--no-write", action="store_true", help="print the plan, keep the lock")
    mode.add_argument("--against", action="append", metavar="DIR",
                      help="report drift between the lock and this inventory (repeatable; e.g. "
                           "'cidrkit discover' output): blocks changed, absent, unplanned or "
                           "outside the plan; write nothing")
    parser.add_argument("--release", action="store_true",
                        help="give back the blocks of nodes removed from the plan")
    parser.add_argument("--move", action="append", default=[], metavar="PATH",
                        help="allow the node PATH (and its subtree) to be placed afresh, "
                             "renumbering it; repeatable")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the rendering to FILE instead of stdout")
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument("--max-nodes", type=whole_number(1), default=MAX_NODES, metavar="N",
                        help="refuse a plan that expands (matrices, templates, YAML aliases) "
                             f"to more than N nodes (default {MAX_NODES:,})")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.against:
        from cidrkit.cli.plan_against import run_against

        return run_against(args, ctx)
    if args.format == "sarif":
        raise ArgumentError("--format sarif is for --against reports")
    from cidrkit.plan.allocator import allocate_plan
    from cidrkit.plan.load import load_plan
    from cidrkit.plan.lockfile import dump_lock, lock_path, read_lock
    from cidrkit.plan.render_text import render_diff

    plan_file = Path(args.plan)
    # Loaded first: it names a directory or unreadable file as such, before
    # the lock's name is derived from the plan's.
    plan = load_plan(plan_file, max_nodes=args.max_nodes)
    lock_file = Path(args.lock) if args.lock else lock_path(plan_file)
    old = read_lock(lock_file)
    allocation = allocate_plan(plan, old, release=args.release, move=args.move)
    new_text = dump_lock(allocation.lock())
    changed = old is None or dump_lock(old) != new_text

    if args.check:
        if old is None:
            raise NegativeAnswer(f"{lock_file} is missing; run 'cidrkit plan {args.plan}'")
        if changed:
            ctx.stdout.write(render_diff(old, allocation))
            raise NegativeAnswer(f"{lock_file} is out of date; run 'cidrkit plan {args.plan}'")
        return ExitCode.OK
    if args.diff:
        ctx.stdout.write(render_diff(old or {}, allocation))
        return ExitCode.FALSE if changed else ExitCode.OK

    text = _render("json" if args.json else args.format, plan, allocation)
    if args.output:
        _write_file(Path(args.output), text, "output")
    else:
        ctx.stdout.write(text)
    if changed and not args.no_write:
        _write_file(lock_file, new_text, "lock")
        news = sum(1 for s in allocation.status.values() if s == "new")
        grown = sum(1 for s in allocation.status.values() if s in ("grown", "moved"))
        ctx.stderr.write(f"cidrkit: wrote {lock_file} ({news} new, {grown} grown or moved, "
                         f"{len(allocation.released)} released)\n")
    for key in sorted(allocation.reserved):
        ctx.warn(f"{key} ({allocation.reserved[key]}) is no longer in the plan but stays "
                 "reserved; run with --release to free it")
    return ExitCode.OK


def _write_file(path: Path, text: str, what: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise InputError(f"{path}: cannot write the {what} file: {err.strerror}") from None


def _render(fmt: str, plan: object, allocation: object) -> str:
    from cidrkit.plan import render_text
    from cidrkit.plan.allocator import PlanResult
    from cidrkit.plan.spec import Plan

    assert isinstance(plan, Plan) and isinstance(allocation, PlanResult)
    if fmt == "json":
        return render_text.render_json(allocation)
    if fmt == "csv":
        return render_text.render_csv(plan, allocation)
    if fmt == "terraform":
        return render_text.render_terraform(plan, allocation)
    if fmt in ("svg", "html"):
        from cidrkit.plan import render_svg

        if fmt == "svg":
            return render_svg.render_svg(plan, allocation)
        return render_svg.render_html(plan, allocation)
    return render_text.render_table(plan, allocation)
