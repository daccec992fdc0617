"""The whole-command bench reports each process's own peak memory, not its own size."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))
bench_commands = pytest.importorskip("bench_commands")

MIB = 1024


def _grow(mib: int) -> bytearray:
    """Resident memory in this process, as generating inputs leaves it."""
    ballast = bytearray(mib << 20)
    ballast[::4096] = b"\1" * len(range(0, len(ballast), 4096))
    return ballast


def test_peak_is_the_commands_own_after_the_bench_has_grown(tmp_path: Path) -> None:
    ballast = _grow(400)
    idle = [sys.executable, "-c", "pass"]
    # A process that holds 150 MiB at its peak.
    holds = [sys.executable, "-c", "b = bytearray(150 << 20); b[::4096] = b'1' * (150 << 8)"]
    _, _, idle_peak = bench_commands.measure_cpu(idle, tmp_path / "idle.out")
    seconds, cpu, peak = bench_commands.measure_cpu(holds, tmp_path / "holds.out")
    assert len(ballast) == 400 << 20
    assert idle_peak < 64 * MIB, idle_peak
    assert 150 * MIB <= peak < 220 * MIB, peak
    assert seconds > 0 and cpu > 0
    floor = bench_commands.launch_floor_kib(tmp_path)
    assert 0 < floor < 32 * MIB


def test_a_failing_command_stops_the_bench(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="failed"):
        bench_commands.measure_cpu([sys.executable, "-c", "raise SystemExit(2)"],
                                   tmp_path / "out")
