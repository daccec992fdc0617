"""``cidrkit nat``: public IPs and gateways needed before source NAT runs out of ports."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import finite_number, whole_number
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.errors import InputError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "How many public IPs and NAT gateways a fleet needs so source NAT never runs\n"
        "out of ports. Give the peak concurrent connections per client to the busiest\n"
        "destination (--connections), or a rate and hold time (--rate, --hold).\n"
        "Exit codes: 0 done, 1 the IPs given with --ips are not enough, 2 bad input."
    )
    parser.add_argument("--cloud", choices=("aws", "azure", "gcp"), required=True,
                        help="whose NAT gateway: its ports per IP and per-gateway limits")
    parser.add_argument("--clients", type=whole_number(1), required=True, metavar="N",
                        help="clients (VMs, pods with their own source IP) behind the NAT")
    parser.add_argument("--connections", type=whole_number(1), metavar="N",
                        help="peak concurrent connections per client to the busiest destination")
    parser.add_argument("--rate", type=finite_number(0), metavar="R",
                        help="new connections per second per client to that destination")
    parser.add_argument("--hold", type=finite_number(0), metavar="S",
                        help="seconds each connection holds its port (include any wait "
                             "after close)")
    parser.add_argument("--total-connections", type=whole_number(1), metavar="N",
                        help="peak concurrent connections per client to all destinations "
                             "(Azure's 64,512-port budget; default: --connections)")
    parser.add_argument("--min-ports-per-vm", type=whole_number(2), metavar="N",
                        help="GCP Cloud NAT ports per VM (default 64)")
    parser.add_argument("--ips", type=whole_number(1), metavar="N",
                        help="evaluate a deployment with N public IPs instead of sizing one")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from cidrkit.plan.nat import NatDemand, concurrency_from_rate, plan_nat

    if args.connections is not None:
        if args.rate is not None or args.hold is not None:
            raise InputError("give either --connections or --rate with --hold, not both")
        per_destination = args.connections
        derived = None
    elif args.rate is not None and args.hold is not None:
        per_destination = concurrency_from_rate(args.rate, args.hold)
        derived = (f"concurrent per client = {args.rate:g}/s × {args.hold:g} s"
                   f" = {per_destination:,} (Little's law)")
    else:
        raise InputError("give --connections, or both --rate and --hold")
    if per_destination < 1:
        raise InputError(
            f"--rate × --hold is {args.rate:g} × {args.hold:g} = 0 concurrent connections; "
            "nothing to size"
        )
    result = plan_nat(
        args.cloud,
        NatDemand(args.clients, per_destination, args.total_connections),
        min_ports_per_vm=args.min_ports_per_vm,
        existing_ips=args.ips,
    )
    steps = ([derived] if derived else []) + result.steps
    if args.json:
        import json

        body = result.as_dict()
        body["steps"] = steps
        ctx.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    else:
        ctx.stdout.write("".join(f"{step}\n" for step in steps))
        ctx.stdout.write(f"public IPs: {result.ips}\ngateways: {result.gateways}\n")
        if result.ports_per_vm is not None:
            ctx.stdout.write(f"min ports per VM: {result.ports_per_vm}\n")
        ctx.stdout.write(f"headroom: {result.headroom:.1%}\n")
    for warning in result.warnings:
        ctx.warn(warning)
    return ExitCode.FALSE if result.warnings and args.ips is not None else ExitCode.OK
