"""Whole commands against their peers, as a user runs them: one process each, side by side.

Every row runs ``cidrkit`` and the best peer tool or script on the same
generated input, interleaved (so machine noise hits both alike), several
times; it prints the medians, the peak memory of each process, the ratio
(peer time / cidrkit time: above 1 is faster than the peer) and whether the
outputs are byte-identical. Inputs come from ``bench/workloads.py``: the
real BGP tables of ``../shared/data`` (shuffled), a generated 1M-line Apache
combined log, 2,000 grep prefixes, 10M random prefixes.

Usage::

    python bench/bench_commands.py [--runs 5] [--only WORD ...] [--skip-big] [--dir DIR]

Each process is started from a small launcher (``launch.py``), so its peak
memory is its own, not the size this script has grown to.

After the table it checks the start-up goals (``contains`` under 40 ms,
``lookup`` from a saved table under 50 ms; medians of at least 11 runs) and
the memory bound of ``lookup`` and ``grep`` (peak resident memory past the
saved table under 256 MiB, with the input given once and four times over).

Peers: grepcidr (``apt-get install grepcidr``), and pytricia and ipset_c
scripts in ``bench/peers/`` (``pip install -e '.[bench]'``). A peer that is
missing is reported and its row runs cidrkit alone.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workloads

import cidrkit

PEERS = Path(__file__).resolve().parent / "peers"
LAUNCH = Path(__file__).resolve().parent / "launch.py"


@dataclass
class Run:
    seconds: list[float] = field(default_factory=list)
    # User plus system CPU time: on a shared machine it moves far less with the load than wall time.
    cpu: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)
    digest: str = ""
    lines: int = 0


@dataclass
class Row:
    job: str
    ours: list[str]
    peer_name: str
    peer: list[str] | None
    input_bytes: int = 0
    prepare: Callable[[], None] | None = None
    # Run cidrkit once first, untimed (a saved table is built by that run).
    warm: bool = False
    # The peer prints the same findings in its own words: compare the counts of lines.
    same_count_only: bool = False


def measure(argv: list[str], out_path: Path) -> tuple[float, int]:
    """Wall time and peak resident memory (KiB) of one process writing to ``out_path``."""
    elapsed, _, peak = measure_cpu(argv, out_path)
    return elapsed, peak


def measure_cpu(argv: list[str], out_path: Path) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system) and peak resident memory (KiB) of one process.

    The process is started by ``launch.py``, a small process of its own: forked
    from this one, its peak would include whatever this process holds (the
    inputs it has just generated, for one); see ``launch.py``.
    """
    report = out_path.with_name(out_path.name + ".usage")
    with out_path.open("wb") as out:
        subprocess.run([sys.executable, "-S", "-E", str(LAUNCH), str(report), *argv],
                       stdout=out, stderr=subprocess.DEVNULL, check=True)
    elapsed, cpu, peak, code = report.read_text().split()
    if int(code) not in (0, 1):
        raise SystemExit(f"{argv[0]} failed ({code}): {' '.join(argv)}")
    return float(elapsed), float(cpu), int(peak)


def launch_floor_kib(scratch: Path) -> int:
    """The peak a command that does nothing shows: no figure reads below it."""
    true = shutil.which("true") or "/bin/true"
    return min(measure_cpu([true], scratch / "floor.out")[2] for _ in range(3))


