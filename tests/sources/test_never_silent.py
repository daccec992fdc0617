"""Unreadable, unrecognised or empty input is never a clean audit (issue: "0 records, exit 0")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import cli


def _write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return str(path)


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("vpcs.json", '{"Vpcs": "oops"}', "/Vpcs (line 1): expected a list of VPCs, found a string"),
    ("subnets.json", '{"Subnets": {"a": 1}}',
     "/Subnets (line 1): expected a list of subnets, found an object"),
    ("plan.csv", 'cidr,name\n10.0.0.0/24,"unterminated\n10.0.1.0/24,b\n',
     "line 2: not valid CSV: unexpected end of data"),
    ("data.json", '{"hello": 1}',
     "JSON of an unrecognised shape: an object with keys hello; understood: Vpcs; Subnets"),
    ("hosts.csv", "host,rack\nweb1,r1\n", "unrecognised format: a table with columns host, rack"),
    ("notes.md", "# notes\nsome prose\n", "unrecognised format: not JSON, YAML"),
    ("binary.bin", "\x00\x01\x02", "unrecognised format"),
])
def test_unreadable_input_is_listed_and_exits_2(
    tmp_path: Path, name: str, text: str, reason: str
) -> None:
    path = _write(tmp_path / name, text)
    result = cli("audit", path)
    assert result.code == 2
    assert "SKIPPED FILES: 1\n" in result.out
    assert f"  {path}: {reason}" in result.out
    report = json.loads(cli("audit", "--format", "json", path).out)
    assert report["summary"]["skipped"] == 1
    assert report["skipped"][0]["reason"].startswith(reason)


def test_not_utf8_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("cidr,name\n10.0.0.0/24,caf\xe9\n".encode("latin-1"))
    result = cli("audit", str(path))
    assert result.code == 2
    assert f"{path}: not UTF-8 text" in result.out


@pytest.mark.parametrize(("name", "text"), [("empty.json", ""), ("blank.txt", " \n\n")])
def test_an_empty_file_is_listed_and_alone_exits_2(tmp_path: Path, name: str, text: str) -> None:
    path = _write(tmp_path / name, text)
    result = cli("audit", path)
    assert result.code == 2
    assert f"  {path}: (empty): an empty file: nothing to read\n" in result.out
    _write(tmp_path / "list.txt", "10.0.0.0/16\n")
    assert cli("audit", str(tmp_path)).code == 0


def test_an_empty_folder_is_listed_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "inventory").mkdir()
    result = cli("audit", str(tmp_path / "inventory"))
    assert result.code == 2
    assert f"{tmp_path / 'inventory'}: a folder holding no inventory files" in result.out


def test_a_recognised_file_with_no_network_is_noticed_and_nothing_read_exits_2(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path / "vpcs.json", '{"Vpcs": []}')
    result = cli("audit", path)
    assert result.code == 2
    assert f"{path}: aws-describe-vpcs: recognised, but holds no network" in result.out


def test_a_file_with_no_network_beside_real_ones_does_not_fail_the_audit(tmp_path: Path) -> None:
    _write(tmp_path / "a" / "vpcs.json", '{"Vpcs": []}')
    _write(tmp_path / "b" / "list.txt", "10.0.0.0/16\n")
    assert cli("audit", str(tmp_path)).code == 0


def test_why_refuses_to_answer_from_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path / "vpcs.json", '{"Vpcs": "oops"}')
    result = cli("why", "10.0.0.1", path)
    assert result.code == 2
    assert result.err == (
        f"cidrkit: error: {path}: skipped: /Vpcs (line 1): expected a list of VPCs, "
        f"found a string\ncidrkit: error: no allocation was read from {path}: "
        "nothing to answer from\n")


def test_a_missing_path_is_an_input_error(tmp_path: Path) -> None:
    for command in (("audit",), ("why", "10.0.0.1")):
        result = cli(*command, str(tmp_path / "nope"))
        assert (result.code, result.err) == (
            2, f"cidrkit: error: {tmp_path / 'nope'}: no such file or folder\n")
