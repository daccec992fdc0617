"""The ``cidrkit`` command: a registry of subcommands and the one error boundary.

Only the module of the command being run is imported, so a quick
``cidrkit contains …`` never pays for numpy, YAML or the web stack; the
list commands in their plainest shape do not even import argparse.
"""

from __future__ import annotations

import importlib
import sys

from cidrkit.cli.exit import ExitCode, NegativeAnswer
from cidrkit.errors import QUOTE_LIMIT, CidrkitError, ParseError

# typing.TYPE_CHECKING without importing typing, which a one-shot command
# would otherwise pay for on every start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Protocol

    from cidrkit.cli.context import Context
    from cidrkit.cli.parser import Parser

    class CommandModule(Protocol):
        def configure(self, parser: argparse.ArgumentParser) -> None: ...
        def run(self, args: argparse.Namespace, ctx: Context) -> int: ...


# name -> (module, one-line help). Order is the order of `cidrkit --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    # CIDR math, one question at a time
    "explain": ("cidrkit.cli.cmd_explain", "describe prefixes in full, in plain language"),
    "contains": ("cidrkit.cli.cmd_contains", "is each item inside the prefix or range?"),
    "overlaps": ("cidrkit.cli.cmd_overlaps", "do these prefixes or ranges overlap?"),
    "count": ("cidrkit.cli.cmd_count", "count the addresses of prefixes, ranges and their union"),
    "hosts": ("cidrkit.cli.cmd_hosts", "list the usable host addresses of a prefix"),
    "divide": ("cidrkit.cli.cmd_divide", "divide a prefix into N equal blocks"),
    "split": ("cidrkit.cli.cmd_split", "split a prefix into blocks of a length or host count"),
    "vlsm": ("cidrkit.cli.cmd_vlsm", "size and place subnets for host counts, largest first"),
    "range": ("cidrkit.cli.cmd_range", "turn FIRST-LAST ranges into prefixes"),
    "span": ("cidrkit.cli.cmd_span", "the smallest single prefix covering every item"),
    "free": ("cidrkit.cli.cmd_free", "free blocks of a parent, given the space in use"),
    "next": ("cidrkit.cli.cmd_next", "the next free block(s) of a length in a parent"),
    "reverse": ("cidrkit.cli.cmd_reverse", "reverse DNS zones of prefixes"),
    "classify": ("cidrkit.cli.cmd_classify", "what kind of space is this (IANA registry)?"),
    # Lists of any size
    "merge": ("cidrkit.cli.cmd_merge", "merge (summarise) into the minimal list of prefixes"),
    "exclude": ("cidrkit.cli.cmd_exclude", "remove prefixes or ranges from others"),
    "intersect": ("cidrkit.cli.cmd_intersect", "the addresses two lists have in common"),
    "diff": ("cidrkit.cli.cmd_diff", "what one list has that another lacks, both ways"),
    "lookup": ("cidrkit.cli.cmd_lookup", "annotate addresses in logs with their best prefix"),
    "grep": ("cidrkit.cli.cmd_grep", "print lines mentioning an address inside given CIDRs"),
    # Inventories
    "audit": ("cidrkit.cli.cmd_audit", "report every overlap across inventories, with sources"),
    "why": ("cidrkit.cli.cmd_why", "which inventory allocations hold this address or CIDR"),
    "discover": ("cidrkit.cli.cmd_discover", "read a cloud's API into the exports audit reads"),
    # Planning
    "plan": ("cidrkit.cli.cmd_plan", "size and place a network plan from demand; keep its lock"),
    "size": ("cidrkit.cli.cmd_size", "the prefix that holds N hosts or a Kubernetes cluster"),
    "nat": ("cidrkit.cli.cmd_nat", "public IPs and NAT gateways needed to avoid port exhaustion"),
    # IPAM service
    "serve": ("cidrkit.cli.cmd_serve", "run the IPAM service: HTTP API and web page"),
    "ipam": ("cidrkit.cli.cmd_ipam", "allocate, release, list and import via an IPAM service"),
    "token": ("cidrkit.cli.cmd_token", "create, list and revoke IPAM API tokens"),
    "db": ("cidrkit.cli.cmd_db", "create or upgrade the IPAM database schema"),
}

HELP_WIDTH = 88

EXIT_CODES_HELP = (
    "Exit codes: 0 success/true, 1 false/not found/differences/conflicts, 2 bad input or\n"
    "usage, 70 internal error (a bug in cidrkit: please report it), 130 interrupted."
)
DEBUG_HELP = "on an internal error, print the full traceback"


class UsageError(Exception):
    """Bad command-line usage, raised by the parser instead of exiting."""

    def __init__(self, usage: str, message: str) -> None:
        self.usage = usage
        super().__init__(message)


