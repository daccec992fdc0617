"""``cidrkit next``: the next free block(s) of a length inside a parent."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import whole_number
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode, NegativeAnswer
from cidrkit.cli.inputs import Diagnostics
from cidrkit.cli.output import write_json
from cidrkit.cli.setops import read_set
from cidrkit.core.alloc import Strategy, allocate
from cidrkit.core.ipset import IPSet
from cidrkit.core.prefix import Prefix
from cidrkit.errors import AllocationError, InputError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("parent", metavar="PARENT", help="the prefix to allocate from")
    parser.add_argument(
        "--used", nargs="*", default=[], metavar="USED",
        help="space in use: items, FILEs (one per line) or - for stdin",
    )
    parser.add_argument(
        "--prefix", required=True, type=_length, metavar="P",
        help="length of the block to find, e.g. 24 or /24",
    )
    parser.add_argument("--count", type=whole_number(1, MAX_BLOCKS), default=1, metavar="K",
                        help="how many blocks")
    parser.add_argument(
        "--strategy", choices=["best-fit", "first-fit"], default="best-fit",
        help="best-fit: smallest free block that fits, lowest address on ties (default); "
        "first-fit: lowest free address",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.epilog = "Exit code 1 when there is not room for all K blocks."


# More blocks than anyone asks for in one run; beyond it is a typo.
MAX_BLOCKS = 1 << 20


def _length(text: str) -> int:
    """``24`` or ``/24``."""
    return whole_number(0, 128)(text.removeprefix("/"))


def run(args: argparse.Namespace, ctx: Context) -> int:
    parent = Prefix.parse(args.parent)
    diags = Diagnostics(ctx)
    used = read_set(args.used, ctx, diags, stdin=False) if args.used else IPSet()
    if not parent.length <= args.prefix <= parent.bits:
        raise InputError(
            f"--prefix /{args.prefix}: a block of {parent} must be "
            f"/{parent.length} to /{parent.bits}"
        )
    strategy: Strategy = "best_fit" if args.strategy == "best-fit" else "first_fit"
    try:
        blocks = allocate(parent, used, args.prefix, args.count, strategy)
    except AllocationError as err:
        raise NegativeAnswer(str(err), diags.exit_code(ExitCode.FALSE)) from None
    if args.json:
        write_json(ctx, {"parent": str(parent), "blocks": [str(b) for b in blocks]})
    else:
        for block in blocks:
            ctx.stdout.write(f"{block}\n")
    return diags.exit_code(ExitCode.OK)
