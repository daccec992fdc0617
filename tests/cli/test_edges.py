"""Regression tests for the edges of the command line: each once ended in a traceback,
a misleading message, or an answer on input that was never read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cidrkit.cli.cmd_count
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.main import COMMANDS
from tests.cli.runner import cli

# --- the error boundary -------------------------------------------------------------


def _explode(*_: object) -> int:
    raise ZeroDivisionError("a deliberate bug")


def test_a_bug_exits_70_with_one_line_not_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cidrkit.cli.cmd_count, "run", _explode)
    result = cli("count", "10.0.0.0/8")
    assert result.code == ExitCode.INTERNAL_ERROR == 70
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1
    assert result.err.startswith("cidrkit: internal error: ZeroDivisionError: a deliberate bug;")
    assert "please report it" in result.err and "--debug" in result.err


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback_of_a_bug(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setattr(cidrkit.cli.cmd_count, "run", _explode)
    argv = ["--debug", "count", "10.0.0.0/8"] if where == "before" else [
        "count", "10.0.0.0/8", "--debug"]
    result = cli(*argv)
    assert result.code == 70
    assert "Traceback (most recent call last)" in result.err
    assert "ZeroDivisionError: a deliberate bug" in result.err


def test_a_plain_value_error_is_a_bug_not_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    def bad(*_: object) -> int:
        raise ValueError("not a user's mistake")

    monkeypatch.setattr(cidrkit.cli.cmd_count, "run", bad)
    assert cli("count", "10.0.0.0/8").code == 70


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cidrkit.cli.cmd_count, "run", interrupted)
    result = cli("count", "10.0.0.0/8")
    assert (result.code, result.err) == (ExitCode.INTERRUPTED, "cidrkit: interrupted\n")


def test_a_misspelt_option_shows_the_commands_usage_not_the_top_level() -> None:
    result = cli("merge", "--jsno", "10.0.0.0/8")
    assert result.code == 2
    assert result.err.startswith("usage: cidrkit merge ")
    assert result.err.endswith("cidrkit: error: unrecognized arguments: --jsno\n")


def test_errors_are_capped_per_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("".join(f"nonsense-{n}\n" for n in range(500)), encoding="utf-8")
    result = cli("merge", str(bad))
    assert result.code == 2
    lines = result.err.splitlines()
    assert len(lines) == 21
    assert lines[-1] == f"cidrkit: \u2026 and 480 more errors in {bad}"


def test_echoed_input_is_cut_with_an_ellipsis() -> None:
    result = cli("merge", "x" * 5000)
    assert result.code == 2
    first = result.err.splitlines()[0]
    assert len(first) < 200
    assert "\u2026" in first


# --- numbers ---------------------------------------------------------------------

NAT = ["nat", "--cloud", "aws", "--clients", "100"]


@pytest.mark.parametrize(("argv", "message"), [
    (["--rate", "inf", "--hold", "30"], "argument --rate: 'inf' is not a finite number"),
    (["--rate", "1e400", "--hold", "30"], "argument --rate: '1e400' is not a finite number"),
    (["--rate", "nan", "--hold", "30"], "argument --rate: 'nan' is not a finite number"),
    (["--rate", "5", "--hold", "inf"], "argument --hold: 'inf' is not a finite number"),
    (["--rate", "-5", "--hold", "3"], "argument --rate: -5 is out of range: must be at least 0"),
    (["--connections", "10", "--ips", "-3"],
     "argument --ips: -3 is out of range: at least 1"),
    (["--connections", "0"], "argument --connections: 0 is out of range: at least 1"),
    (["--rate", "1e200", "--hold", "1e200"], "rate × hold (1e+200 × 1e+200) is too large"),
    (["--rate", "0", "--hold", "3"],
     "--rate × --hold is 0 × 3 = 0 concurrent connections; nothing to size"),
])
def test_nat_numbers_are_finite_and_in_range(argv: list[str], message: str) -> None:
    result = cli(*NAT, *argv)
    assert result.code == 2, result.err
    assert result.out == ""
    assert result.err.splitlines()[-1] == f"cidrkit: error: {message}"
    assert "Traceback" not in result.err


def test_size_reports_an_unplaceable_host_count_on_stderr() -> None:
    result = cli("size", "--hosts", "99999999999", "--growth", "0%")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "cidrkit: error: --hosts 99,999,999,999: no IPv4 block holds 99999999999 usable "
        "addresses\n"
    )
    huge = cli("size", "--hosts", "9" * 60, "--ipv6")
    assert (huge.code, huge.out) == (2, "")
    assert "is too large" in huge.err


# --- arguments that are neither values nor files ----------------------------------


def test_merge_of_a_missing_file_says_it_is_neither(tmp_path: Path) -> None:
    result = cli("merge", "nosuchfile.txt")
    assert result.code == 2
    assert result.err.splitlines()[0] == (
        "cidrkit: error: 'nosuchfile.txt': unexpected character 'n' in IPv4 octet "
        "'nosuchfile'; no file of that name exists either"
    )


def test_merge_of_a_directory_names_it_as_a_directory(tmp_path: Path) -> None:
    result = cli("merge", str(tmp_path))
    assert result.code == 2
    assert f"{str(tmp_path)!r} is a directory, not a file of addresses" in result.err


def test_diff_of_two_missing_files_names_both() -> None:
    result = cli("diff", "nosuch1", "nosuch2")
    assert result.code == 2
    errors = [line for line in result.err.splitlines() if line.startswith("cidrkit:")]
    assert errors == [
        f"cidrkit: error: {name!r}: not an IPv4 or IPv6 address; no file of that name exists "
        "either" for name in ("nosuch1", "nosuch2")
    ]


def test_grep_names_a_bad_first_pattern(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.write_text("10.0.0.1 x\n", encoding="utf-8")
    result = cli("grep", "10.0.0.0/33", str(log))
    assert result.code == 2
    assert result.err == (
        "cidrkit: error: '10.0.0.0/33' is neither a pattern nor an existing file: "
        "'10.0.0.0/33': prefix length 33 is out of range for IPv4 (0-32)\n"
    )


def test_grep_reports_every_unreadable_file_and_keeps_going(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.write_text("10.0.0.1 x\n", encoding="utf-8")
    result = cli("grep", "10.0.0.0/8", str(log), str(tmp_path / "gone"), str(tmp_path))
    assert result.code == 2
    assert result.out == f"{log}:10.0.0.1 x\n"
    assert result.err.count("cidrkit: error:") == 2


def test_explain_suggests_the_classful_shorthand() -> None:
    result = cli("explain", "10/8")
    assert result.code == 2
    assert result.err.splitlines()[0] == (
        "cidrkit: error: '10/8': an IPv4 address has 4 octets, this has 1; "
        "did you mean 10.0.0.0/8?"
    )
    assert "192.168.0.0/16?" in cli("explain", "192.168/16").err


def test_contains_with_no_items_is_bad_input_not_false() -> None:
    result = cli("contains", "10.0.0.0/8", stdin="")
    assert (result.code, result.out) == (2, "")
    assert "no items to check" in result.err


@pytest.mark.parametrize(("requests", "message"), [
    (["=5"], "'=5': empty name before '='; write NAME=COUNT or just COUNT"),
    (["web=5", "web=6"], "'web=6': the name 'web' is already used by 'web=5'"),
])
def test_vlsm_names_are_present_and_unique(requests: list[str], message: str) -> None:
    result = cli("vlsm", "10.0.0.0/24", *requests)
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines()[0] == f"cidrkit: error: {message}"


def test_an_undecodable_argument_is_reported_not_a_crash() -> None:
    # What the OS hands Python for the byte 0xff in argv.
    result = cli("merge", "\udcff")
    assert result.code == 2
    assert "a command-line argument: not UTF-8 text" in result.err


# --- lookup tables ----------------------------------------------------------------


def _lookup(tmp_path: Path, table: bytes, name: str = "t.csv", *extra: str) -> tuple[int, str, str]:
    (tmp_path / name).write_bytes(table)
    log = tmp_path / "log.txt"
    log.write_text("10.0.0.5 a\n10.0.1.9 b\n8.8.8.8 c\n", encoding="utf-8")
    result = cli("lookup", "--table", str(tmp_path / name), *extra, str(log))
    return result.code, result.out, result.err


def test_lookup_finds_a_prefix_column_that_is_not_first(tmp_path: Path) -> None:
    code, out, err = _lookup(
        tmp_path, b"name,subnet_cidr,env\nweb,10.0.0.0/24,prod\ndb,10.0.1.0/24,prod\n")
    assert (code, err) == (0, "")
    assert out == (
        "10.0.0.5 a\t10.0.0.0/24\tweb\tprod\n10.0.1.9 b\t10.0.1.0/24\tdb\tprod\n8.8.8.8 c\t-\t\t\n"
    )


def test_lookup_finds_the_prefix_column_by_content_when_no_header_names_it(
    tmp_path: Path
) -> None:
    code, out, _ = _lookup(tmp_path, b"owner,where\nweb,10.0.0.0/24\n")
    assert code == 0
    assert out.splitlines()[0] == "10.0.0.5 a\t10.0.0.0/24\tweb"


@pytest.mark.parametrize(("table", "message"), [
    (b"name,subnet\n", "t.csv: the table has a header but no rows"),
    (b"", "t.csv: empty CSV table, expected a header row"),
    (b"name,env\nweb,prod\n", "no column holds prefixes"),
    (b"prefix,name\nnonsense,web\n", "t.csv: the table has no usable prefix (1 bad rows; "
     "the first: "),
])
def test_lookup_refuses_a_table_without_a_usable_row(
    tmp_path: Path, table: bytes, message: str
) -> None:
    code, out, err = _lookup(tmp_path, table)
    assert (code, out) == (2, "")
    assert message in err


def test_lookup_of_a_binary_table_names_it_without_dumping_bytes(tmp_path: Path) -> None:
    code, out, err = _lookup(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\xff", "t.bin")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "t.bin: not a text table (a NUL byte at offset 8: binary data?)" in err


def test_lookup_json_without_stats_prints_json_lines(tmp_path: Path) -> None:
    code, out, _ = _lookup(tmp_path, b"prefix,name\n10.0.0.0/24,web\n", "t.csv", "--json")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert records[0] == {"line": "10.0.0.5 a", "match": {"prefix": "10.0.0.0/24", "name": "web"}}
    assert records[2]["match"] is None


# --- --json and --help over the whole command list ---------------------------------

NO_JSON = {"serve", "db"}  # they print no data (README says so)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_is_offered_wherever_the_readme_promises_it(name: str) -> None:
    text = cli(name, "--help").out
    if name in ("ipam", "token"):
        # Their data-printing actions take --json: checked on each action.
        actions = {"ipam": ["allocate", "release", "list", "free", "import"],
                   "token": ["create", "list"]}[name]
        for action in actions:
            assert "--json" in cli(name, action, "--help").out, f"{name} {action}"
        return
    assert ("--json" in text) == (name not in NO_JSON), name


def test_grep_json_prints_one_object_per_selected_line(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.write_text("a 10.0.0.1 b\nnothing\nc 10.9.9.9\n", encoding="utf-8")
    result = cli("grep", "--json", "10.0.0.0/8", str(log))
    assert result.code == 0
    assert [json.loads(line) for line in result.out.splitlines()] == [
        {"file": str(log), "line": 1, "text": "a 10.0.0.1 b", "addresses": ["10.0.0.1"]},
        {"file": str(log), "line": 3, "text": "c 10.9.9.9", "addresses": ["10.9.9.9"]},
    ]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_help_has_examples_and_one_closing_mark(name: str) -> None:
    text = cli(name, "--help").out
    assert "\nExamples:\n  cidrkit " + name in text
    assert "?." not in text and ".." not in text.replace("...", "")


def test_nat_cloud_has_help_text() -> None:
    text = cli("nat", "--help").out
    assert "--cloud {aws,azure,gcp}  whose NAT gateway" in text


def test_audit_names_every_missing_path() -> None:
    result = cli("audit", "nosuch1", "nosuch2")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "cidrkit: error: nosuch1: no such file or folder\n"
        "cidrkit: error: nosuch2: no such file or folder\n"
    )
