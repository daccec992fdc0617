"""Cold start of one ``cidrkit`` command beside other IP calculators.

Runs ``cidrkit contains 10.0.0.0/16 10.0.14.5`` from the virtualenv that
holds this checkout, and the nearest equivalent of each peer tool, many
times each, interleaved so that machine noise hits every tool alike. Prints
the median wall time of each and its ratio to ours. A peer that is not
installed is skipped, saying so (Debian: ``apt-get install ipcalc ipcalc-ng
sipcalc``).

Usage::

    python bench/bench_cli_start.py [--runs 30] [--command 'python -c pass']

``--command`` replaces our command, to try the harness on anything.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_MS = 60.0


@dataclass
class Contender:
    """A named command line and the wall times of its runs (seconds)."""

    name: str
    argv: list[str]
    times: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000


def our_command() -> list[str]:
    """The installed ``cidrkit`` script beside the interpreter running this bench."""
    script = Path(sys.executable).with_name("cidrkit")
    if not script.exists():
        fallback = REPO / ".venv" / "bin" / "cidrkit"
        script = fallback if fallback.exists() else script
    if not script.exists():
        sys.exit(f"no cidrkit script next to {sys.executable}; run 'pip install -e .' first")
    return [str(script), "contains", "10.0.0.0/16", "10.0.14.5"]


# Each peer answers a similar one-prefix question and exits.
PEERS: list[tuple[str, list[str]]] = [
    ("ipcalc", ["ipcalc", "-n", "-b", "10.0.0.0/16"]),
    ("ipcalc-ng", ["ipcalc-ng", "--network", "10.0.0.0/16"]),
    ("sipcalc", ["sipcalc", "10.0.0.0/16"]),
]


def child_environment() -> dict[str, str]:
    """This environment, but free to write .pyc files.

    An installed package has its bytecode compiled at install time; a
    checkout run with PYTHONDONTWRITEBYTECODE set would instead recompile
    every module on every start and measure the compiler, not the tool.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


CHILD_ENV = child_environment()


def time_once(argv: list[str]) -> float:
    """Wall time of one run, from fork to exit, output discarded."""
    start = time.perf_counter()
    done = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=CHILD_ENV, check=False
    )
    elapsed = time.perf_counter() - start
    # The timed cidrkit command answers "true" (exit 0) and prints nothing on
    # stderr; anything else means we timed a crash, not a start-up.
    failed = done.returncode != 0 or done.stderr if "cidrkit" in argv[0] else (
        done.returncode not in (0, 1)
    )
    if failed:
        raise SystemExit(
            f"{shlex.join(argv)} exited {done.returncode}: {done.stderr.decode().strip()}"
        )
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=30, help="runs per tool (default 30)")
    parser.add_argument("--command", help="time this command line instead of cidrkit's")
    args = parser.parse_args(argv)

    ours = Contender(
        "cidrkit", shlex.split(args.command) if args.command else our_command()
    )
    contenders = [ours]
    for name, peer_argv in PEERS:
        if shutil.which(peer_argv[0]) is None:
            print(f"skipping {name}: not installed", file=sys.stderr)
            continue
        contenders.append(Contender(name, peer_argv))

    # Warm the page cache and write .pyc files once; cold start means a new
    # process, not a cold disk or a first run after an edit.
    for contender in contenders:
        time_once(contender.argv)
    for _ in range(args.runs):
        for contender in contenders:
            contender.times.append(time_once(contender.argv))

    print(f"cold start, median of {args.runs} runs (python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpus)")
    print(f"{'tool':<10} {'median ms':>10} {'min ms':>8} {'vs cidrkit':>11}  command")
    for contender in contenders:
        ratio = contender.median_ms / ours.median_ms
        print(
            f"{contender.name:<10} {contender.median_ms:>10.1f} "
            f"{min(contender.times) * 1000:>8.1f} {ratio:>10.2f}x  {shlex.join(contender.argv)}"
        )
    verdict = "meets" if ours.median_ms <= TARGET_MS else "misses"
    print(f"cidrkit {verdict} the {TARGET_MS:.0f} ms target ({ours.median_ms:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
