"""Shared fixtures: the pure-Python core as the oracle, and the real data files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cidrkit.bulk import normalise_intervals
from cidrkit.core import ipset

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture
def pure_core() -> Iterator[None]:
    """Run the core ``IPSet`` without the bulk accelerator (the independent oracle)."""
    ipset.set_accelerator(None)
    try:
        yield
    finally:
        ipset.set_accelerator(normalise_intervals)


def data_file(name: str) -> Path:
    """A file of the shared real data set, or skip the test with a message."""
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"real data {name} not found in {DATA.resolve()}")
    return path
