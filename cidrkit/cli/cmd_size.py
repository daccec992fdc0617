"""``cidrkit size``: the prefix that holds a demand, with the arithmetic shown."""

from __future__ import annotations

import argparse
from typing import Any

from cidrkit.cli.common import whole_number
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.core.text import family_bits
from cidrkit.core.usable import CLOUDS, cloud_reserved
from cidrkit.errors import ArgumentError, InputError

K8S_MODELS = ("eks", "gke", "aks-overlay", "azure-cni")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Size a subnet from a host count (cloud-reserved addresses and growth\n"
        "included), or a Kubernetes cluster's node, pod and service ranges with --k8s."
    )
    parser.add_argument("--hosts", type=whole_number(1), metavar="N", help="hosts to hold")
    parser.add_argument("--growth", default="0%", metavar="P",
                        help="extra demand to plan for, e.g. 50%% (default 0%%)")
    parser.add_argument("--cloud", choices=CLOUDS, default="none",
                        help=f"reserved addresses: {_reserved_by_cloud()} (default)")
    parser.add_argument("--ipv6", action="store_true", help="size an IPv6 block instead")
    k8s = parser.add_argument_group("Kubernetes (--k8s)")
    k8s.add_argument("--k8s", action="store_true", help="size a Kubernetes cluster")
    k8s.add_argument("--model", choices=K8S_MODELS, help="networking model")
    k8s.add_argument("--nodes", type=whole_number(1), metavar="N", help="node count")
    k8s.add_argument("--max-pods", type=whole_number(1), default=110, metavar="N",
                     help="max pods per node (default 110)")
    k8s.add_argument("--surge", type=whole_number(0), default=0, metavar="N",
                     help="extra nodes during upgrades (default 0)")
    k8s.add_argument("--services", type=whole_number(1), metavar="N",
                     help="service IPs wanted (default: the model's default range)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _reserved_by_cloud() -> str:
    """``aws/azure 5, gcp 4, none 0``: clouds grouped by what they reserve."""
    groups: dict[int, list[str]] = {}
    for cloud in CLOUDS:
        groups.setdefault(cloud_reserved(cloud), []).append(cloud)
    return ", ".join(f"{'/'.join(names)} {count}" for count, names in groups.items())


def run(args: argparse.Namespace, ctx: Context) -> int:
    from cidrkit.plan.sizing import parse_percent

    try:
        growth = parse_percent(args.growth)
    except ArgumentError as exc:
        raise InputError(f"--growth: {exc}") from None
    if args.k8s:
        return _cluster(args, growth, ctx)
    if args.hosts is None:
        raise InputError("give --hosts N (at least 1) or --k8s")
    from cidrkit.plan.profiles import PROFILES
    from cidrkit.plan.sizing import size_for_hosts

    bits = family_bits(6 if args.ipv6 else 4)
    sizing = size_for_hosts(args.hosts, growth, PROFILES[args.cloud], bits)
    if sizing.length is None:
        # The last step says why nothing fits; it is the error, not a result.
        raise InputError(f"--hosts {args.hosts:,}: {sizing.steps[-1]}")
    if args.json:
        _json(ctx, {
            "hosts": args.hosts, "growth": args.growth, "cloud": args.cloud,
            "need": sizing.need, "length": sizing.length, "usable": str(sizing.usable),
            "steps": sizing.steps,
        })
    else:
        ctx.stdout.write("".join(f"{step}\n" for step in sizing.steps))
        ctx.stdout.write(f"prefix: /{sizing.length}\n")
    return ExitCode.OK


def _cluster(args: argparse.Namespace, growth: Any, ctx: Context) -> int:
    from cidrkit.plan.k8s import size_cluster

    if args.model is None or args.nodes is None:
        raise InputError("--k8s needs --model and --nodes")
    demand = size_cluster(args.model, args.nodes, args.max_pods, args.surge,
                          args.services, growth)
    if args.json:
        _json(ctx, {
            "model": demand.model, "nodes": demand.nodes, "surge_nodes": demand.surge_nodes,
            "max_pods_per_node": demand.max_pods_per_node,
            "ranges": [
                {"role": r.role, "length": r.length, "need": r.need,
                 "in_network": r.in_network, "steps": r.steps}
                for r in demand.ranges
            ],
        })
        return ExitCode.OK
    for r in demand.ranges:
        where = "from the VPC/VNet" if r.in_network else "private, outside the VPC/VNet"
        ctx.stdout.write(f"{r.role}: /{r.length} ({where})\n")
        ctx.stdout.write("".join(f"  {step}\n" for step in r.steps))
    return ExitCode.OK


def _json(ctx: Context, data: dict[str, Any]) -> None:
    import json

    ctx.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
