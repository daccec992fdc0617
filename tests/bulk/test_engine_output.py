"""The engine writing ``lookup`` and ``grep`` output straight to standard output.

As a real process, the engine writes each block to the file descriptor of
standard output itself (the in-process tests, with text streams, take the
writer-function path). These run ``cidrkit`` as a user does and compare
the bytes with the Python path, across several 8 MiB blocks and 1 MiB
pieces, and check what a closed pipe and a full disk do.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

PYTHON_PATH = {**os.environ, "CIDRKIT_ENGINE": "python"}
NATIVE = {key: value for key, value in os.environ.items() if key != "CIDRKIT_ENGINE"}


def cidrkit(
    args: list[str], env: dict[str, str], stdout: Path, stdin: Path = Path(os.devnull)
) -> subprocess.CompletedProcess[str]:
    with stdout.open("wb") as out, stdin.open("rb") as given:
        return subprocess.run(
            [sys.executable, "-m", "cidrkit.cli.main", *args],
            stdin=given,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            check=False,
        )


@pytest.fixture(scope="module")
def big_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 10 MB of log lines: IPv4 and IPv6 first words, timestamps, a few bad words."""
    rng = random.Random(13)
    lines = []
    for i in range(140_000):
        if i % 5 == 0:
            word = f"2001:db8:{rng.randrange(4):x}::{rng.randrange(1 << 16):x}"
        elif i % 997 == 0:
            word = "not-an-address"
        else:
            word = f"10.{rng.randrange(3)}.{rng.randrange(256)}.{rng.randrange(256)}"
        stamp = f"[04/Dec/2026:10:38:{i % 60:02d} +0000]"
        lines.append(f'{word} - - {stamp} "GET /{i} HTTP/1.1" 200\n')
    path = tmp_path_factory.mktemp("output") / "access.log"
    path.write_text("".join(lines))
    assert path.stat().st_size > 9 << 20, "the log must span more than one engine block"
    return path


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("table") / "table.csv"
    path.write_text("prefix,site\n10.0.0.0/8,all\n10.1.0.0/16,one\n10.1.2.0/24,two\n"
                    "2001:db8::/32,doc\n2001:db8:1::/48,doc-one\n")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["lookup", "--table", "{table}", "{log}"],
        ["lookup", "--table", "{table}", "--matched-only", "{log}", "{log}"],
        ["grep", "10.1.0.0/16,2001:db8:2::/48", "{log}"],
        ["grep", "-n", "-H", "10.2.3.0/24,2001:db8:3::/48", "{log}", "{log}"],
        ["grep", "-v", "10.0.0.0/9", "{log}"],
        ["grep", "-o", "-c", "10.0.0.0/9", "-", "{log}"],
    ],
    ids=["lookup", "lookup-matched-twice", "grep", "grep-numbered-two-files", "grep-inverted",
         "grep-counts-of-stdin-and-a-file"],
)
def test_output_written_by_the_engine_is_the_python_paths(
    args: list[str], big_log: Path, table: Path, tmp_path: Path
) -> None:
    argv = [arg.format(table=table, log=big_log) for arg in args]
    native = cidrkit(argv, NATIVE, tmp_path / "native.out", stdin=big_log)
    python = cidrkit(argv, PYTHON_PATH, tmp_path / "python.out", stdin=big_log)
    assert (native.returncode, native.stderr) == (python.returncode, python.stderr)
    native_bytes = (tmp_path / "native.out").read_bytes()
    assert native_bytes == (tmp_path / "python.out").read_bytes()
    assert native_bytes, "the run printed something"


@pytest.mark.parametrize("command", ["lookup", "grep"])
def test_a_closed_pipe_ends_the_run_quietly(command: str, big_log: Path, table: Path) -> None:
    argv = (["lookup", "--table", str(table), str(big_log)] if command == "lookup"
            else ["grep", "0.0.0.0/0,::/0", str(big_log)])
    with subprocess.Popen(
        [sys.executable, "-m", "cidrkit.cli.main", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=NATIVE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        error = process.stderr.read()
        code = process.wait()
    assert first.startswith(big_log.read_bytes().split(b" ", 1)[0])
    # Only the log's own bad words are reported (lookup), nothing about the pipe.
    assert code == 0
    assert all(b"not-an-address" in line for line in error.splitlines()), error[-300:]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", ["lookup", "grep"])
def test_a_full_disk_is_not_reported_as_an_unreadable_input(
    command: str, big_log: Path, table: Path
) -> None:
    argv = (["lookup", "--table", str(table), str(big_log)] if command == "lookup"
            else ["grep", "0.0.0.0/0,::/0", str(big_log)])
    native = cidrkit(argv, NATIVE, Path("/dev/full"))
    python = cidrkit(argv, PYTHON_PATH, Path("/dev/full"))
    # Both paths fail the same way on a write error, naming its cause;
    # neither blames the input file.
    assert native.returncode == python.returncode != 0
    assert "No space left on device" in native.stderr
    assert "cannot read" not in native.stderr
