"""The ``cidrkit`` command: a registry of subcommands and the one error boundary.

Only the module of the command being run is imported, so a quick
``cidrkit contains …`` never pays for numpy, YAML or the web stack.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from cidrkit.cli.exit import ExitCode
from cidrkit.errors import CidrkitError, ParseError

# typing.TYPE_CHECKING without importing typing, which a one-shot command
# would otherwise pay for on every start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, NoReturn, Protocol

    from cidrkit.cli.context import Context

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


class UsageError(Exception):
    """Bad command-line usage, raised by the parser instead of exiting."""

    def __init__(self, usage: str, message: str) -> None:
        self.usage = usage
        super().__init__(message)


class ParserExit(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that writes to the injected streams and never calls sys.exit."""

    ctx: Context

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            stream = self.ctx.stderr if file is sys.stderr else self.ctx.stdout
            stream.write(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self.ctx.stderr.write(message)
        raise ParserExit(status)

    def error(self, message: str) -> NoReturn:
        raise UsageError(self.format_usage(), message)


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, width=HELP_WIDTH, max_help_position=28)


def load_command(name: str) -> CommandModule:
    module: CommandModule = importlib.import_module(COMMANDS[name][0])
    return module


def build_parser(ctx: Context, selected: str | None) -> Parser:
    """The top-level parser; only ``selected`` gets its arguments configured."""
    bound: type[Parser] = type("BoundParser", (Parser,), {"ctx": ctx})
    parser = bound(
        prog="cidrkit",
        description="IP address planning for IPv4 and IPv6: CIDR math, bulk operations, "
        "audit, planning and IPAM.",
        epilog="Exit codes: 0 success/true, 1 false/not found/differences, 2 bad input or usage.\n"
        "Run 'cidrkit COMMAND --help' for a command's options.",
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    # With a command chosen, only its parser is built: building all of them
    # costs more start-up time than running a quick command.
    chosen = {selected: COMMANDS[selected]} if selected else COMMANDS
    for name, (_, help_text) in chosen.items():
        sub = commands.add_parser(
            name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".",
            formatter_class=_formatter,
        )
        if name == selected:
            load_command(name).configure(sub)
    return parser


def _version() -> str:
    from cidrkit import __version__

    return f"cidrkit {__version__}"


def run(argv: Sequence[str], ctx: Context) -> int:
    """Run one command line; the single place where errors become exit codes."""
    argv = list(argv)
    selected = next((a for a in argv if not a.startswith("-")), None)
    selected = selected if selected in COMMANDS else None
    try:
        parser = build_parser(ctx, selected)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return ExitCode.BAD_INPUT
        return int(load_command(args.command).run(args, ctx))
    except ParserExit as done:
        return done.status
    except UsageError as err:
        ctx.stderr.write(err.usage)
        ctx.stderr.write(f"cidrkit: error: {err}\n")
        return ExitCode.BAD_INPUT
    except ParseError as err:
        ctx.stderr.write(f"cidrkit: error: {err.message}\n")
        if err.column and err.where is None:
            ctx.stderr.write(f"  {err.text}\n  {' ' * (err.column - 1)}^\n")
        return ExitCode.BAD_INPUT
    except (CidrkitError, ValueError) as err:
        # ValueError from the core means an argument out of its range
        # (e.g. splitting a /24 into /16s); the message names it.
        ctx.stderr.write(f"cidrkit: error: {err}\n")
        return ExitCode.BAD_INPUT
    except BrokenPipeError:
        # `cidrkit ... | head` closing the pipe early is not an error.
        return ExitCode.OK
    except KeyboardInterrupt:
        ctx.stderr.write("cidrkit: interrupted\n")
        return 130


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
