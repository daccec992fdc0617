"""The CLI reference in docs/ is generated from --help; it must match the code."""

from __future__ import annotations

from pathlib import Path

from cidrkit.cli.docgen import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_matches_help() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `make docs` and commit the result"
    )
