"""The list commands' plain argument shapes, read without argparse, against argparse itself."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.cli.context import Context
from cidrkit.cli.main import PLAIN_SHAPES, ParserExit, UsageError, build_parser, plain_args

TOKENS = [
    "a.txt", "10.0.0.0/8", "2001:db8::/32", "-", "", "merge", "exclude", "--minus", "--with",
    "--min", "--wi", "--minus=x", "--with=x", "--json", "--ranges", "--", "-x", "-1", "--help",
    "-h", "--debug",
]


def argparse_reading(argv: list[str]) -> dict[str, object] | None:
    """What the real parser makes of ``argv``; None where it refuses it."""
    out = io.StringIO()
    ctx = Context(io.StringIO(), out, out)
    parser = build_parser(ctx, argv[0])
    try:
        args, extra = parser.parse_known_args(argv)
    except (UsageError, ParserExit):
        return None
    return None if extra else vars(args)


@given(st.sampled_from(sorted(PLAIN_SHAPES)), st.lists(st.sampled_from(TOKENS), max_size=8))
@settings(max_examples=400)
def test_plain_args_read_argv_as_argparse_does_or_leave_it(command: str, rest: list[str]) -> None:
    argv = [command, *rest]
    plain = plain_args(argv)
    if plain is None:
        return
    assert vars(plain) == argparse_reading(argv), argv


def test_the_common_shapes_are_read_without_the_parser() -> None:
    assert vars(plain_args(["merge", "a", "b"]) or {}) == {
        "command": "merge", "debug": False, "ranges": False, "json": False, "items": ["a", "b"],
    }
    excluded = plain_args(["exclude", "a", "--minus", "b", "-"])
    assert excluded is not None and (excluded.items, excluded.minus) == (["a"], ["b", "-"])
    both = plain_args(["intersect", "--with", "b", "a"])
    assert both is not None and (both.items, both.other) == ([], ["b", "a"])
    for declined in (["merge", "--json", "a"], ["exclude", "a"], ["exclude", "a", "--minus"],
                     ["intersect", "a", "--with", "b", "--with", "c"], ["overlaps", "a"], []):
        assert plain_args(declined) is None, declined


def test_a_plain_list_command_imports_neither_argparse_nor_the_core(tmp_path: Path) -> None:
    """``merge FILE`` of a large plain list: the engine's path loads no parser and no core."""
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"2001:db8:{i:x}::/48\n" for i in range(0, 40_000, 2)))
    script = (
        "import sys\n"
        "from cidrkit.cli.main import main\n"
        f"code = main(['merge', {str(listing)!r}])\n"
        "loaded = [m for m in ('argparse', 'cidrkit.core', 'cidrkit.bulk', 'numpy')"
        " if m in sys.modules]\n"
        "print(code, *loaded, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.count("\n") == 20_000
    assert done.stderr == "0\n", "loaded: " + done.stderr
