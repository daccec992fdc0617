"""The compiled grep engine against the Python path: candidates, verdicts, whole output."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cidrkit import _engine
from cidrkit.bulk.textgrep import _V4, _V6
from cidrkit.cli.context import Context
from cidrkit.cli.main import run
from cidrkit.core.text import parse_v4, parse_v6
from cidrkit.errors import ParseError
from tests.bulk.enginecases import FRAGMENTS, PATTERNS, pattern_lists, texts

PYTHON = {"CIDRKIT_ENGINE": "python"}
FLAGS = ["-v", "-c", "-o", "-n", "-H", "--no-filename"]


def regex_candidates(text: str) -> tuple[list[str], list[str]]:
    return [m.group() for m in _V4.finditer(text)], [m.group() for m in _V6.finditer(text)]


def engine_candidates(text: str) -> tuple[list[str], list[str]]:
    data = text.encode()
    v4, v6 = _engine.scan_candidates(data)
    return [data[a:b].decode() for a, b in v4], [data[a:b].decode() for a, b in v6]


def core_verdict(text: str) -> tuple[int, int] | None:
    try:
        return (128, parse_v6(text)) if ":" in text else (32, parse_v4(text))
    except ParseError:
        return None


def cli(
    args: list[str], stdin: str = "", env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(args, Context(io.StringIO(stdin), out, err, env or {}))
    return code, out.getvalue(), err.getvalue()


@given(texts())
@settings(max_examples=400)
def test_candidates_are_the_regular_expressions(text: str) -> None:
    assert engine_candidates(text) == regex_candidates(text)


@given(st.one_of(st.sampled_from(FRAGMENTS), st.text("0123456789abcdefABCDEF:.%g", max_size=45)))
@settings(max_examples=600)
def test_address_verdicts_are_the_core_parser(text: str) -> None:
    assert _engine.parse_address(text.encode()) == core_verdict(text)


@given(st.ip_addresses())
def test_every_address_parses_to_its_value(address: object) -> None:
    import ipaddress

    assert isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address)
    for text in {str(address), address.exploded}:
        assert _engine.parse_address(text.encode()) == (address.max_prefixlen, int(address))


@given(
    texts(),
    pattern_lists(),
    st.lists(st.sampled_from(FLAGS), max_size=3, unique=True),
    st.sampled_from(["utf-8", "latin-1"]),
)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_grep_files_print_the_same_bytes(
    text: str, patterns: list[str], flags: list[str], encoding: str
) -> None:
    if "-H" in flags and "--no-filename" in flags:
        flags.remove("-H")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log"
        # latin-1 bytes are invalid UTF-8 wherever a non-ASCII character is.
        path.write_bytes(text.encode(encoding))
        args = ["grep", *flags, *(f for p in patterns for f in ("-e", p)), str(path)]
        assert cli(args) == cli(args, env=PYTHON)


@given(texts(), pattern_lists(), st.lists(st.sampled_from(FLAGS), max_size=3, unique=True))
@settings(max_examples=150, deadline=None)
def test_grep_stdin_prints_the_same_bytes(text: str, patterns: list[str], flags: list[str]) -> None:
    if "-H" in flags and "--no-filename" in flags:
        flags.remove("-H")
    args = ["grep", *flags, ",".join(patterns)]
    assert cli(args, text) == cli(args, text, env=PYTHON)


@given(
    st.lists(
        st.sampled_from([*PATTERNS, "10.0.0.5/8", " 10.0.0.0/8", "# note", "", "x", "::1/129"]),
        min_size=1,
        max_size=4,
    ),
    texts(),
)
@settings(max_examples=60, deadline=None)
def test_pattern_files_with_odd_lines_read_the_same(patterns: list[str], text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "patterns"
        listing.write_text("\n".join(patterns) + "\n")
        log = Path(folder) / "log"
        log.write_text(text)
        args = ["grep", "-f", str(listing), str(log)]
        assert cli(args) == cli(args, env=PYTHON)


def test_grep_several_files_and_a_missing_one(tmp_path: Path) -> None:
    first = tmp_path / "a.log"
    first.write_text("x 10.0.0.1\ny 11.0.0.1\n")
    second = tmp_path / "b.log"
    second.write_text("z 2001:db8::5\r\n")
    args = ["grep", "-n", "10.0.0.0/8,2001:db8::/32", str(first), str(second), str(tmp_path / "no")]
    code, out, err = cli(args)
    assert out == f"{first}:1:x 10.0.0.1\n{second}:1:z 2001:db8::5\n"
    assert err == f"cidrkit: error: {tmp_path / 'no'}: cannot read: No such file or directory\n"
    assert code == 2
    assert cli(args, env=PYTHON) == (code, out, err)


def test_engine_switch_selects_the_python_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from cidrkit.cli import native

    assert native.load_engine({}) is _engine
    assert native.load_engine(PYTHON) is None


def test_big_input_crosses_blocks_with_line_numbers(tmp_path: Path) -> None:
    # Several engine blocks (8 MiB) and pieces (1 MiB): numbering and order must hold.
    lines = [f"{i} host 10.{i % 256}.0.{i % 7} t=12:30:45\r\n" for i in range(400_000)]
    path = tmp_path / "big.log"
    path.write_text("".join(lines), newline="")
    args = ["grep", "-n", "10.3.0.0/16,10.200.0.0/16", str(path)]
    code, out, _ = cli(args)
    expected = [f"{i + 1}:{line[:-2]}\n" for i, line in enumerate(lines) if i % 256 in (3, 200)]
    assert (code, out) == (0, "".join(expected))
    assert cli(args, env=PYTHON)[:2] == (code, out)


def test_grep_with_plain_patterns_does_not_load_numpy(tmp_path: Path) -> None:
    import subprocess
    import sys

    log = tmp_path / "log"
    log.write_text("a 10.1.2.3\nb 2001:db8::1\nc 11.0.0.1\n")
    code = (
        "import sys\n"
        "from cidrkit.cli.main import main\n"
        f"sys.argv = ['cidrkit', 'grep', '10.0.0.0/8,2001:db8::/32', {str(log)!r}]\n"
        "main()\n"
        "print(sorted(m for m in sys.modules if m == 'numpy'), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert (done.stdout, done.stderr) == ("a 10.1.2.3\nb 2001:db8::1\n", "[]\n")
