"""Audit two inventories of 500,000 prefixes each: time, peak memory, conflicts found.

The BGP table is split into two interleaved halves (odd and even lines) so
covering aggregates and their more-specifics land in different scopes: a
demanding, conflict-rich case. Each run is a fresh process (so its peak
memory is its own); the median of the runs is printed.

Two views side by side: the in-process figure (read and audit, no report)
and the whole command a user runs, ``cidrkit audit LEFT RIGHT --format F -o
FILE``, for every report format: wall time, CPU time, peak memory and the
size of the report. The object path (one Python object per record and per
conflict) runs as the peer of the in-process figure on a smaller slice, where
it finishes in reasonable time, and the ratio is printed.

    python bench/bench_audit.py [--runs 3] [--size 500000] [--peer-size 50000] [--render]
                                [--formats table,json,jsonl,sarif,markdown] [--expanded]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "bgp-ipv4.txt"


def measure(paths: list[str], columnar: bool, render: bool) -> dict[str, float]:
    """One run in this process: read, audit (and optionally render) ``paths``."""
    sys.path.insert(0, str(ROOT))
    from cidrkit.audit.engine import audit
    from cidrkit.audit.render import render_text
    from cidrkit.sources import read_inventory

    start = time.perf_counter()
    inventory = read_inventory(paths, columnar=columnar)
    middle = time.perf_counter()
    report = audit(inventory, columnar=columnar)
    end = time.perf_counter()
    result = {"read": middle - start, "audit": end - middle,
              "records": inventory.record_count, "conflicts": len(report.conflicts)}
    if render:
        result["render"] = time.perf_counter()
        text = render_text(report)
        result["render"] = time.perf_counter() - result["render"]
        result["lines"] = text.count("\n")
    result["peak_mib"] = peak_mib()
    return result


def peak_mib() -> float:
    """This process's peak resident memory in MiB.

    ``VmHWM`` starts afresh at exec; ``ru_maxrss`` would also count the
    parent's memory at fork time on Linux, so it is only the fallback.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(paths: list[str], columnar: bool, render: bool) -> dict[str, float]:
    """``measure`` in a fresh interpreter, so imports, caches and peak memory start clean."""
    argv = [sys.executable, __file__, "--child", *paths]
    if not columnar:
        argv.append("--objects")
    if render:
        argv.append("--render")
    done = subprocess.run(argv, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def write_halves(lines: list[str], folder: Path, name: str) -> list[str]:
    """Two list files holding the odd and the even lines."""
    left, right = folder / f"{name}-left.txt", folder / f"{name}-right.txt"
    left.write_text("\n".join(lines[0::2]) + "\n")
    right.write_text("\n".join(lines[1::2]) + "\n")
    return [str(left), str(right)]


def summarise(label: str, runs: list[dict[str, float]]) -> dict[str, float]:
    """Print and return the medians of ``runs``."""
    med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    total = med["read"] + med["audit"]
    print(f"{label}: records {int(med['records']):,}  conflicts {int(med['conflicts']):,}  "
          f"runs {len(runs)}")
    print(f"  read   median {med['read']:7.2f} s")
    print(f"  audit  median {med['audit']:7.2f} s")
    print(f"  total  median {total:7.2f} s")
    if "render" in med:
        print(f"  render median {med['render']:7.2f} s  ({int(med['lines']):,} lines of table "
              f"report; not part of the total)")
    highest = max(r["peak_mib"] for r in runs)
    print(f"  peak RSS median {med['peak_mib']:,.0f} MiB, max {highest:,.0f} MiB")
    med["total"] = total
    return med


#: Every report format, timed as a whole command; json2 is --format json --json-version 2.
FORMATS = ("table", "json", "json2", "jsonl", "sarif", "markdown")


def run_command(paths: list[str], fmt: str, out: Path, expanded: bool) -> dict[str, float]:
    """One whole ``cidrkit audit`` in a fresh process: wall and CPU seconds, peak MiB, bytes."""
    argv = [sys.executable, "-m", "cidrkit", "audit", *paths, "-o", str(out)]
    argv += ["--format", "json", "--json-version", "2"] if fmt == "json2" else ["--format", fmt]
    if expanded:
        argv.append("--all")
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    # wait4 gives this child's own usage; RUSAGE_CHILDREN would mix every run's peak.
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    stderr = child.stderr.read().decode() if child.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"cidrkit audit --format {fmt} failed with exit {code}: {stderr}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mib": usage.ru_maxrss / 1024, "bytes": out.stat().st_size}


