"""``cidrkit lookup`` through the compiled engine against the Python path, and its saved table."""

from __future__ import annotations

import ipaddress
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cidrkit import _engine
from cidrkit.cli.native import saved_table_path
from tests.bulk.enginecases import lookup_in_a_new_process
from tests.bulk.test_engine_grep import PYTHON, cli

V4_PREFIXES = [
    "10.0.0.0/8",
    "10.1.0.0/16",
    "10.1.2.0/24",
    "10.1.2.3/32",
    "0.0.0.0/0",
    "192.0.2.0/24",
    "192.0.2.128/25",
    "255.255.255.255/32",
]
V6_PREFIXES = [
    "2001:db8::/32",
    "2001:db8:1::/48",
    "::/0",
    "::ffff:0:0/96",
    "::1/128",
    "2001:db8::/32",
    "fe80::/10",
]
BAD_ROWS = ["10.0.0.5/8", "nonsense", "", "# comment", "10.0.0.1-10.0.0.9", " 10.9.0.0/16 "]
WORDS = [
    "10.1.2.3",
    "10.1.2.4",
    "10.200.0.1",
    "192.0.2.200",
    "8.8.8.8",
    "2001:db8::1",
    "2001:db8:1::5",
    "::ffff:10.1.2.3",
    "::1",
    "fe80::1",
    "255.255.255.255",
    "0.0.0.0",
    "010.1.2.3",
    "10.1.2.3/32",
    "garbage",
    "12:30:45",
    "1.2.3",
    "é",
    "2001:db8::1%eth0",
]
SPACES = [" ", "\t", "  ", "\u00a0", "\u3000", "\x1c", "\x0b"]


def table_rows() -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(V4_PREFIXES + V6_PREFIXES + BAD_ROWS), max_size=10)


def log_lines() -> st.SearchStrategy[str]:
    line = st.tuples(
        st.sampled_from(["", *SPACES]),
        st.sampled_from(WORDS),
        st.sampled_from(["", *SPACES]),
        st.sampled_from(["", "- - [04/Dec/2026:10:38:38 +0000] GET /", "x", "\u00e9t\u00e9"]),
    ).map("".join)
    breaks = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\n \n"])
    return st.lists(st.tuples(line, breaks).map("".join), max_size=12).map("".join)