def digest(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    lines = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            sha.update(block)
            lines += block.count(b"\n")
    return sha.hexdigest(), lines


def run_row(row: Row, runs: int, scratch: Path) -> tuple[Run, Run | None]:
    ours, theirs = Run(), (Run() if row.peer else None)
    if row.warm:
        measure(row.ours, scratch / "ours.out")
    for _ in range(runs):
        if row.prepare:
            row.prepare()
        t, cpu, peak = measure_cpu(row.ours, scratch / "ours.out")
        ours.seconds.append(t)
        ours.cpu.append(cpu)
        ours.peak_kib.append(peak)
        if row.peer and theirs is not None:
            t, cpu, peak = measure_cpu(row.peer, scratch / "peer.out")
            theirs.seconds.append(t)
            theirs.cpu.append(cpu)
            theirs.peak_kib.append(peak)
    ours.digest, ours.lines = digest(scratch / "ours.out")
    if theirs is not None:
        theirs.digest, theirs.lines = digest(scratch / "peer.out")
    return ours, theirs


def fmt_time(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def rows(folder: Path, skip_big: bool) -> list[Row]:
    ck = [str(Path(sys.executable).with_name("cidrkit"))]
    py = [sys.executable]
    grepcidr = shutil.which("grepcidr")
    v4 = workloads.shuffled_table(folder, "bgp-ipv4.txt")
    v6 = workloads.shuffled_table(folder, "bgp-ipv6.txt")
    v6_some = workloads.sample_table(folder, "bgp-ipv6.txt", 100_000)
    log_v4 = workloads.access_log(folder, 1_000_000, 0.0)
    log_v6 = workloads.access_log(folder, 1_000_000, 1.0)
    log_mixed = workloads.access_log(folder, 1_000_000, 0.2)
    patterns = workloads.grep_patterns(folder, 2_000)
    # Lookup tables in the scratch folder: their saved forms go beside them.
    table_v4 = folder / "table-ipv4.txt"
    table_v6 = folder / "table-ipv6.txt"
    for source, table in ((v4, table_v4), (v6, table_v6)):
        if not table.exists():
            shutil.copyfile(source, table)
    saved_v4 = folder / f".{table_v4.name}.cidrkit-lpm"
    saved_v6 = folder / f".{table_v6.name}.cidrkit-lpm"

    def setops(job: str, *paths: Path) -> list[str]:
        return [*py, str(PEERS / "ipset_c_setops.py"), job, *map(str, paths)]

    def lookup_peer(table: Path, log: Path) -> list[str]:
        return [*py, str(PEERS / "pytricia_lookup.py"), str(table), str(log)]

    def grep_peer(log: Path) -> list[str] | None:
        return [grepcidr, "-f", str(patterns), str(log)] if grepcidr else None

    def size(path: Path) -> int:
        return path.stat().st_size

    table = [
        Row("merge full IPv4 table, shuffled", [*ck, "merge", str(v4)], "ipset_c script",
            setops("merge", v4)),
        Row("merge full IPv6 table, shuffled", [*ck, "merge", str(v6)], "ipset_c script",
            setops("merge", v6)),
        Row("exclude IPv6 (100k of them)", [*ck, "exclude", str(v6), "--minus", str(v6_some)],
            "ipset_c script", setops("exclude", v6, v6_some)),
        Row("intersect IPv6 (100k of them)", [*ck, "intersect", str(v6), "--with", str(v6_some)],
            "ipset_c script", setops("intersect", v6, v6_some)),
        Row("overlaps IPv4 full table", [*ck, "overlaps", str(v4)], "pytricia parent walk",
            [*py, str(PEERS / "pytricia_overlaps.py"), str(v4)], same_count_only=True),
        Row("overlaps IPv6 full table", [*ck, "overlaps", str(v6)], "pytricia parent walk",
            [*py, str(PEERS / "pytricia_overlaps.py"), str(v6)], same_count_only=True),
        Row("lookup IPv4 table, 1M-line log, table built", [*ck, "lookup", "--table",
            str(table_v4), str(log_v4)], "pytricia script", lookup_peer(table_v4, log_v4),
            size(log_v4), prepare=lambda: saved_v4.unlink(missing_ok=True)),
        Row("lookup IPv4 table, 1M-line log, table saved", [*ck, "lookup", "--table",
            str(table_v4), str(log_v4)], "pytricia script", lookup_peer(table_v4, log_v4),
            size(log_v4), warm=True),
        Row("lookup IPv6 table, 1M-line log, table built", [*ck, "lookup", "--table",
            str(table_v6), str(log_v6)], "pytricia script", lookup_peer(table_v6, log_v6),
            size(log_v6), prepare=lambda: saved_v6.unlink(missing_ok=True)),
        Row("lookup IPv6 table, 1M-line log, table saved", [*ck, "lookup", "--table",
            str(table_v6), str(log_v6)], "pytricia script", lookup_peer(table_v6, log_v6),
            size(log_v6), warm=True),
        Row("lookup start: saved IPv4 table, 1 line", [*ck, "lookup", "--table", str(table_v4),
            str(PEERS / "one-address.txt")], "cidrkit contains",
            [*ck, "contains", "10.0.0.0/8", "10.0.0.1"], warm=True),
        Row("grep -f 2,000 prefixes, IPv4 log", [*ck, "grep", "-f", str(patterns), str(log_v4)],
            "grepcidr", grep_peer(log_v4), size(log_v4)),
        Row("grep -f 2,000 prefixes, IPv6 log", [*ck, "grep", "-f", str(patterns), str(log_v6)],
            "grepcidr", grep_peer(log_v6), size(log_v6)),
        Row("grep -f 2,000 prefixes, mixed log", [*ck, "grep", "-f", str(patterns),
            str(log_mixed)], "grepcidr", grep_peer(log_mixed), size(log_mixed)),
    ]
    if not skip_big:
        big_v4 = workloads.random_prefixes(folder, 10_000_000, 32)
        big_v6 = workloads.random_prefixes(folder, 10_000_000, 128)
        table += [
            Row("merge 10M random IPv4 prefixes", [*ck, "merge", str(big_v4)], "ipset_c script",
                setops("merge", big_v4), size(big_v4)),
            Row("merge 10M random IPv6 prefixes", [*ck, "merge", str(big_v6)], "ipset_c script",
                setops("merge", big_v6), size(big_v6)),
        ]
    return table


@dataclass
class Bound:
    """A figure the issue sets a limit on, measured here and printed with its verdict."""

    what: str
    argv: list[str]
    # "start": median wall time against `limit` ms; "memory": peak resident
    # memory past `baseline` (a file the process maps, e.g. the saved table) against `limit` MiB.
    kind: str
    limit: float
    baseline: Path | None = None
    input_bytes: int = 0


def bounds(folder: Path) -> list[Bound]:
    """Start-up times and the memory bound of the streaming commands at 1x and 4x input."""
    ck = [str(Path(sys.executable).with_name("cidrkit"))]
    table_v4 = folder / "table-ipv4.txt"
    saved_v4 = folder / f".{table_v4.name}.cidrkit-lpm"
    log_mixed = workloads.access_log(folder, 1_000_000, 0.2)
    patterns = workloads.grep_patterns(folder, 2_000)
    one = str(PEERS / "one-address.txt")
    size = log_mixed.stat().st_size
    checks = [
        Bound("contains cold start", [*ck, "contains", "10.0.0.0/8", "10.0.0.1"], "start", 40),
        Bound("lookup start: saved IPv4 table, 1 line", [*ck, "lookup", "--table", str(table_v4),
              one], "start", 50),
    ]
    for times in (1, 4):
        logs = [str(log_mixed)] * times
        checks += [
            Bound(f"lookup memory, saved IPv4 table, mixed log x{times}", [*ck, "lookup",
                  "--table", str(table_v4), *logs], "memory", 256, saved_v4, size * times),
            Bound(f"grep memory, 2,000 prefixes, mixed log x{times}", [*ck, "grep", "-f",
                  str(patterns), *logs], "memory", 256, None, size * times),
        ]
    return checks


def run_bound(check: Bound, runs: int, scratch: Path) -> str:
    measure(check.argv, scratch / "ours.out")  # warm: builds a saved table, fills the cache
    times, cpus, peaks = [], [], []
    for _ in range(runs if check.kind == "memory" else max(runs, 11)):
        t, cpu, peak = measure_cpu(check.argv, scratch / "ours.out")
        times.append(t)
        cpus.append(cpu)
        peaks.append(peak)
    if check.kind == "start":
        median_ms = statistics.median(times) * 1000
        verdict = "under" if median_ms < check.limit else "OVER"
        cpu_ms = statistics.median(cpus) * 1000
        return (f"{check.what:<52} median {median_ms:6.1f} ms (min {min(times) * 1000:.1f}, "
                f"CPU {cpu_ms:.1f}) {verdict} the {check.limit:.0f} ms goal")
    baseline = check.baseline.stat().st_size / 2**20 if check.baseline else 0.0
    past = max(peaks) / 1024 - baseline
    verdict = "under" if past < check.limit else "OVER"
    return (f"{check.what:<52} input {check.input_bytes / 1e6:6,.0f} MB, peak "
            f"{max(peaks) / 1024:5.0f} MiB, past the table {past:5.0f} MiB: {verdict} "
            f"the {check.limit:.0f} MiB bound")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", action="append", help="run the rows whose job contains this "
                        "word; may be repeated ('bounds': only the start-up and memory checks)")
    parser.add_argument("--skip-big", action="store_true", help="skip the 10M-prefix rows")
    parser.add_argument("--dir", help="where inputs are generated and kept")
    args = parser.parse_args()
    folder = workloads.work_dir(args.dir)
    # Bytecode as an install leaves it: a machine that sets PYTHONDONTWRITEBYTECODE
    # would otherwise compile cidrkit's sources again in every measured process.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(cidrkit.__file__).parent)],
                   check=True, stdout=subprocess.DEVNULL)
    print(f"load average before: {os.getloadavg()}; runs: {args.runs}; inputs in {folder}")
    print("ratio: peer wall time / cidrkit wall time (medians); cpu r.: the same for CPU time "
          "(user + system), which a loaded machine moves far less")
    print(f"peak: each process's own peak resident memory; a process that does nothing shows "
          f"{launch_floor_kib(folder) / 1024:.1f} MB, so no figure reads below that")
    header = (f"{'job':<46} {'cidrkit':>9} {'peak':>8} {'MB/s':>6}  {'peer':<22} {'peer':>9} "
              f"{'peak':>8} {'ratio':>6} {'cpu r.':>7}  output")
    print(header)
    print("-" * len(header))
    for row in rows(folder, args.skip_big):
        if args.only and not any(word in row.job for word in args.only):
            continue
        ours, theirs = run_row(row, args.runs, folder)
        mine = statistics.median(ours.seconds)
        rate = f"{row.input_bytes / mine / 1e6:,.0f}" if row.input_bytes else "-"
        line = (f"{row.job:<46} {fmt_time(mine):>9} {max(ours.peak_kib) / 1024:>6.0f}MB "
                f"{rate:>6}  {row.peer_name:<22} ")
        if theirs is None:
            line += f"{'(not installed)':>9}"
        else:
            peer = statistics.median(theirs.seconds)
            if row.same_count_only:
                same = (f"({ours.lines:,} pairs each)" if ours.lines == theirs.lines
                        else f"differs ({ours.lines:,} vs {theirs.lines:,} pairs)")
            else:
                same = "identical" if ours.digest == theirs.digest else (
                    f"differs ({ours.lines:,} vs {theirs.lines:,} lines)")
            cpu_ratio = statistics.median(theirs.cpu) / statistics.median(ours.cpu)
            line += (f"{fmt_time(peer):>9} {max(theirs.peak_kib) / 1024:>6.0f}MB "
                     f"{peer / mine:>5.2f}x {cpu_ratio:>6.2f}x  {same}")
        print(line, flush=True)
    if not args.only or "bounds" in args.only:
        print("\nStart-up (median wall time of whole processes) and the memory bound of the "
              "streaming commands (peak resident memory, the same at 1x and 4x input):")
        for check in bounds(folder):
            print(run_bound(check, args.runs, folder), flush=True)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
