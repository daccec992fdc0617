"""Rendering helpers shared by commands: JSON, counts, simple tables."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from cidrkit.cli.context import Context


def write_json(ctx: Context, data: Any) -> None:
    """Pretty, stable JSON on stdout (keys in the documented order)."""
    import json  # only commands asked for --json pay for it

    ctx.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def count_text(n: int) -> str:
    """A count for people: thousands separators, and 2^k for huge exact powers."""
    if n >= 1 << 40 and n & (n - 1) == 0:
        return f"2^{n.bit_length() - 1} ({n:,})"
    return f"{n:,}"


def json_count(n: int) -> str:
    """Counts are strings in JSON: they can exceed 2^53, which JSON numbers can't hold."""
    return str(n)


def write_lines(ctx: Context, lines: Sequence[str] | Any) -> None:
    write = ctx.stdout.write
    for line in lines:
        write(f"{line}\n")


def write_table(
    ctx: Context, rows: Sequence[Sequence[str]], *, header: Sequence[str] | None = None
) -> None:
    """Left-aligned columns separated by two spaces; the last column is not padded."""
    all_rows = [list(header)] if header else []
    all_rows.extend(list(r) for r in rows)
    if not all_rows:
        return
    widths = [max(len(r[i]) for r in all_rows if i < len(r)) for i in range(len(all_rows[0]))]
    for row in all_rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        ctx.stdout.write("  ".join([*cells, row[-1]]).rstrip() + "\n")
