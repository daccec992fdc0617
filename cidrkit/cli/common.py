"""Options shared by many commands, declared once so every command reads alike."""

from __future__ import annotations

import argparse
import math
import re

from cidrkit.core.usable import MODEL_NAMES
from cidrkit.errors import LimitError, quote

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable

DEFAULT_LIMIT = 65_536


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print JSON (schema in docs/cli-json.md)"
    )


def add_limit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limit",
        type=whole_number(0),
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


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a decimal whole number in ``minimum..maximum``.

    The digits are bounded before ``int()``, so ``999…9`` is a clear
    "too large" rather than a slow conversion or Python's digit-limit error.
    """

    def convert(text: str) -> int:
        cleaned = text.strip()
        if not re.fullmatch(r"[+-]?[0-9]+", cleaned):
            raise argparse.ArgumentTypeError(f"{quote(text)} is not a whole number")
        if len(cleaned.lstrip("+-").lstrip("0")) > MAX_DIGITS:
            raise argparse.ArgumentTypeError(f"{quote(text)} is too large")
        value = int(cleaned)
        if value < minimum or (maximum is not None and value > maximum):
            top = "" if maximum is None else f" and at most {maximum:,}"
            raise argparse.ArgumentTypeError(
                f"{value:,} is out of range: at least {minimum:,}{top}"
            )
        return value

    return convert


def finite_number(minimum: float, *, above: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite decimal number, at least (or, ``above``, over) ``minimum``.

    Rejects ``inf``, ``nan`` and overflows like ``1e400``, which ``float()``
    accepts and which make every result after them meaningless.
    """

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{quote(text)} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{quote(text)} is not a finite number")
        if value < minimum or (above and value == minimum):
            relation = "greater than" if above else "at least"
            raise argparse.ArgumentTypeError(
                f"{text} is out of range: must be {relation} {minimum:g}"
            )
        return value

    return convert


# Any count a person types fits in this many digits; more is a typo or an attack.
MAX_DIGITS = 18