def whole_commands(paths: list[str], folder: Path, formats: list[str], runs: int,
                   expanded: bool, in_process: float, label: str) -> None:
    """Print the whole-command medians of every format beside the in-process figure."""
    print(f"whole command, {label}: cidrkit audit LEFT RIGHT --format F -o FILE, "
          f"runs {runs}; in-process read + audit {in_process:.2f} s")
    print(f"  {'format':<14} {'wall':>8} {'cpu':>8} {'peak RSS':>10} {'report':>11}  "
          f"{'wall / in-process':>17}  target")
    cases = [(fmt, False) for fmt in formats] + ([("table", True)] if expanded else [])
    for fmt, expand in cases:
        results = [run_command(paths, fmt, folder / f"report.{fmt}", expand)
                   for _ in range(runs)]
        med = {key: statistics.median(r[key] for r in results) for key in results[0]}
        peak = max(r["peak_mib"] for r in results)
        met = med["wall"] < 10 and peak < 1024
        label = f"{fmt} --all" if expand else fmt
        print(f"  {label:<14} {med['wall']:7.2f}s {med['cpu']:7.2f}s {peak:7,.0f} MiB "
              f"{med['bytes'] / 2**20:7,.1f} MiB  {med['wall'] / in_process:16.1f}x  "
              f"{'met' if met else 'MISSED'} (< 10 s, < 1024 MiB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=500_000, help="prefixes per inventory")
    parser.add_argument("--peer-size", type=int, default=50_000,
                        help="prefixes per inventory for the object-path comparison (0: skip)")
    parser.add_argument("--render", action="store_true", help="also time the table report")
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help="report formats to time as whole commands ('' for none)")
    parser.add_argument("--expanded", action="store_true",
                        help="also time the table with --all (every conflict listed)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--objects", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, not args.objects, args.render)))
        return 0
    if not DATA.exists():
        print(f"skipped: {DATA} is absent", file=sys.stderr)
        return 0
    lines = DATA.read_text().splitlines()[: 2 * args.size]
    with tempfile.TemporaryDirectory() as tmp:
        big = write_halves(lines, Path(tmp), "full")
        small = write_halves(lines[: 2 * args.peer_size], Path(tmp), "peer")
        del lines
        full = summarise(f"columnar, 2 x {args.size:,}",
                         [run_child(big, True, args.render) for _ in range(args.runs)])
        print(f"  target: total < 10 s ({'met' if full['total'] < 10 else 'MISSED'}), "
              f"peak < 2048 MiB ({'met' if full['peak_mib'] < 2048 else 'MISSED'})")
        formats = [f for f in args.formats.split(",") if f]
        if formats or args.expanded:
            whole_commands(big, Path(tmp), formats, args.runs, args.expanded, full["total"],
                           f"2 x {args.size:,}")
        if args.peer_size:
            fast = summarise(f"columnar, 2 x {args.peer_size:,}",
                             [run_child(small, True, False) for _ in range(args.runs)])
            slow = summarise(f"objects,  2 x {args.peer_size:,}",
                             [run_child(small, False, False) for _ in range(args.runs)])
            print(f"object path / columnar at 2 x {args.peer_size:,}: "
                  f"read {slow['read'] / fast['read']:.1f}x, "
                  f"audit {slow['audit'] / fast['audit']:.1f}x, "
                  f"total {slow['total'] / fast['total']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
