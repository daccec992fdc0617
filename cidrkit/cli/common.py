"""Options shared by many commands, declared once so every command reads alike."""

from __future__ import annotations

import argparse

from cidrkit.core.usable import MODEL_NAMES
from cidrkit.errors import LimitError

DEFAULT_LIMIT = 65_536


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print JSON (schema in docs/cli-json.md)"
    )


def add_limit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"refuse to print more than N lines (default {DEFAULT_LIMIT:,})",
    )


def add_cloud(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cloud",
        choices=[m for m in MODEL_NAMES if m != "rfc"],
        default=None,
        help="count usable addresses as this cloud does (aws, azure: 5 reserved; gcp: 4)",
    )


def model_of(args: argparse.Namespace) -> str:
    cloud: str | None = getattr(args, "cloud", None)
    return cloud or "rfc"


def check_limit(count: int, limit: int, what: str) -> None:
    """Refuse at once, before producing anything, when output would be too long."""
    if count > limit:
        raise LimitError(
            f"{what} would print {count:,} lines, more than --limit {limit:,}; "
            "raise --limit or narrow the request",
            count,
        )


INPUT_HELP = "addresses, prefixes or ranges; a FILE (one per line) or - for stdin"
