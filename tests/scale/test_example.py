"""The top-talkers example in docs/scale.md still runs and still draws the committed chart."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_top_talkers_example_draws_the_documented_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("duckdb")
    out = tmp_path / "chart.svg"
    monkeypatch.setattr(sys, "argv", ["scale_top_talkers.py", str(out)])
    runpy.run_path(str(ROOT / "examples" / "scale_top_talkers.py"), run_name="__main__")
    assert out.read_text() == (ROOT / "docs" / "scale-top-talkers.svg").read_text()
