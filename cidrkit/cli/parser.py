"""The ``cidrkit`` command-line parser (argparse), built only when a run needs it.

Importing argparse and building a parser costs several milliseconds, more
than a quick command's own work; ``main.run`` reads the common argument
shapes of the list commands without it (``main.plain_args``).
"""

from __future__ import annotations

import argparse
import sys

from cidrkit.cli.main import (
    COMMANDS,
    DEBUG_HELP,
    EXIT_CODES_HELP,
    HELP_WIDTH,
    ParserExit,
    UsageError,
    load_command,
    version_text,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any, NoReturn

    from cidrkit.cli.context import Context


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that writes to the injected streams and never calls sys.exit."""

    ctx: Context
    selected_parser: argparse.ArgumentParser | None

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


def build_parser(ctx: Context, selected: str | None) -> Parser:
    """The top-level parser; only ``selected`` gets its arguments configured.

    The selected command's own parser is kept as ``parser.selected_parser``,
    so a usage error in its arguments shows its usage, not the top level's.
    """
    bound: type[Parser] = type("BoundParser", (Parser,), {"ctx": ctx})
    parser = bound(
        prog="cidrkit",
        description="IP address planning for IPv4 and IPv6: CIDR math, bulk operations, "
        "audit, planning and IPAM.",
        epilog=EXIT_CODES_HELP + "\nRun 'cidrkit COMMAND --help' for a command's options.",
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action="version", version=version_text())
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    # With a command chosen, only its parser is built: building all of them
    # costs more start-up time than running a quick command.
    chosen = {selected: COMMANDS[selected]} if selected else COMMANDS
    parser.selected_parser = None
    for name, (_, help_text) in chosen.items():
        sub = commands.add_parser(
            name, help=help_text, description=_sentence(help_text), formatter_class=_formatter,
        )
        if name == selected:
            load_command(name).configure(sub)
            sub.epilog = _with_examples(sub.epilog, name)
            parser.selected_parser = sub
    return parser


def _sentence(help_text: str) -> str:
    """A one-line help as a sentence: capitalised, with one closing mark."""
    text = help_text[0].upper() + help_text[1:]
    return text if text.endswith(("?", ".", "!")) else text + "."


def _with_examples(epilog: str | None, name: str) -> str:
    from cidrkit.cli.examples import EXAMPLES

    lines = [epilog, ""] if epilog else []
    lines.append("Examples:")
    lines.extend(f"  {example}" for example in EXAMPLES[name])
    return "\n".join(lines)
