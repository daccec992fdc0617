"""``cidrkit why`` when part of the input could not be read: the rule ``audit`` follows.

"Held" is proven by what was read (exit 0, the unread input warned about).
"Held by none" is only true when everything was read: with a skipped file or
a malformed value, which may be the very allocation asked about, the answer
is not certain and the exit code is 2, never 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import cli

SKIPPED = "vpcs.json: skipped: /Vpcs (line 1): expected a list of VPCs, found a string"


def _inventory(tmp_path: Path, *, skipped: int = 0, malformed: bool = False) -> str:
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "list.txt").write_text("10.0.0.0/16\n" + ("10.9.0.5/16\n" if malformed else ""),
                                     encoding="utf-8")
    for n in range(skipped):
        name = "vpcs.json" if n == 0 else f"vpcs{n:02}.json"
        (folder / name).write_text('{"Vpcs": "oops"}', encoding="utf-8")
    return str(folder)


def test_not_held_with_a_skipped_file_is_not_a_clean_no(tmp_path: Path) -> None:
    path = _inventory(tmp_path, skipped=1)
    result = cli("why", "192.0.2.1", path)
    assert (result.code, result.out) == (2, "192.0.2.1 is in no allocation of the inventories\n")
    assert result.err == (
        f"cidrkit: error: {path}/{SKIPPED}\n"
        "cidrkit: error: 192.0.2.1 is in no allocation read, but 1 skipped file could not be "
        "read: the answer is not certain\n")


def test_not_held_with_a_malformed_value_is_not_a_clean_no(tmp_path: Path) -> None:
    path = _inventory(tmp_path, malformed=True)
    result = cli("why", "10.9.0.7", path)
    assert result.code == 2
    assert result.err == (
        f"cidrkit: error: {path}/list.txt:2: '10.9.0.5/16': host bits set "
        "(did you mean 10.9.0.0/16?)\n"
        "cidrkit: error: 10.9.0.7 is in no allocation read, but 1 malformed value could not be "
        "read: the answer is not certain\n")


def test_held_with_a_malformed_value_answers_and_warns(tmp_path: Path) -> None:
    path = _inventory(tmp_path, malformed=True)
    result = cli("why", "10.0.0.1", path)
    assert result.code == 0
    assert result.out.startswith("10.0.0.1: 1 allocation, innermost first\n")
    assert result.err == (f"cidrkit: warning: {path}/list.txt:2: '10.9.0.5/16': host bits set "
                          "(did you mean 10.9.0.0/16?)\n")


def test_the_json_answer_is_still_written_when_it_is_not_certain(tmp_path: Path) -> None:
    result = cli("why", "--json", "192.0.2.1", _inventory(tmp_path, skipped=1, malformed=True))
    assert result.code == 2
    assert json.loads(result.out) == {"target": "192.0.2.1", "allocations": []}
    assert result.err.endswith("but 1 skipped file and 1 malformed value could not be read: "
                               "the answer is not certain\n")


@pytest.mark.parametrize("skipped", [19, 20, 30])
def test_many_unread_inputs_are_capped_and_the_conclusion_is_kept(
        tmp_path: Path, skipped: int) -> None:
    result = cli("why", "192.0.2.1", _inventory(tmp_path, skipped=skipped))
    lines = result.err.splitlines()
    assert result.code == 2
    assert len(lines) == min(skipped + 1, 20)
    assert lines[-1] == (f"cidrkit: error: 192.0.2.1 is in no allocation read, but {skipped} "
                         "skipped files could not be read: the answer is not certain")
    if skipped >= 20:
        assert lines[-2] == f"cidrkit: error: \u2026 and {skipped - 18} more inputs not read"
