"""``cidrkit why``: which inventory allocations hold an address or CIDR, and where from."""

from __future__ import annotations

import argparse
import json
import os

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode

_SAYS = {"contains": "holds it", "equal": "is exactly it", "inside": "lies inside it"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Which inventory allocations hold this address or CIDR, innermost first.\n"
        "Exit codes: 0 held, 1 held by none (every file and value read),\n"
        "2 held by none but a file was skipped or a value malformed (the answer\n"
        "is not certain), nothing read at all, or bad arguments."
    )
    parser.add_argument("target", metavar="ADDRESS|CIDR", help="an address, prefix or range")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="inventory files or folders")
    parser.add_argument("--json", action="store_true", help="JSON output")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from cidrkit.audit.why import who_holds
    from cidrkit.core import parse_item
    from cidrkit.errors import (
        MAX_REPORTED,
        CidrkitError,
        InputError,
        InputErrors,
        cap_lines,
    )
    from cidrkit.sources import read_inventory

    target = parse_item(args.target)
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        raise InputErrors([InputError(f"{path}: no such file or folder") for path in missing])
    inventory = read_inventory(args.paths, columnar=True)
    unread: list[CidrkitError] = [InputError(f"{skipped.file}: skipped: {skipped.reason}")
                                  for skipped in inventory.skipped]
    if not inventory.record_count:
        raise InputErrors([*unread, InputError(
            f"no allocation was read from {', '.join(args.paths)}: nothing to answer from")])
    # A malformed value may be the very allocation asked about, as may a skipped file.
    unread += [InputError(f"{bad.origin}: {bad.value!r}: {bad.message}")
               for bad in inventory.malformed]
    found, scopes = who_holds(inventory, target)
    if args.json:
        ctx.stdout.write(json.dumps({
            "target": str(target),
            "allocations": [{**alloc.to_json(), "relation": relation,
                             "scope_description": scopes[alloc.scope].describe()}
                            for alloc, relation in found],
        }, indent=2, ensure_ascii=False) + "\n")
    elif not found:
        ctx.stdout.write(f"{target} is in no allocation of the inventories\n")
    else:
        ctx.stdout.write(f"{target}: {len(found)} allocation{'s' if len(found) > 1 else ''}, "
                         "innermost first\n")
        for alloc, relation in found:
            name = f" {alloc.name}" if alloc.name else ""
            ctx.stdout.write(f"  {alloc.prefix}  {alloc.kind or 'allocation'}{name}  "
                             f"{_SAYS[relation]}  [{scopes[alloc.scope].describe()}]\n")
            for origin in alloc.observations:
                ctx.stdout.write(f"      {origin}\n")
    if found:
        # "Held" is proven by what was read; what was not read cannot undo it.
        for line in cap_lines([str(error) for error in unread], "inputs not read"):
            ctx.warn(line)
        return ExitCode.OK
    if unread:
        # "Held by none" is only true of everything: as in ``audit``, input that
        # was not read is never a clean answer (exit 2, not 1).
        shown = [str(error) for error in unread]
        if len(shown) >= MAX_REPORTED:  # room for the conclusion below
            shown = [*shown[:MAX_REPORTED - 2],
                     f"\u2026 and {len(unread) - MAX_REPORTED + 2:,} more inputs not read"]
        counts = [f"{n:,} {what}{'s' if n > 1 else ''}" for n, what in (
            (len(inventory.skipped), "skipped file"),
            (len(inventory.malformed), "malformed value")) if n]
        raise InputErrors([*(InputError(line) for line in shown), InputError(
            f"{target} is in no allocation read, but {' and '.join(counts)} could not be "
            "read: the answer is not certain")])
    return ExitCode.FALSE
