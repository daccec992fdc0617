"""The lookup and grep commands, run in-process with exact expected output."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.runner import cli

TABLE_CSV = (
    "cidr,name,account\n"
    "10.0.0.0/8,corp,111\n"
    "10.1.0.0/16,prod,222\n"
    "2001:db8::/32,lab,333\n"
    "10.2.0.5/16,typo,444\n"
)


def table(tmp_path: Path) -> str:
    path = tmp_path / "table.csv"
    path.write_text(TABLE_CSV)
    return str(path)


def test_lookup_annotates_log_lines(tmp_path: Path) -> None:
    logs = "10.1.2.3 - - GET /\n192.0.2.1 - - GET /x\n2001:db8::7 - -\n\n10.9.0.1 -\n"
    code, out, err = cli("lookup", "--table", table(tmp_path), stdin=logs)
    assert out == (
        "10.1.2.3 - - GET /\t10.1.0.0/16\tprod\t222\n"
        "192.0.2.1 - - GET /x\t-\t\t\n"
        "2001:db8::7 - -\t2001:db8::/32\tlab\t333\n"
        "10.9.0.1 -\t10.0.0.0/8\tcorp\t111\n"
    )
    # The table's bad row is reported with its line, and the exit code says so.
    assert err.startswith(f"{tmp_path / 'table.csv'}:5: error: '10.2.0.5/16': host bits set")
    assert code == 2


def test_lookup_csv_input_to_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("prefix,vpc\n10.1.0.0/16,vpc-1\n")
    flows = "srcaddr,bytes\n10.1.0.9,100\n8.8.8.8,5\n"
    code, out, err = cli(
        "lookup", "--table", str(path), "--column", "srcaddr", "--output", "jsonl", stdin=flows
    )
    assert [json.loads(line) for line in out.splitlines()] == [
        {"srcaddr": "10.1.0.9", "bytes": "100", "match": {"prefix": "10.1.0.0/16", "vpc": "vpc-1"}},
        {"srcaddr": "8.8.8.8", "bytes": "5", "match": None},
    ]
    assert (code, err) == (0, "")


def test_lookup_csv_output_and_matched_only(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("prefix,vpc\n10.1.0.0/16,vpc-1\n")
    flows = "srcaddr,bytes\n10.1.0.9,100\n8.8.8.8,5\n"
    code, out, _ = cli(
        "lookup", "--table", str(path), "--column", "srcaddr", "--matched-only", stdin=flows
    )
    assert out == "srcaddr,bytes,match_prefix,match_vpc\n10.1.0.9,100,10.1.0.0/16,vpc-1\n"
    assert code == 0


def test_lookup_json_lines_field_and_stats(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("10.0.0.0/8\n10.1.0.0/16\n")
    records = (
        '{"src": {"ip": "10.1.0.9"}}\n{"src": {"ip": "10.7.0.1"}}\n{"src": {"ip": "10.1.9.9"}}\n'
    )
    code, out, _ = cli(
        "lookup", "--table", str(path), "--field", "src.ip", "--stats", stdin=records
    )
    assert out == "2\t10.1.0.0/16\n1\t10.0.0.0/8\n0\t(no match)\n"
    code, out, _ = cli(
        "lookup", "--table", str(path), "--field", "src.ip", "--stats", "--json", stdin=records
    )
    assert json.loads(out) == {
        "hits": [
            {"prefix": "10.1.0.0/16", "labels": {}, "count": 2},
            {"prefix": "10.0.0.0/8", "labels": {}, "count": 1},
        ],
        "unmatched": 0,
    }
    assert code == 0


def test_lookup_reports_bad_records_by_line(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("10.0.0.0/8\n")
    code, out, err = cli(
        "lookup", "--table", str(path), "--field", "ip", stdin='{"ip": "10.0.0.1"}\n{}\n'
    )
    assert out == '{"ip": "10.0.0.1", "match": {"prefix": "10.0.0.0/8"}}\n'
    assert err == "<stdin>:2: error: no field 'ip'\n"
    assert code == 2


TEXT = (
    "Jan 1 sshd: accepted from 10.1.2.3 port 22\n"
    "Jan 1 cron: nothing to see\n"
    "Jan 1 nginx: 2001:db8::1 and 192.0.2.77 GET /\n"
    "Jan 1 app: version 1.2.3.4.5 at 12:30:45\n"
)


def test_grep_prints_matching_lines_of_both_families() -> None:
    code, out, _ = cli("grep", "10.0.0.0/8,2001:db8::/32", stdin=TEXT)
    assert out == TEXT.splitlines(keepends=True)[0] + TEXT.splitlines(keepends=True)[2]
    assert code == 0


def test_grep_options(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text(TEXT)
    assert cli("grep", "-c", "-v", "10.0.0.0/8", str(log)) == (0, "3\n", "")
    assert cli("grep", "-o", "-n", "192.0.2.0/24", "10.0.0.0/8", str(log)) == (
        0,
        "1:10.1.2.3\n3:192.0.2.77\n",
        "",
    )
    assert cli("grep", "-H", "192.0.2.70-192.0.2.80", str(log))[1] == (
        f"{log}:Jan 1 nginx: 2001:db8::1 and 192.0.2.77 GET /\n"
    )
    patterns = tmp_path / "p.txt"
    patterns.write_text("# blocked\n2001:db8::/48\n")
    assert cli("grep", "-f", str(patterns), str(log))[0] == 0


def test_grep_exit_codes(tmp_path: Path) -> None:
    assert cli("grep", "198.51.100.0/24", stdin=TEXT) == (1, "", "")
    code, _, err = cli("grep", "-e", "10.0.0.5/8", stdin=TEXT)
    assert code == 2 and "'10.0.0.5/8'" in err
    code, _, err = cli("grep", "10.0.0.0/8", str(tmp_path / "missing.log"))
    assert code == 2 and "missing.log: cannot read" in err
