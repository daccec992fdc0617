"""Discover an organisation of 3 accounts x 4 regions x 50 VPCs from moto's server on loopback.

Whole commands, timed as a user sees them: ``cidrkit discover aws
--organization`` (bounded concurrency, default 8), the same with
``--concurrency 1``, and the loop people write by hand with boto3 (accounts
and regions one after another, the same five describe calls per region).
Each is run ``--runs`` times in a fresh process; medians and ratios are
printed. The fake cloud answers in about a millisecond, so this measures
cidrkit's own overhead and how well it overlaps calls, not AWS's latency.

    python bench/bench_discover.py [--runs 3] [--vpcs 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2")

HAND_LOOP = """
import json, os, sys, boto3
out, role, regions, accounts = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4:]
base = boto3.session.Session()
home = base.client("sts").get_caller_identity()["Account"]
for account in accounts:
    session = base
    if account != home:
        c = base.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}",
                                           RoleSessionName="hand")["Credentials"]
        session = boto3.session.Session(aws_access_key_id=c["AccessKeyId"],
                                        aws_secret_access_key=c["SecretAccessKey"],
                                        aws_session_token=c["SessionToken"])
    for region in regions:
        ec2 = session.client("ec2", region_name=region)
        folder = os.path.join(out, account, region)
        os.makedirs(folder)
        for op, key in (("describe_vpcs", "Vpcs"), ("describe_subnets", "Subnets"),
                        ("describe_transit_gateway_attachments", "TransitGatewayAttachments"),
                        ("describe_transit_gateway_peering_attachments",
                         "TransitGatewayPeeringAttachments"),
                        ("describe_vpc_peering_connections", "VpcPeeringConnections")):
            items = [i for p in ec2.get_paginator(op).paginate() for i in p.get(key, [])]
            with open(os.path.join(folder, op + ".json"), "w") as f:
                json.dump({key: items}, f, indent=4, default=str)
"""


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv[:4]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vpcs", type=int, default=50, help="VPCs per account and region")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import logging

    from moto.server import ThreadedMotoServer

    from tests.discover.orgsim import ROLE, build_organisation

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint,
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    os.environ.update(env)
    start = time.perf_counter()
    org = build_organisation(endpoint, vpcs_per_scope=args.vpcs, regions=REGIONS)
    vpcs = sum(len(v) for v in org.vpcs.values())
    print(f"fake organisation: {len(org.discoverable)} accounts x {len(REGIONS)} regions, "
          f"{vpcs} VPCs, {2 * vpcs} subnets (built in {time.perf_counter() - start:.1f} s)")
    accounts = [a for account in org.discoverable for a in ("--account", account)]
    regions = [r for region in REGIONS for r in ("--region", region)]
    cidrkit = [sys.executable, "-m", "cidrkit", "discover", "aws", "--organization",
               "--role", ROLE, *accounts, *regions]
    commands = {
        "cidrkit discover (concurrency 8)": lambda out: [*cidrkit, "-o", out],
        "cidrkit discover --concurrency 1": lambda out: [*cidrkit, "-o", out,
                                                         "--concurrency", "1"],
        "hand-written boto3 loop (serial)": lambda out: [
            sys.executable, "-c", HAND_LOOP, out, ROLE, ",".join(REGIONS), *org.discoverable],
    }
    medians: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, make in commands.items():
            times = [timed(make(os.path.join(scratch, f"{len(medians)}-{n}")), env)
                     for n in range(args.runs)]
            medians[name] = statistics.median(times)
    server.stop()
    ours = medians["cidrkit discover (concurrency 8)"]
    print(f"{'command':<36} {'median s':>9} {'vs cidrkit':>11}")
    for name, value in medians.items():
        print(f"{name:<36} {value:>9.2f} {value / ours:>10.2f}x")


if __name__ == "__main__":
    main()
