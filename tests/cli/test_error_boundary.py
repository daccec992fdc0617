"""Commands raise; only ``cli/main.run`` writes an error and picks the exit code.

The IPAM client commands (``ipam``, ``serve``, ``token``, ``db``) talk to a
service and are checked with it; every other command is held to the rule here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.cli.runner import REPO_ROOT, cli

CLI_DIR = Path(__file__).resolve().parents[2] / "cidrkit" / "cli"
SERVICE_COMMANDS = {"cmd_ipam.py", "cmd_serve.py", "cmd_token.py", "cmd_db.py"}
COMMAND_FILES = sorted(p for p in CLI_DIR.glob("cmd_*.py") if p.name not in SERVICE_COMMANDS)


def _writes_to_stderr(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in {"write", "writelines"}:
        target = func.value
        return isinstance(target, ast.Attribute) and target.attr == "stderr"
    if isinstance(func, ast.Name) and func.id == "print":
        return any(k.arg == "file" and "stderr" in ast.unparse(k.value) for k in call.keywords)
    return False


def _own_error_messages(path: Path) -> list[str]:
    """Lines of ``path`` that write an error message to stderr themselves."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and _writes_to_stderr(node):
            text = ast.unparse(node)
            # "error:" is the closing message the boundary writes; streamed
            # per-line diagnostics and their "... and N more errors" stay.
            if "error:" in text:
                found.append(f"{path.name}:{node.lineno}: {text}")
    return found


def test_there_are_commands_to_check() -> None:
    assert len(COMMAND_FILES) > 20


@pytest.mark.parametrize("path", COMMAND_FILES, ids=lambda p: p.name)
def test_no_command_writes_its_own_error(path: Path) -> None:
    assert _own_error_messages(path) == []


def test_the_check_sees_an_error_written_by_hand(tmp_path: Path) -> None:
    sample = tmp_path / "cmd_sample.py"
    sample.write_text(
        "def run(args, ctx):\n"
        "    ctx.stderr.write('cidrkit: error: nope\\n')\n"
        "    print('cidrkit: error: nope', file=sys.stderr)\n"
        "    ctx.stdout.write('error in the data is fine\\n')\n",
        encoding="utf-8",
    )
    assert [line.split(":")[1] for line in _own_error_messages(sample)] == ["2", "3"]


def test_audit_json_version_outside_json_is_raised_to_the_boundary() -> None:
    result = cli("audit", "examples/inventory", "--format", "markdown", "--json-version", "2",
                 cwd=REPO_ROOT)
    assert (result.code, result.out, result.err) == (
        2, "", "cidrkit: error: --json-version applies to --format json only\n")


def _inventory(tmp_path: Path, *, with_bad_file: bool) -> str:
    (tmp_path / "inv").mkdir()
    (tmp_path / "inv" / "list.txt").write_text("10.0.0.0/16\n", encoding="utf-8")
    if with_bad_file:
        (tmp_path / "inv" / "vpcs.json").write_text('{"Vpcs": "oops"}', encoding="utf-8")
    return str(tmp_path / "inv")


SKIPPED = "vpcs.json: skipped: /Vpcs (line 1): expected a list of VPCs, found a string"


def test_why_from_nothing_reports_the_skipped_files_as_errors(tmp_path: Path) -> None:
    (tmp_path / "inv").mkdir()
    (tmp_path / "inv" / "vpcs.json").write_text('{"Vpcs": "oops"}', encoding="utf-8")
    path = str(tmp_path / "inv")
    result = cli("why", "192.0.2.1", path)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"cidrkit: error: {path}/{SKIPPED}\n"
        f"cidrkit: error: no allocation was read from {path}: nothing to answer from\n")


def test_why_no_with_every_file_read_is_false(tmp_path: Path) -> None:
    result = cli("why", "192.0.2.1", _inventory(tmp_path, with_bad_file=False))
    assert (result.code, result.err) == (1, "")


def test_why_found_with_a_skipped_file_answers_and_warns(tmp_path: Path) -> None:
    path = _inventory(tmp_path, with_bad_file=True)
    result = cli("why", "10.0.0.1", path)
    assert result.code == 0
    assert result.out.startswith("10.0.0.1: 1 allocation, innermost first\n")
    assert result.err == f"cidrkit: warning: {path}/{SKIPPED}\n"
