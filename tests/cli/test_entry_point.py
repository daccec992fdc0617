"""The installed command itself, in a real process: what users and scripts run."""

from __future__ import annotations

import subprocess
import sys


def run_cidrkit(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cidrkit", *args],
        input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )


def test_contains_true_exits_0() -> None:
    done = run_cidrkit("contains", "10.0.0.0/16", "10.0.14.5")
    assert (done.returncode, done.stdout, done.stderr) == (0, "10.0.14.5 is in 10.0.0.0/16\n", "")


def test_bad_input_exits_2_with_message_on_stderr() -> None:
    done = run_cidrkit("explain", "10.0.0.5/16x")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("cidrkit: error: '10.0.0.5/16x'")


def test_pipe_from_stdin() -> None:
    done = run_cidrkit("merge", "-", stdin="10.0.0.0/25\n10.0.0.128/25\n")
    assert (done.returncode, done.stdout) == (0, "10.0.0.0/24\n")


def test_version() -> None:
    done = run_cidrkit("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("cidrkit ")
