"""Benchmark the planner: reading, first placement and locked re-planning.

Run: ``python bench/bench_plan.py [--quick]``. Prints medians of several runs
and, for flat placement of the same leaf sizes, ratios against peers: the
standard library ``ipaddress`` (largest-first packing, as Terraform's
``cidrsubnets`` users do by hand) and ``netaddr.IPSet`` best fit.
"""

from __future__ import annotations

import argparse
import ipaddress
import statistics
import time
from collections.abc import Callable
from typing import Any

from cidrkit.core.prefix import Prefix
from cidrkit.plan import allocate_plan, load_plan_text


def plan_text(regions: int, envs: int, azs: int, tiers: int, extra_env: bool = False) -> str:
    env_names = [f"e{i}" for i in range(envs)] + (["added"] if extra_env else [])
    lines = [
        "cloud: aws", "growth: 20%", "headroom: 10%",
        "pools:", "  - {name: v4, cidr: 10.0.0.0/8}", '  - {name: v6, cidr: "2001:db8::/32"}',
        "avoid: [{cidr: 10.0.0.0/16, note: legacy}]",
        "templates:", "  vpc:", "    kind: vpc", "    ipv6: /56", "    children:",
        '      "az-{az}":', f"        matrix: {{az: [{', '.join(str(a) for a in range(azs))}]}}",
        "        children:",
        *[f"          t{t}: {{hosts: {37 * (t + 1) ** 2}, ipv6: /64}}" for t in range(tiers)],
        "tree:", '  "{region}":',
        f"    matrix: {{region: [{', '.join(f'r{r}' for r in range(regions))}]}}",
        "    ipv6: /44", "    children:", '      "{env}":',
        f"        matrix: {{env: [{', '.join(env_names)}]}}", "        use: vpc",
    ]
    return "\n".join(lines) + "\n"


def median_time(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def stdlib_pack(sizes: list[int]) -> list[ipaddress.IPv4Network]:
    """Largest first, each right after the previous: what people do by hand."""
    cursor = int(ipaddress.IPv4Address("10.1.0.0"))
    out = []
    for length in sorted(sizes):
        out.append(ipaddress.IPv4Network((cursor, length)))
        cursor += 1 << (32 - length)
    return out


def netaddr_best_fit(sizes: list[int]) -> list[Any]:
    import netaddr

    free = netaddr.IPSet(["10.0.0.0/8"]) - netaddr.IPSet(["10.0.0.0/16"])
    out = []
    for length in sorted(sizes):
        block = min((c for c in free.iter_cidrs() if c.prefixlen <= length),
                    key=lambda c: (-c.prefixlen, c.value))
        chosen = netaddr.IPNetwork((block.value, length))
        free.remove(chosen)
        out.append(chosen)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller plans, fewer runs")
    args = parser.parse_args()
    runs = 3 if args.quick else 5
    shapes = [(3, 3, 3, 3), (10, 4, 3, 4)] if args.quick else [(3, 3, 3, 3), (10, 4, 3, 4),
                                                                 (30, 5, 3, 6)]
    print(f"{'plan':>22}  {'nodes':>6}  {'load+size':>10}  {'place':>8}  {'re-plan':>8}")
    for shape in shapes:
        text = plan_text(*shape)
        bigger = plan_text(*shape, extra_env=True)
        plan = load_plan_text(text)
        first = allocate_plan(plan)
        lock = first.lock()
        grown = load_plan_text(bigger)
        load_s = median_time(lambda: load_plan_text(text), runs)  # noqa: B023
        place_s = median_time(lambda: allocate_plan(plan), runs)  # noqa: B023
        replan_s = median_time(lambda: allocate_plan(grown, lock), runs)  # noqa: B023
        label = "x".join(str(n) for n in shape)
        print(f"{label:>22}  {len(list(plan.nodes())):>6}  {load_s * 1e3:>8.1f}ms  "
              f"{place_s * 1e3:>6.1f}ms  {replan_s * 1e3:>6.1f}ms")

    leaves = [length for length in range(20, 29) for _ in range(150)]
    print(f"\nflat placement of {len(leaves)} blocks (/20../28), median of {runs};"
          " ratio = peer time / cidrkit time:")
    flat = "\n".join(["pools: [{name: p, cidr: 10.0.0.0/8}]", "avoid: [10.0.0.0/16]", "tree:"]
                     + [f"  n{i}: {{prefix: /{n}}}" for i, n in enumerate(leaves)]) + "\n"
    flat_plan = load_plan_text(flat)
    ours = median_time(lambda: allocate_plan(flat_plan), runs)
    peers: dict[str, float] = {"stdlib ipaddress (pack)": median_time(
        lambda: stdlib_pack(leaves), runs)}
    try:
        peers["netaddr IPSet best fit"] = median_time(lambda: netaddr_best_fit(leaves), runs)
    except ImportError:
        print("  (netaddr not installed: pip install -e .[bench])")
    print(f"  {'cidrkit allocate_plan':<26} {ours * 1e3:>8.1f}ms  1.00x")
    for name, seconds in peers.items():
        print(f"  {name:<26} {seconds * 1e3:>8.1f}ms  {seconds / ours:.2f}x")
    check = allocate_plan(flat_plan).blocks
    assert all(Prefix.parse("10.0.0.0/8").contains(b) for b in check.values())


if __name__ == "__main__":
    main()
