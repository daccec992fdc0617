"""``cidrkit discover``: read a cloud's APIs and write the exports the audit reads."""

from __future__ import annotations

import argparse

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn

    from cidrkit.discover.model import Discovery, ScopeResult

PROVIDERS = ("aws", "azure", "gcp")

_ONLY = {
    "aws": ("region", "organization", "account", "role", "external_id", "profile",
            "max_attempts"),
    "azure": ("subscription",),
    "gcp": ("project",),
}
_NOUNS = {"ec2:DescribeVpcs": "VPCs", "ec2:DescribeSubnets": "subnets",
          "resourcegraph:Resources": "VNets", "compute:subnetworks.aggregatedList": "subnetworks"}
_DEFAULTS = {"region": [], "organization": False, "account": [], "role": "CidrkitDiscovery",
             "external_id": None, "profile": None, "max_attempts": 8, "subscription": [],
             "project": [], "endpoint": None}


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def configure(parser: argparse.ArgumentParser, *, output: bool = True) -> None:
    parser.description = (
        "Read VPCs/VNets/subnetworks from a cloud's API and write them as the export files\n"
        "'cidrkit audit' reads (aws ec2 describe-*, az network vnet list, gcloud ... subnets\n"
        "list), with .discovery.json (provenance: API call, account, region, time) and, for\n"
        "AWS, .connections.yaml (transit gateways and peerings) for 'audit --connections'.\n"
        "Credentials come from each SDK's normal chain; SDKs: pip install 'cidrkit[aws]'.\n"
        "Exit codes: 0 every scope read, 2 bad usage or no usable credentials,\n"
        "3 partial: some scopes (accounts, regions, projects) failed; each is listed."
    )
    parser.add_argument("provider", choices=PROVIDERS, metavar="PROVIDER",
                        help="the cloud to read: aws, azure or gcp")
    if output:
        parser.add_argument("-o", "--output", metavar="DIR", required=True,
                            help="new or empty folder to write into")
    parser.add_argument("--concurrency", type=_positive, default=8, metavar="N",
                        help="scopes read at once (default: 8)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar on a terminal")
    if output:
        parser.add_argument("--json", action="store_true",
                            help="print the outcome as JSON (what .discovery.json holds) "
                                 "instead of one line per scope")
    aws = parser.add_argument_group("AWS")
    aws.add_argument("--region", action="append", metavar="REGION",
                     help="read only this region (repeatable; default: every enabled region)")
    aws.add_argument("--organization", action="store_true",
                     help="every account of the organisation (organizations:ListAccounts), "
                          "entered with sts:AssumeRole of --role")
    aws.add_argument("--account", action="append", metavar="ID",
                     help="only this account (repeatable); without --organization, the "
                          "accounts to enter with --role")
    aws.add_argument("--role", metavar="NAME", help="role to assume in each other account "
                                                    "(default: CidrkitDiscovery)")
    aws.add_argument("--external-id", metavar="TEXT", help="ExternalId for AssumeRole")
    aws.add_argument("--profile", metavar="NAME", help="AWS profile of the SDK's config")
    aws.add_argument("--max-attempts", type=_positive, metavar="N",
                     help="tries per API call on throttling and transient errors, with "
                          "exponential backoff (default: 8)")
    azure = parser.add_argument_group("Azure")
    azure.add_argument("--subscription", action="append", metavar="ID",
                       help="subscription to query (repeatable; default: every subscription "
                            "the credential sees)")
    gcp = parser.add_argument_group("GCP")
    gcp.add_argument("--project", action="append", metavar="ID",
                     help="project to read (repeatable, required)")
    parser.add_argument("--endpoint", metavar="URL",
                        help="Azure or GCP API endpoint (sovereign clouds, private endpoints)")


def check_options(args: argparse.Namespace) -> None:
    """Reject options of another provider; fill in defaults. Raises InputError."""
    from cidrkit.errors import InputError

    for provider, names in _ONLY.items():
        if provider == args.provider:
            continue
        for name in names:
            if getattr(args, name) not in (None, False):
                flag = "--" + name.replace("_", "-")
                raise InputError(f"{flag} applies to 'discover {provider}' only")
    if args.provider == "aws" and args.endpoint:
        raise InputError("--endpoint applies to azure and gcp; AWS reads AWS_ENDPOINT_URL "
                         "and its config like every AWS SDK")
    if args.provider == "gcp" and not args.project:
        raise InputError("discover gcp needs at least one --project")
    for name, default in _DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, list(default) if isinstance(default, list) else default)


