"""Large inputs take the numpy path; it must print exactly what the core path prints.

Each case runs a list command twice on the same files, once with the bulk
threshold forced to zero (numpy) and once forced out of reach (core), and
compares stdout, stderr and the exit code byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cidrkit.cli.bulkio as bulkio
from cidrkit.cli.inputs import gather
from tests.cli.runner import Result, cli


def _v4_prefix(value: int, length: int) -> str:
    value &= ((1 << 32) - 1) ^ ((1 << (32 - length)) - 1)
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}/{length}"


def _v6_prefix(value: int, length: int) -> str:
    import ipaddress

    value &= ((1 << 128) - 1) ^ ((1 << (128 - length)) - 1)
    return f"{ipaddress.IPv6Address(value)}/{length}"


# A small corner of each family, so lines nest, touch and repeat often.
V4_LINE = st.builds(
    _v4_prefix, st.integers(0x0A000000, 0x0A0000FF), st.sampled_from([0, 8, 24, 25, 28, 30, 31, 32])
)
V6_LINE = st.builds(
    _v6_prefix, st.integers(0, 0xFF), st.sampled_from([0, 64, 120, 124, 126, 127, 128])
)
RANGE_LINE = st.builds(
    lambda a, n: f"10.0.0.{a}-10.0.0.{min(255, a + n)}", st.integers(0, 255), st.integers(0, 40)
)
ODD_LINE = st.sampled_from(
    ["10.0.0.5/24", "10.0.0.256", "# comment", "", "TBD", "010.0.0.0/8", "10.0.0.1",
     "::ffff:10.0.0.1", "2001:db8::1", "fe80::1%eth0", "  10.0.0.64/26  # note"]
)
LINES = st.lists(st.one_of(V4_LINE, V6_LINE, RANGE_LINE, ODD_LINE), min_size=2, max_size=40)


def _both(monkeypatch: pytest.MonkeyPatch, *argv: str) -> tuple[Result, Result]:
    monkeypatch.setattr(bulkio, "BULK_THRESHOLD_BYTES", -1)
    fast = cli(*argv)
    monkeypatch.setattr(bulkio, "BULK_THRESHOLD_BYTES", 1 << 62)
    slow = cli(*argv)
    return fast, slow


COMMANDS = [
    ["merge", "a.txt"],
    ["merge", "--ranges", "a.txt", "b.txt"],
    ["merge", "--json", "a.txt"],
    ["exclude", "a.txt", "--minus", "b.txt"],
    ["intersect", "a.txt", "--with", "b.txt"],
    ["overlaps", "a.txt", "b.txt"],
    ["overlaps", "--json", "a.txt"],
]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=LINES, b=LINES, command=st.sampled_from(COMMANDS))
def test_bulk_path_prints_what_the_core_path_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, a: list[str], b: list[str],
    command: list[str],
) -> None:
    (tmp_path / "a.txt").write_text("\n".join(a) + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("\n".join(b), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    fast, slow = _both(monkeypatch, *command)
    assert (fast.code, fast.out, fast.err) == (slow.code, slow.out, slow.err)


def test_large_file_uses_the_bulk_engine_and_reports_bad_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [f"10.{i >> 8 & 255}.{i & 255}.0/24" for i in range(20_000)]
    lines[7] = "10.0.0.300/24"
    (tmp_path / "big.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert bulkio.is_large(gather(["big.txt"], None))  # type: ignore[arg-type]
    result = cli("merge", "big.txt")
    assert result.code == 2
    assert result.err == "big.txt:8:8: error: '10.0.0.300/24': octet 300 is above 255\n"
    # 20,000 /24s from 10.0.0.0 upwards, one missing: 10.0.7.0/24.
    assert result.out.splitlines()[:4] == [
        "10.0.0.0/22", "10.0.4.0/23", "10.0.6.0/24", "10.0.8.0/21",
    ]


def test_equal_items_are_paired_in_input_order_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A one-address range equals the address's /32; the bulk path used to rank
    # every prefix before every range, the core path by the sweep's order.
    (tmp_path / "a.txt").write_text("10.0.0.1-10.0.0.1\n10.0.0.0/24\n10.0.0.1\n10.0.0.1/32\n")
    monkeypatch.chdir(tmp_path)
    fast, slow = _both(monkeypatch, "overlaps", "a.txt")
    assert fast == slow
    assert fast.out.splitlines() == [
        "10.0.0.0/24 contains 10.0.0.1-10.0.0.1",
        "10.0.0.0/24 contains 10.0.0.1/32",
        "10.0.0.0/24 contains 10.0.0.1/32",
        "10.0.0.1-10.0.0.1 and 10.0.0.1/32 are the same block",
        "10.0.0.1-10.0.0.1 and 10.0.0.1/32 are the same block",
        "10.0.0.1/32 and 10.0.0.1/32 are the same block",
    ]
