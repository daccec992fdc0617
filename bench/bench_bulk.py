"""Bulk engine benchmark: cidrkit against ipaddress, netaddr, pytricia, py-radix, ipset_c.

Runs every tool in this one process on the real BGP tables and prints one
table: operation, n, the median time of each tool, and cidrkit's speed-up
over the fastest peer. Every tool starts from the same text (a list of
strings for the peers, the same lines as bytes for cidrkit), so parsing is
inside every timing except where the row says otherwise.

    python bench/bench_bulk.py [--quick] [--data DIR]

``--quick`` runs fewer repeats and times the slowest pure-Python peers on a
10% sample, scaled up linearly (marked ``~``; their real cost grows a little
faster than linearly, so the printed ratios are on the safe side).
"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cidrkit.bulk import (  # noqa: E402
    LpmTable,
    exclude,
    free_blocks,
    iter_prefix_text,
    merge,
    overlap_pairs,
    parse_address_text,
    parse_prefix_text,
)

PEERS = ["ipaddress", "netaddr", "pytricia", "py-radix", "ipset_c"]
Row = tuple[str, int, float, dict[str, str], float | None]


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    """Median wall time of ``repeats`` runs, with garbage collected between runs."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class Bench:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.repeats = 5 if quick else 9
        self.slow_repeats = 1 if quick else 3
        self.rows: list[Row] = []

    def run(
        self,
        name: str,
        n: int,
        ours: Callable[[], Any],
        peers: dict[str, tuple[Callable[[float], Callable[[], Any]], bool]],
    ) -> None:
        """Time cidrkit and each peer; ``peers[name] = (factory(fraction), slow)``."""
        mine = median_time(ours, self.repeats)
        cells: dict[str, str] = {}
        best: float | None = None
        for peer, (factory, slow) in peers.items():
            fraction = 0.1 if (slow and self.quick) else 1.0
            t = median_time(factory(fraction), self.slow_repeats if slow else self.repeats)
            t /= fraction
            cells[peer] = ("~" if fraction < 1 else "") + fmt(t)
            best = t if best is None else min(best, t)
        ratio = None if best is None else best / mine
        self.rows.append((name, n, mine, cells, ratio))
        print(f"  done: {name}", file=sys.stderr)

    def note(self, name: str, n: int, text: str) -> None:
        self.rows.append((name, n, float("nan"), {"ipaddress": text}, None))

    def print_table(self) -> None:
        header = ["operation", "n", "cidrkit", *PEERS, "vs fastest peer"]
        lines = [header]
        for name, n, mine, cells, ratio in self.rows:
            ours = fmt(mine) if mine == mine else "-"
            speed = f"{ratio:,.1f}x" if ratio is not None else ""
            lines.append([name, f"{n:,}", ours, *(cells.get(p, "") for p in PEERS), speed])
        widths = [max(len(r[i]) for r in lines) for i in range(len(header))]
        for row in lines:
            print(
                "  ".join(
                    c.ljust(w) if i == 0 else c.rjust(w)
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def sample(lines: list[str], fraction: float) -> list[str]:
    return lines[: max(1, int(len(lines) * fraction))]


def random_addresses(prefixes: list[str], bits: int, count: int, present: bool) -> list[str]:
    rng = random.Random(17)
    if not present:
        if bits == 32:
            values = np.random.default_rng(17).integers(0, 1 << 32, count, dtype=np.uint64)
            return [
                f"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}" for v in values.tolist()
            ]
        return [str(ipaddress.IPv6Address(rng.getrandbits(128))) for _ in range(count)]
    nets = [ipaddress.ip_network(p) for p in rng.sample(prefixes, min(count, 50_000))]
    out = []
    for i in range(count):
        net = nets[i % len(nets)]
        out.append(str(net.network_address + rng.randrange(min(net.num_addresses, 1 << 20))))
    return out


def family(bench: Bench, path: Path, bits: int, lookups: int) -> None:
    import netaddr
    import pytricia
    import radix
    from ipset_c import IPSet as CSet

    label = "IPv4" if bits == 32 else "IPv6"
    lines = path.read_text().split()
    random.Random(42).shuffle(lines)
    data = "\n".join(lines).encode()
    n = len(lines)
    parsed = parse_prefix_text(data).prefixes

    bench.run(
        f"{label} parse prefix text",
        n,
        lambda: parse_prefix_text(data),
        {
            "ipaddress": (
                lambda f: lambda: [ipaddress.ip_network(s) for s in sample(lines, f)],
                True,
            ),
            "netaddr": (lambda f: lambda: [netaddr.IPNetwork(s) for s in sample(lines, f)], True),
        },
    )
    bench.run(
        f"{label} merge (shuffled)",
        n,
        lambda: merge(parse_prefix_text(data).prefixes),
        {
            "ipaddress": (
                lambda f: (
                    lambda: list(
                        ipaddress.collapse_addresses(
                            cast(Any, ipaddress.ip_network(s)) for s in sample(lines, f)
                        )
                    )
                ),
                True,
            ),
            "netaddr": (lambda f: lambda: netaddr.cidr_merge(sample(lines, f)), True),
            "ipset_c": (lambda f: lambda: CSet(sample(lines, f)), False),
        },
    )
    nets = [ipaddress.ip_network(s) for s in lines]
    bench.run(
        f"{label} print prefix text",
        n,
        lambda: "".join(iter_prefix_text(parsed)),
        {
            "ipaddress": (
                lambda f: lambda: "".join(f"{x}\n" for x in nets[: max(1, int(n * f))]),
                True,
            ),
        },
    )
    removed = random.Random(7).sample(lines, 100_000)
    removed_data = "\n".join(removed).encode()
    bench.run(
        f"{label} exclude 100,000 of them",
        n,
        lambda: exclude(parse_prefix_text(data).prefixes, parse_prefix_text(removed_data).prefixes),
        {
            "netaddr": (
                lambda f: (
                    lambda: netaddr.IPSet(sample(lines, f)) - netaddr.IPSet(sample(removed, f))
                ),
                True,
            ),
            "ipset_c": (lambda f: lambda: CSet(lines) - CSet(removed), False),
        },
    )
    everything = "0.0.0.0/0" if bits == 32 else "::/0"
    whole = parse_prefix_text(everything.encode()).prefixes
    bench.run(
        f"{label} free blocks in {everything}",
        n,
        lambda: free_blocks(whole, parse_prefix_text(data).prefixes),
        {
            "netaddr": (
                lambda f: lambda: netaddr.IPSet([everything]) - netaddr.IPSet(sample(lines, f)),
                True,
            ),
            "ipset_c": (lambda f: lambda: CSet([everything]) - CSet(lines), False),
        },
    )

    # Longest-prefix match: trees and table built once, outside the timings.
    trie = pytricia.PyTricia(bits)
    rtree = radix.Radix()
    for i, s in enumerate(lines):
        trie[s] = i
        rtree.add(s).data["i"] = i
    table = LpmTable(parsed)
    for present in (True, False):
        addrs = random_addresses(lines, bits, lookups, present)
        text = "\n".join(addrs).encode()
        kind = "in the table" if present else "uniform"
        bench.run(
            f"{label} LPM of addresses {kind} (+parse)",
            lookups,
            _our_lookup(table, text),
            {
                "pytricia": (_peer_lookup(trie.get, addrs), True),
                "py-radix": (_peer_lookup(rtree.search_best, addrs), True),
            },
        )

    def walk(fraction: float) -> int:
        pairs = 0
        for s in sample(lines, fraction):
            parent = trie.parent(s)
            while parent is not None:
                pairs += 1
                parent = trie.parent(parent)
        return pairs

    bench.run(
        f"{label} all covering pairs ({len(overlap_pairs(parsed)):,})",
        n,
        lambda: overlap_pairs(parsed),
        {"pytricia": (lambda f: lambda: walk(f), True)},
    )
    bench.run(
        f"{label} LPM table build",
        n,
        lambda: LpmTable(parsed),
        {"pytricia": (lambda f: lambda: _trie(pytricia, bits, sample(lines, f)), True)},
    )
    gc.collect()
    tracemalloc.start()
    built = LpmTable(parsed)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    bench.note(
        f"{label} LPM build peak memory",
        n,
        f"peak {peak / 2**20:.1f} MiB, table {built.nbytes / 2**20:.1f} MiB",
    )


def _our_lookup(table: LpmTable, text: bytes) -> Callable[[], Any]:
    return lambda: table.lookup(parse_address_text(text).prefixes)


def _peer_lookup(
    find: Callable[[str], Any], addrs: list[str]
) -> Callable[[float], Callable[[], Any]]:
    return lambda fraction: lambda: [find(x) for x in sample(addrs, fraction)]


def _trie(pytricia: Any, bits: int, lines: list[str]) -> Any:
    trie = pytricia.PyTricia(bits)
    for i, s in enumerate(lines):
        trie[s] = i
    return trie


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats; slow peers on a sample"
    )
    parser.add_argument("--data", type=Path, default=ROOT / ".." / "shared" / "data")
    args = parser.parse_args()
    bench = Bench(args.quick)
    for name, bits in (("bgp-ipv4.txt", 32), ("bgp-ipv6.txt", 128)):
        path = args.data / name
        if not path.is_file():
            print(f"skipping {name}: not found in {args.data}", file=sys.stderr)
            continue
        family(bench, path, bits, 1_000_000)
    bench.print_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
