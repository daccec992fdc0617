"""Audit two inventories of 500,000 prefixes each: time, peak memory, conflicts found.

The BGP table is split into two interleaved halves (odd and even lines) so
covering aggregates and their more-specifics land in different scopes: a
demanding, conflict-rich case. Each run is a fresh process (so its peak
memory is its own); the median of the runs is printed. The object path (one
Python object per record and per conflict) runs as the peer on a smaller
slice, where it finishes in reasonable time, and the ratio is printed.

    python bench/bench_audit.py [--runs 3] [--size 500000] [--peer-size 50000] [--render]
"""

from __future__ import annotations

import argparse
import json
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
    result = {
        "read": middle - start,
        "audit": end - middle,
        "records": inventory.record_count,
        "conflicts": len(report.conflicts),
    }
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
    print(
        f"{label}: records {int(med['records']):,}  conflicts {int(med['conflicts']):,}  "
        f"runs {len(runs)}"
    )
    print(f"  read   median {med['read']:7.2f} s")
    print(f"  audit  median {med['audit']:7.2f} s")
    print(f"  total  median {total:7.2f} s")
    if "render" in med:
        print(
            f"  render median {med['render']:7.2f} s  ({int(med['lines']):,} lines of table "
            f"report; not part of the total)"
        )
    highest = max(r["peak_mib"] for r in runs)
    print(f"  peak RSS median {med['peak_mib']:,.0f} MiB, max {highest:,.0f} MiB")
    med["total"] = total
    return med


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=500_000, help="prefixes per inventory")
    parser.add_argument(
        "--peer-size",
        type=int,
        default=50_000,
        help="prefixes per inventory for the object-path comparison (0: skip)",
    )
    parser.add_argument("--render", action="store_true", help="also time the table report")
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
        full = summarise(
            f"columnar, 2 x {args.size:,}",
            [run_child(big, True, args.render) for _ in range(args.runs)],
        )
        print(
            f"  target: total < 10 s ({'met' if full['total'] < 10 else 'MISSED'}), "
            f"peak < 2048 MiB ({'met' if full['peak_mib'] < 2048 else 'MISSED'})"
        )
        if args.peer_size:
            fast = summarise(
                f"columnar, 2 x {args.peer_size:,}",
                [run_child(small, True, False) for _ in range(args.runs)],
            )
            slow = summarise(
                f"objects,  2 x {args.peer_size:,}",
                [run_child(small, False, False) for _ in range(args.runs)],
            )
            print(
                f"object path / columnar at 2 x {args.peer_size:,}: "
                f"read {slow['read'] / fast['read']:.1f}x, "
                f"audit {slow['audit'] / fast['audit']:.1f}x, "
                f"total {slow['total'] / fast['total']:.1f}x"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