def run_both(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    """Run natively (twice: building, then from the saved table) and in Python; all agree."""
    native = cli(args, stdin)
    assert cli(args, stdin) == native, "the saved table answers as the built one"
    assert cli(args, stdin, env=PYTHON) == native
    return native


@given(
    table_rows(),
    log_lines(),
    st.sampled_from([[], ["--matched-only"], ["--stats"]]),
    st.booleans(),
    st.sampled_from(["utf-8", "latin-1"]),
)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_text_lookup_prints_the_same_bytes(
    rows: list[str], log: str, flags: list[str], as_csv: bool, encoding: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        if as_csv:
            table = Path(folder) / "table.csv"
            body = "".join(f'{row},name{i},"a,{i}"\n' for i, row in enumerate(rows))
            table.write_text("cidr,name,account\n" + body)
        else:
            table = Path(folder) / "table.txt"
            table.write_text("".join(row + "\n" for row in rows))
        logfile = Path(folder) / "access.log"
        logfile.write_bytes(log.encode(encoding, "replace"))
        run_both(["lookup", "--table", str(table), *flags, str(logfile)])
        run_both(["lookup", "--table", str(table), *flags], log)


def test_saved_table_is_rebuilt_when_the_table_changes(tmp_path: Path) -> None:
    table = tmp_path / "t.txt"
    table.write_text("10.0.0.0/8\n")
    args = ["lookup", "--table", str(table)]
    assert cli(args, "10.1.1.1 a\n") == (0, "10.1.1.1 a\t10.0.0.0/8\n", "")
    saved = Path(saved_table_path(str(table)))
    assert saved.is_file()
    table.write_text("10.1.0.0/16\n")
    assert cli(args, "10.1.1.1 a\n") == (0, "10.1.1.1 a\t10.1.0.0/16\n", "")
    # Same size, other content, and a file time that does not move: the
    # stamp changes with the inode, and the content decides.
    info = table.stat()
    replacement = tmp_path / "t.new"
    replacement.write_text("10.1.1.0/24\n")
    os.utime(replacement, ns=(info.st_atime_ns, info.st_mtime_ns))
    replacement.replace(table)
    assert cli(args, "10.1.1.1 a\n") == (0, "10.1.1.1 a\t10.1.1.0/24\n", "")
    # Touched but unchanged: found again by content.
    os.utime(table)
    assert cli(args, "10.1.1.1 a\n") == (0, "10.1.1.1 a\t10.1.1.0/24\n", "")
    # A damaged saved table is not trusted: it is rebuilt.
    saved.write_bytes(saved.read_bytes()[:300])
    assert cli(args, "10.1.1.1 a\n") == (0, "10.1.1.1 a\t10.1.1.0/24\n", "")
    saved.write_bytes(b"CKLPM" + os.urandom(2000))
    assert cli(args, "10.1.1.1 a\n") == (0, "10.1.1.1 a\t10.1.1.0/24\n", "")


def test_table_problems_and_exit_code_repeat_from_the_saved_table(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("cidr,name\n10.0.0.5/8,typo\n10.0.0.0/8,corp\n")
    args = ["lookup", "--table", str(table)]
    code, out, err = run_both(args, "10.2.3.4\nnope x\n")
    assert (code, out) == (2, "10.2.3.4\t10.0.0.0/8\tcorp\nnope x\t-\t\n")
    table_problem, input_problem = err.splitlines()
    assert table_problem.startswith(f"{table}:2: error: '10.0.0.5/8': ")
    assert input_problem.startswith("<stdin>:2: error: 'nope': ")


def test_table_saved_in_the_cache_when_its_folder_cannot_take_it(tmp_path: Path) -> None:
    table = tmp_path / "t.txt"
    table.write_text("2001:db8::/32\n")
    # A directory where the saved table would go: it can be neither read nor replaced.
    blocker = Path(saved_table_path(str(table)))
    blocker.mkdir()
    (blocker / "keep").write_text("")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = ["lookup", "--table", str(table)]
    expected = (0, "2001:db8::9\t2001:db8::/32\n", "")
    assert cli(args, "2001:db8::9\n", env=env) == expected
    saved = list((tmp_path / "cache" / "cidrkit").iterdir())
    assert len(saved) == 1 and saved[0].name.endswith(".cidrkit-lpm")
    assert cli(args, "2001:db8::9\n", env=env) == expected


@given(
    st.lists(st.tuples(st.integers(0, 255), st.integers(0, 8)), min_size=1, max_size=30),
    st.lists(st.integers(0, 255), max_size=50),
)
def test_longest_match_against_brute_force(
    prefixes: list[tuple[int, int]], probes: list[int]
) -> None:
    # A small universe: addresses 10.0.0.0-10.0.0.255, prefixes /24 to /32.
    networks = [
        ipaddress.ip_network((0x0A000000 | (v & ~((1 << (8 - k)) - 1) & 255), 24 + k))
        for v, k in prefixes
    ]
    with tempfile.TemporaryDirectory() as folder:
        table = Path(folder) / "t.txt"
        table.write_text("".join(f"{n}\n" for n in networks))
        words = [str(ipaddress.ip_address(0x0A000000 | p)) for p in probes]
        out = cli(["lookup", "--table", str(table)], "".join(w + "\n" for w in words))[1]
    expected = []
    for word in words:
        address = ipaddress.ip_address(word)
        best = max((n for n in networks if address in n), key=lambda n: n.prefixlen, default=None)
        expected.append(f"{word}\t{best if best else '-'}\n")
    assert out == "".join(expected)


def test_saved_table_run_loads_no_numpy_bulk_layer_or_table_parser(tmp_path: Path) -> None:
    table = tmp_path / "t.txt"
    table.write_text("10.0.0.0/8\n2001:db8::/32\n")
    watched = ("numpy", "csv", "json")
    lookup_in_a_new_process(table, "10.0.0.1\n", watched)
    second = lookup_in_a_new_process(table, "10.0.0.1\n", watched)
    assert second == ("10.0.0.1\t10.0.0.0/8\n", "[]\n")


def test_engine_table_rejects_inconsistent_arrays() -> None:
    with pytest.raises(ValueError, match="out of range"):
        _engine.LookupTable.build(
            b"\0\0\0\x0a",
            b"\x08",
            (5).to_bytes(4, "little"),
            b"",
            b"",
            b"",
            (0).to_bytes(8, "little") * 2,
            b"",
            b"\t-",
            b"",
            bytes(16),
            bytes(16),
        )
