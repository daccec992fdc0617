"""Generate docs/cli.md from the ``--help`` of every command.

Run ``python -m cidrkit.cli.docgen > docs/cli.md`` (``make docs``); a test
checks the file is current, so the reference never drifts from the code.
"""

from __future__ import annotations

import io
import sys

from cidrkit.cli.context import Context
from cidrkit.cli.main import COMMANDS, run


def help_text(argv: list[str]) -> str:
    out = io.StringIO()
    run([*argv, "--help"], Context(io.StringIO(), out, io.StringIO(), {}))
    return out.getvalue()


def render() -> str:
    parts = [
        "# CLI reference\n",
        "Generated from `--help` by `make docs`; do not edit by hand.\n",
        "## cidrkit\n",
        "```text\n" + help_text([]) + "```\n",
    ]
    for name in COMMANDS:
        parts.append(f"## cidrkit {name}\n")
        parts.append("```text\n" + help_text([name]) + "```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    sys.stdout.write(render())