def discover(args: argparse.Namespace, out_dir: str, ctx: Context) -> Discovery:
    """Run the discovery ``args`` describe into ``out_dir``; return the ``Discovery``."""
    progress = _ProgressBar(ctx) if not args.quiet and ctx.is_terminal(ctx.stderr) else None
    try:
        if args.provider == "aws":
            from cidrkit.discover.aws import AwsOptions, discover_aws

            options = AwsOptions(tuple(args.region), args.organization, tuple(args.account),
                                 args.role, args.external_id, args.profile, args.concurrency,
                                 args.max_attempts)
            return discover_aws(out_dir, options, progress)
        if args.provider == "azure":
            from cidrkit.discover.azure import discover_azure

            return discover_azure(out_dir, tuple(args.subscription), args.endpoint)
        from cidrkit.discover.gcp import discover_gcp

        return discover_gcp(out_dir, tuple(args.project), args.endpoint, args.concurrency,
                            progress)
    finally:
        if progress is not None:
            progress.clear()


def summarise(run: Discovery, ctx: Context, as_json: bool = False) -> int:
    """Print one line per scope (or JSON) to stdout, the partial note to stderr.

    Returns the exit code.
    """
    if as_json:
        import json

        from cidrkit.discover.writer import manifest

        ctx.stdout.write(json.dumps(manifest(run), indent=2) + "\n")
    else:
        ctx.stdout.writelines(_scope_line(result) for result in run.results)
    extras = ".discovery.json" + (f", {run.connections_file}" if run.connections_file else "")
    files = sum(len(r.files) for r in run.results)
    ctx.stderr.write(f"cidrkit: wrote {files} files to {run.out_dir} (and {extras})\n")
    if run.partial:
        ctx.stderr.write(f"cidrkit: discovery was partial: {len(run.failed)} of "
                         f"{len(run.results)} scopes failed\n")
        return ExitCode.PARTIAL
    return ExitCode.OK


def _scope_line(result: ScopeResult) -> str:
    name = f" ({result.account_name})" if result.account_name else ""
    region = f" {result.region}" if result.region else ""
    head = f"{result.provider} {result.account or '-'}{name}{region}"
    if result.status == "ok":
        counts = ", ".join(f"{f.items} {_NOUNS.get(f.api, f.api)}" for f in result.files)
        return f"{head}: ok ({counts})\n"
    return f"{head}: {result.status}: {result.error}\n"


def run(args: argparse.Namespace, ctx: Context) -> int:
    check_options(args)
    return summarise(discover(args, args.output, ctx), ctx, args.json)


class _WordsParser(argparse.ArgumentParser):
    """Parses ``audit --discover 'aws --organization'``; errors name the option they came from."""

    def error(self, message: str) -> NoReturn:
        from cidrkit.errors import InputError

        raise InputError(f"--discover {self.words!r}: {message}")

    words = ""


def audit_discovered(args: argparse.Namespace, ctx: Context,
                     audit_paths: Callable[[argparse.Namespace, Context, list[str]], int]) -> int:
    """``audit --discover``: discover into a temporary folder, audit it with the given paths.

    The discovered connections file is used unless ``--connections`` names
    another. Failed scopes are warned about on stderr; a partial discovery
    exits 3 whatever the audit found, since the audit saw only part of the
    estate (bad input still exits 2).
    """
    import shlex
    import tempfile

    from cidrkit.discover.writer import CONNECTIONS

    parser = _WordsParser(prog="cidrkit audit --discover", add_help=False)
    parser.words = args.discover
    configure(parser, output=False)
    try:
        words = shlex.split(args.discover)
    except ValueError as err:
        parser.error(str(err))
    options = parser.parse_args(words)
    check_options(options)
    with tempfile.TemporaryDirectory(prefix="cidrkit-discover-") as folder:
        found = discover(options, folder, ctx)
        for failed in found.failed:
            ctx.warn(f"discovery of {failed.label} failed: {failed.error}")
        if found.connections_file and not args.connections:
            args.connections = f"{folder}/{CONNECTIONS}"
        code = audit_paths(args, ctx, [folder, *args.paths])
    if found.partial and code != ExitCode.BAD_INPUT:
        ctx.stderr.write(f"cidrkit: discovery was partial: {len(found.failed)} of "
                         f"{len(found.results)} scopes failed; the audit covers the rest\n")
        return ExitCode.PARTIAL
    return code


class _ProgressBar:
    """``discovering [#####-----] 6/12 111122223333 eu-west-1`` redrawn in place on stderr."""

    WIDTH = 24

    def __init__(self, ctx: Context) -> None:
        self.stream = ctx.stderr
        self.shown = 0

    def __call__(self, done: int, total: int, label: str) -> None:
        filled = self.WIDTH * done // max(total, 1)
        text = f"discovering [{'#' * filled}{'-' * (self.WIDTH - filled)}] {done}/{total} {label}"
        self.stream.write("\r" + text.ljust(self.shown))
        self.stream.flush()
        self.shown = len(text)

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
