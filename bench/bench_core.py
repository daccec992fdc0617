"""Single-item core operations beside the standard library's ``ipaddress``.

Each operation is timed with ``timeit`` for every library: the loop count is
calibrated once to about 0.2 s, then the median of several repeats is taken.
The table shows nanoseconds per operation and the ratio to ``ipaddress``
(below 1.00x is faster). ``netaddr`` is shown too when it is installed (the
``bench`` extra).

Usage::

    python bench/bench_core.py [--repeat 7] [--only parse]
"""

from __future__ import annotations

import argparse
import ipaddress
import statistics
import sys
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cidrkit.core import Addr, IPSet, Prefix, Range

try:
    import netaddr
except ImportError:  # the bench extra is optional
    netaddr = None

V4_NET, V4_ADDR, V4_OTHER = "10.20.0.0/16", "10.20.14.5", "10.20.128.0/17"
V6_NET, V6_ADDR, V6_OTHER = "2001:db8:1200::/40", "2001:db8:1234::1", "2001:db8:12ff::/48"


@dataclass
class Case:
    """One operation, done the idiomatic way in each library (None: not offered)."""

    name: str
    ours: Callable[[], Any]
    stdlib: Callable[[], Any]
    netaddr: Callable[[], Any] | None = None


def family_cases(family: str, net_text: str, addr_text: str, other_text: str) -> list[Case]:
    """The single-item cases for one family's sample values."""
    ours_net, ours_addr = Prefix.parse(net_text), Addr.parse(addr_text)
    ours_other = Prefix.parse(other_text)
    std_net, std_addr = ipaddress.ip_network(net_text), ipaddress.ip_address(addr_text)
    std_other = ipaddress.ip_network(other_text)
    split = std_net.prefixlen + 8
    have_netaddr = netaddr is not None
    if have_netaddr:
        na_net, na_addr = netaddr.IPNetwork(net_text), netaddr.IPAddress(addr_text)
        na_other = netaddr.IPNetwork(other_text)

    def peer(fn: Callable[[], Any]) -> Callable[[], Any] | None:
        return fn if have_netaddr else None

    return [
        Case(f"parse address {family}", lambda: Addr.parse(addr_text),
             lambda: ipaddress.ip_address(addr_text),
             peer(lambda: netaddr.IPAddress(addr_text))),
        Case(f"parse prefix {family}", lambda: Prefix.parse(net_text),
             lambda: ipaddress.ip_network(net_text),
             peer(lambda: netaddr.IPNetwork(net_text))),
        Case(f"contains addr {family}", lambda: ours_addr in ours_net,
             lambda: std_addr in std_net, peer(lambda: na_addr in na_net)),
        Case(f"subnet_of {family}", lambda: ours_net.contains(ours_other),
             lambda: std_other.subnet_of(std_net),  # type: ignore[arg-type]
             peer(lambda: na_other in na_net)),
        Case(f"overlaps {family}", lambda: ours_net.overlaps(ours_other),
             lambda: std_net.overlaps(std_other),
             None),
        Case(f"subnets 256 {family}", lambda: sum(1 for _ in ours_net.subnets(split)),
             lambda: sum(1 for _ in std_net.subnets(new_prefix=split)),
             peer(lambda: sum(1 for _ in na_net.subnet(split)))),
        Case(f"str address {family}", lambda: str(ours_addr), lambda: str(std_addr),
             peer(lambda: str(na_addr))),
        Case(f"str prefix {family}", lambda: str(ours_net), lambda: str(std_net),
             peer(lambda: str(na_net))),
    ]


def build_cases() -> list[Case]:
    cases = family_cases("v4", V4_NET, V4_ADDR, V4_OTHER)
    cases += family_cases("v6", V6_NET, V6_ADDR, V6_OTHER)
    first, last = "10.0.0.1", "10.0.255.254"
    std_first, std_last = ipaddress.IPv4Address(first), ipaddress.IPv4Address(last)
    cases.append(Case(
        "range to prefixes v4",
        lambda: Range.parse(f"{first}-{last}").to_prefixes(),
        lambda: list(ipaddress.summarize_address_range(std_first, std_last)),
        (lambda: netaddr.iprange_to_cidrs(first, last)) if netaddr is not None else None,
    ))
    blocks = [f"10.{i // 256}.{i % 256}.0/24" for i in range(0, 512, 2)]
    ours_blocks = [Prefix.parse(b) for b in blocks]
    std_blocks = [ipaddress.IPv4Network(b) for b in blocks]
    na_blocks = [netaddr.IPNetwork(b) for b in blocks] if netaddr is not None else []
    cases.append(Case(
        "collapse 256 /24",
        lambda: list(IPSet(ours_blocks).prefixes()),
        lambda: list(ipaddress.collapse_addresses(std_blocks)),
        (lambda: netaddr.cidr_merge(na_blocks)) if netaddr is not None else None,
    ))
    return cases


def median_ns(fn: Callable[[], Any], repeat: int) -> float:
    """Median nanoseconds per call over ``repeat`` timed loops."""
    timer = timeit.Timer(fn)
    loops, _ = timer.autorange()
    loops = max(1, loops)
    runs = timer.repeat(repeat=repeat, number=loops)
    return statistics.median(runs) / loops * 1e9


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="core operations vs ipaddress")
    parser.add_argument("--repeat", type=int, default=7, help="timed repeats (default 7)")
    parser.add_argument("--only", help="run only cases whose name contains this")
    args = parser.parse_args(argv)

    cases = [c for c in build_cases() if not args.only or args.only in c.name]
    for case in cases:  # the same answer from each library, or the table lies
        answers = [case.ours(), case.stdlib()]
        if case.netaddr is not None:
            answers.append(case.netaddr())
        texts = [[str(x) for x in a] if isinstance(a, list) else str(a) for a in answers]
        assert all(t == texts[0] for t in texts), f"{case.name}: {texts}"

    header = f"{'operation':<22} {'cidrkit ns':>11} {'ipaddress ns':>13} {'ratio':>7}"
    if netaddr is not None:
        header += f" {'netaddr ns':>11} {'ratio':>7}"
    print(f"median of {args.repeat} repeats, python {sys.version.split()[0]}; "
          "ratio = time / ipaddress time")
    print(header)
    for case in cases:
        ours_ns = median_ns(case.ours, args.repeat)
        std_ns = median_ns(case.stdlib, args.repeat)
        line = f"{case.name:<22} {ours_ns:>11.0f} {std_ns:>13.0f} {ours_ns / std_ns:>6.2f}x"
        if netaddr is not None:
            if case.netaddr is None:
                line += f" {'-':>11} {'-':>7}"
            else:
                na_ns = median_ns(case.netaddr, args.repeat)
                line += f" {na_ns:>11.0f} {na_ns / std_ns:>6.2f}x"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