class ParserExit(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


def build_parser(ctx: Context, selected: str | None) -> Parser:
    """The argparse parser of a run (see ``cidrkit.cli.parser.build_parser``)."""
    from cidrkit.cli.parser import build_parser as build

    return build(ctx, selected)


# The list commands' common argument shapes, read without argparse: they run
# for tens of milliseconds, and importing argparse and building the parser
# costs about 7 ms of CPU, a fifth of a merge of the full IPv6 table.
# Command -> the option that takes the rest of the line (its flag and its
# dest), or None when every argument is an item.
PLAIN_SHAPES: dict[str, tuple[str, str] | None] = {
    "merge": None,
    "exclude": ("--minus", "minus"),
    "intersect": ("--with", "other"),
}


def plain_args(argv: list[str]) -> argparse.Namespace | None:
    """The arguments of a list command in its plainest shape, as argparse would read them.

    ``COMMAND ITEM...``, or ``COMMAND ITEM... OPTION B...`` where OPTION is
    the command's one list option: every other token (``--json``, ``--help``,
    ``--``, ``--minus=B``, abbreviations, anything starting with ``-`` but
    ``-`` itself) leaves the run to the parser. None when argv is not of
    that shape.
    """
    if not argv or argv[0] not in PLAIN_SHAPES:
        return None
    command, rest = argv[0], argv[1:]
    shape = PLAIN_SHAPES[command]
    fields: dict[str, object] = {"command": command, "debug": False, "ranges": False,
                                 "json": False}
    after: list[str] = []
    if shape is not None:
        flag, dest = shape
        if rest.count(flag) != 1:
            return None
        at = rest.index(flag)
        rest, after = rest[:at], rest[at + 1:]
        if not after:
            return None
        fields[dest] = after
    if any(arg.startswith("-") and arg != "-" for arg in rest + after):
        return None
    fields["items"] = rest
    from types import SimpleNamespace

    # A Namespace is only a bag of attributes, and commands read no more.
    return SimpleNamespace(**fields)  # type: ignore[return-value]


def load_command(name: str) -> CommandModule:
    module: CommandModule = importlib.import_module(COMMANDS[name][0])
    return module


def _take_debug(argv: list[str]) -> tuple[list[str], bool]:
    """Remove ``--debug`` wherever it stands (before a ``--``), and say if it was there.

    Taken out before parsing so it works before or after any command or
    action, without every parser declaring it.
    """
    end = argv.index("--") if "--" in argv else len(argv)
    kept = [a for a in argv[:end] if a != "--debug"]
    return kept + argv[end:], len(kept) != end


def version_text() -> str:
    from cidrkit import __version__

    return f"cidrkit {__version__}"


def run(argv: Sequence[str], ctx: Context) -> int:
    """Run one command line; the single place where errors become exit codes.

    Bad input of every kind is a ``CidrkitError`` (exit 2). Anything else
    escaping a command is a bug in cidrkit: exit 70 with a one-line request
    for a report, the traceback only with ``--debug``, and never exit 1,
    which scripts read as an answer.
    """
    argv = list(argv)
    selected = next((a for a in argv if not a.startswith("-")), None)
    selected = selected if selected in COMMANDS else None
    argv, debug = _take_debug(argv)
    try:
        plain = plain_args(argv)
        if plain is not None:
            return int(load_command(plain.command).run(plain, ctx))
        parser = build_parser(ctx, selected)
        args, extra = parser.parse_known_args(argv)
        if extra:
            culprit = parser.selected_parser or parser
            raise UsageError(
                culprit.format_usage(), f"unrecognized arguments: {' '.join(extra)}"
            )
        if args.command is None:
            parser.print_help()
            return ExitCode.BAD_INPUT
        return int(load_command(args.command).run(args, ctx))
    except ParserExit as done:
        return done.status
    except NegativeAnswer as answer:
        ctx.stderr.write(f"cidrkit: {answer}\n")
        return answer.code
    except UsageError as err:
        ctx.stderr.write(err.usage)
        ctx.stderr.write(f"cidrkit: error: {err}\n")
        return ExitCode.BAD_INPUT
    except ParseError as err:
        ctx.stderr.write(f"cidrkit: error: {err.message}\n")
        if err.column and err.where is None and len(err.text) <= QUOTE_LIMIT:
            ctx.stderr.write(f"  {err.text}\n  {' ' * (err.column - 1)}^\n")
        return ExitCode.BAD_INPUT
    except CidrkitError as err:
        ctx.stderr.writelines(f"{line}\n" for line in err.report_lines())
        return ExitCode.BAD_INPUT
    except BrokenPipeError:
        # `cidrkit ... | head` closing the pipe early is not an error.
        return ExitCode.OK
    except KeyboardInterrupt:
        ctx.stderr.write("cidrkit: interrupted\n")
        return ExitCode.INTERRUPTED
    except Exception as bug:  # the boundary: every bug ends here
        return _internal_error(bug, ctx, debug=debug)


def _internal_error(bug: BaseException, ctx: Context, *, debug: bool) -> int:
    """Report a bug in cidrkit: one line, or the traceback with --debug."""
    if debug:
        import traceback

        ctx.stderr.write("".join(traceback.format_exception(bug)))
    detail = str(bug).split("\n", 1)[0]
    detail = detail if len(detail) <= QUOTE_LIMIT else detail[: QUOTE_LIMIT - 1] + "\u2026"
    hint = "" if debug else " (run again with --debug for the traceback)"
    ctx.stderr.write(
        f"cidrkit: internal error: {type(bug).__name__}: {detail}; this is a bug in "
        f"{version_text()}, please report it with the command that caused it{hint}\n"
    )
    return ExitCode.INTERNAL_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point."""
    from cidrkit.cli.context import Context

    code = run(sys.argv[1:] if argv is None else argv, Context.system())
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        # Silence the interpreter's own flush at exit on a closed pipe.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


if __name__ == "__main__":
    sys.exit(main())
