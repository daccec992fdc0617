"""Golden outputs of the shipped example plan, and re-planning it after appending VPCs.

Set CIDRKIT_UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.runner import Result

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "plans"
GOLDEN = EXAMPLES / "golden"
UPDATE = os.environ.get("CIDRKIT_UPDATE_GOLDEN") == "1"
FORMATS = {"table": "txt", "json": "json", "csv": "csv", "terraform": "tfvars.json",
           "svg": "svg", "html": "html"}


def compare(actual: str, name: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs; see CIDRKIT_UPDATE_GOLDEN"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of the examples so runs never touch the shipped lock."""
    shutil.copytree(EXAMPLES, tmp_path / "plans", ignore=shutil.ignore_patterns("golden"))
    return tmp_path / "plans"


def test_the_shipped_lock_is_up_to_date(cli: Callable[..., Result], workdir: Path) -> None:
    result = cli("plan", str(workdir / "multi-region.yaml"), "--check")
    assert (result.code, result.out, result.err) == (0, "", "")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_matches_its_golden_file(
    cli: Callable[..., Result], workdir: Path, fmt: str
) -> None:
    result = cli("plan", str(workdir / "multi-region.yaml"), "--format", fmt)
    assert (result.code, result.err) == (0, "")
    compare(result.out.replace(str(workdir) + "/", ""), f"multi-region.{FORMATS[fmt]}")


def test_the_picture_is_well_formed_and_labels_blocks(
    cli: Callable[..., Result], workdir: Path
) -> None:
    import xml.etree.ElementTree as ET

    svg = cli("plan", str(workdir / "multi-region.yaml"), "--format", "svg").out
    root = ET.fromstring(svg)
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "acme/eu-west-1/prod/az-a/app  10.17.16.0/22 (1,024 addresses)" in titles
    assert "avoided 10.16.0.0/16 (Frankfurt data centre)" in titles
    assert any(t and t.startswith("free 10.18.0.0/15") for t in titles)


def test_a_fresh_plan_reproduces_the_shipped_lock(
    cli: Callable[..., Result], workdir: Path
) -> None:
    (workdir / "multi-region.yaml.lock").unlink()
    result = cli("plan", str(workdir / "multi-region.yaml"), "--format", "json")
    assert result.code == 0
    assert result.err.endswith("multi-region.yaml.lock (192 new, 0 grown or moved, 0 released)\n")
    fresh = (workdir / "multi-region.yaml.lock").read_text(encoding="utf-8")
    assert fresh == (EXAMPLES / "multi-region.yaml.lock").read_text(encoding="utf-8")


def test_appending_vpcs_moves_nothing(cli: Callable[..., Result], workdir: Path) -> None:
    appended = workdir / "multi-region-appended.yaml"
    shutil.copy(workdir / "multi-region.yaml.lock", workdir / "multi-region-appended.yaml.lock")
    check = cli("plan", str(appended), "--check")
    assert check.code == 1
    diff = cli("plan", str(appended), "--diff")
    assert diff.code == 1
    compare(diff.out, "multi-region-appended.diff")
    # Only additions: not one existing block changes.
    assert diff.out and all(line.startswith("+ ") for line in diff.out.splitlines())
    assert all("/qa" in line for line in diff.out.splitlines())
    written = cli("plan", str(appended), "--format", "json")
    assert written.code == 0
    assert cli("plan", str(appended), "--check").code == 0
