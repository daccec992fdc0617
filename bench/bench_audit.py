"""Audit two inventories of 500,000 prefixes each: time, peak memory, conflicts found.

The BGP table is split into two interleaved halves (odd and even lines) so
covering aggregates and their more-specifics land in different scopes: a
demanding, conflict-rich case. Prints the median of several runs.

    python bench/bench_audit.py [--runs 3] [--size 500000]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "bgp-ipv4.txt"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=500_000)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} is absent", file=sys.stderr)
        return 0
    sys.path.insert(0, str(ROOT))
    from cidrkit.audit.engine import audit
    from cidrkit.sources import read_inventory

    lines = DATA.read_text().splitlines()[: 2 * args.size]
    with tempfile.TemporaryDirectory() as tmp:
        left, right = Path(tmp, "left.txt"), Path(tmp, "right.txt")
        left.write_text("\n".join(lines[0::2]) + "\n")
        right.write_text("\n".join(lines[1::2]) + "\n")
        read_times, audit_times = [], []
        conflicts = records = 0
        for _ in range(args.runs):
            start = time.perf_counter()
            inventory = read_inventory([str(left), str(right)])
            middle = time.perf_counter()
            report = audit(inventory)
            end = time.perf_counter()
            read_times.append(middle - start)
            audit_times.append(end - middle)
            conflicts, records = len(report.conflicts), len(inventory.records)
            del report, inventory
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    read_s, audit_s = statistics.median(read_times), statistics.median(audit_times)
    print(f"records {records:,}  conflicts {conflicts:,}  runs {args.runs}")
    print(f"read   median {read_s:6.2f} s")
    print(f"audit  median {audit_s:6.2f} s")
    print(f"total  median {read_s + audit_s:6.2f} s   (target < 10 s)")
    print(f"peak RSS {peak_mib:,.0f} MiB   (target < 2048 MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
