"""Table-driven CLI tests: exact output and exit codes for the edges that bite."""

from __future__ import annotations

import json

import pytest

from tests.cli.runner import cli

CASES = [
    # (argv, expected exit code, expected stdout)
    (["contains", "10.0.0.0/16", "10.0.14.5"], 0, "10.0.14.5 is in 10.0.0.0/16\n"),
    (["contains", "-q", "10.0.0.0/16", "10.1.0.0"], 1, ""),
    (["contains", "-q", "10.0.0.0/8", "::ffff:10.0.0.1"], 1, ""),
    (["contains", "-q", "::/0", "::ffff:10.0.0.1"], 0, ""),
    (["overlaps", "-q", "10.0.0.0/8", "10.255.255.255"], 0, ""),
    (["overlaps", "-q", "0.0.0.0/0", "::/0"], 1, ""),
    (["divide", "0.0.0.0/8", "4"], 0, "0.0.0.0/10\n0.64.0.0/10\n0.128.0.0/10\n0.192.0.0/10\n"),
    (["divide", "2001:db8::/32", "3"], 0,
     "2001:db8::/34\n2001:db8:4000::/34\n2001:db8:8000::/34\n# free: 2001:db8:c000::/34\n"),
    (["divide", "10.0.0.0/24", "1"], 0, "10.0.0.0/24\n"),
    (["divide", "10.0.0.0/32", "1"], 0, "10.0.0.0/32\n"),
    (["divide", "10.0.0.0/32", "2"], 2, ""),
    (["divide", "10.0.0.0/24", "0"], 2, ""),
    (["range", "0.0.0.0-255.255.255.255"], 0, "0.0.0.0/0\n"),
    (["range", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"], 0, "::/0\n"),
    (["range", "10.0.0.0 \u2013 10.0.0.3"], 0, "10.0.0.0/30\n"),
    (["span", "10.0.0.0", "10.0.0.255"], 0, "10.0.0.0/24\n"),
    (["span", "0.0.0.0", "255.255.255.255"], 0, "0.0.0.0/0\n"),
    (["merge", "10.0.0.0/25", "10.0.0.128/25"], 0, "10.0.0.0/24\n"),
    (["merge", "255.255.255.255", "::"], 0, "255.255.255.255/32\n::/128\n"),
    (["merge", "0.0.0.0/1", "128.0.0.0/1"], 0, "0.0.0.0/0\n"),
    (["exclude", "10.0.0.0/24", "--minus", "10.0.0.0/24"], 0, ""),
    (["exclude", "::/0", "--minus", "::/1"], 0, "8000::/1\n"),
    (["diff", "10.0.0.0/24", "10.0.0.0/24"], 0, ""),
    (["diff", "10.0.0.0/24", "10.0.0.0/23"], 1, "+10.0.1.0/24\n"),
    (["intersect", "10.0.0.0/8", "--with", "10.1.1.1"], 0, "10.1.1.1/32\n"),
    (["free", "10.0.0.0/30", "--used", "10.0.0.1"], 0, "10.0.0.0/32\n10.0.0.2/31\n"),
    (["free", "10.0.0.0/24", "--used", "10.0.0.0/24"], 0, ""),
    (["next", "10.0.0.0/24", "--used", "10.0.0.0/25", "--prefix", "26", "--count", "2"], 0,
     "10.0.0.128/26\n10.0.0.192/26\n"),
    (["next", "10.0.0.0/24", "--used", "10.0.0.0/24", "--prefix", "32"], 1, ""),
    (["hosts", "10.0.0.1/32"], 0, "10.0.0.1\n"),
    (["hosts", "2001:db8::/127"], 0, "2001:db8::\n2001:db8::1\n"),
    (["hosts", "10.0.0.0/24", "--limit", "10"], 2, ""),
    (["split", "10.0.0.0/24", "--hosts", "50"], 0,
     "10.0.0.0/26\n10.0.0.64/26\n10.0.0.128/26\n10.0.0.192/26\n"),
    (["split", "10.0.0.0/24", "--hosts", "300"], 2, ""),
    (["vlsm", "10.0.0.0/24", "x=0"], 2, ""),
    (["reverse", "10.0.0.0/8"], 0, "10.0.0.0/8\t10.in-addr.arpa.\n"),
    (["reverse", "::/0"], 0, "::/0\tip6.arpa.\n"),
]


@pytest.mark.parametrize(("argv", "code", "stdout"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_command(argv: list[str], code: int, stdout: str) -> None:
    result = cli(*argv)
    assert (result.code, result.out) == (code, stdout), result.err


# Every invalid input gets its exact message on stderr and exit code 2.
INVALID = [
    ("10.0.0.5/16", "'10.0.0.5/16': host bits set; did you mean 10.0.0.0/16?"),
    ("10.0.0.256", "'10.0.0.256': octet 256 is above 255"),
    ("010.0.0.0/8", "'010.0.0.0/8': octet '010' has a leading zero, which is ambiguous "
     "(octal to some tools, decimal to others); write it as 10 if decimal was meant"),
    ("10.0.0.0/33", "'10.0.0.0/33': prefix length 33 is out of range for IPv4 (0-32)"),
    ("::/129", "'::/129': prefix length 129 is out of range for IPv6 (0-128)"),
    ("10.0.0.0/255.0.255.0", "'10.0.0.0/255.0.255.0': netmask 255.0.255.0 is not contiguous"),
    ("10.0.0.0/0.0.0.255", "'10.0.0.0/0.0.0.255': 0.0.0.255 is a wildcard (host) mask, "
     "not a netmask; did you mean /24?"),
    ("10..0.0", "'10..0.0': empty octet in IPv4 address"),
    ("10.0.0.0/", "'10.0.0.0/': missing prefix length after '/'"),
    ("10.2.0/24", "'10.2.0/24': an IPv4 address has 4 octets, this has 3; "
     "did you mean 10.2.0.0/24?"),
    ("TBD", "'TBD': not an IPv4 or IPv6 address; no file of that name exists either"),
    ("10.0.0.0/x", "'10.0.0.0/x': prefix length 'x' is not a number"),
    ("1::2::3", "'1::2::3': '::' may appear only once"),
    ("fe80::1%eth0", "'fe80::1%eth0': zone index (%...) is not allowed here"),
]


@pytest.mark.parametrize(("text", "message"), INVALID, ids=[t for t, _ in INVALID])
def test_invalid_input_exact_message(text: str, message: str) -> None:
    result = cli("merge", text)
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines()[0] == f"cidrkit: error: {message}"


def test_bad_file_lines_reported_and_rest_processed(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "in.txt").write_text("10.0.0.0/25\nnope\n10.0.0.128/25\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("merge", "in.txt")
    assert result.code == 2
    assert result.out == "10.0.0.0/24\n"
    assert result.err == "in.txt:2:1: error: 'nope': not an IPv4 or IPv6 address\n"


def test_stdin_is_read_without_arguments() -> None:
    result = cli("merge", stdin="10.0.0.0/25\n10.0.0.128/25\n")
    assert (result.code, result.out) == (0, "10.0.0.0/24\n")


def test_no_input_on_a_terminal_is_a_usage_error() -> None:
    result = cli("merge")
    assert result.code == 2
    assert "no input" in result.err


def test_explain_json_keys_and_string_counts() -> None:
    result = cli("explain", "--json", "::/0")
    (fact,) = json.loads(result.out)
    for key in ("cidr", "family", "network", "prefix_length", "first", "last", "broadcast",
                "netmask", "wildcard", "total", "usable", "usable_first", "usable_last",
                "class", "reverse_zones"):
        assert key in fact
    assert fact["total"] == str(2**128)
    assert fact["broadcast"] is None
    assert fact["family"] == 6


def test_divide_huge_v6_is_refused_at_once() -> None:
    result = cli("divide", "2001:db8::/32", "1000000000000")
    assert result.code == 2
    assert "1,000,000,000,000" in result.err


def test_mixed_family_list_sorts_ipv4_first() -> None:
    result = cli("merge", "2001:db8::/32", "192.0.2.0/24", "::1", "10.0.0.0/8")
    assert result.out.splitlines() == ["10.0.0.0/8", "192.0.2.0/24", "::1/128", "2001:db8::/32"]


def test_unknown_command_is_a_usage_error() -> None:
    result = cli("frobnicate", "10.0.0.0/8")
    assert result.code == 2
    assert "invalid choice: 'frobnicate'" in result.err


def test_no_command_prints_help_and_exits_2() -> None:
    result = cli()
    assert result.code == 2
    assert result.out.startswith("usage: cidrkit")
