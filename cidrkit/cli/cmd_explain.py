"""``cidrkit explain``: everything about a prefix, and one plain-language sentence."""

from __future__ import annotations

import argparse
from typing import Any

from cidrkit.cli.common import INPUT_HELP, add_cloud, add_json, model_of
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics, iter_sources
from cidrkit.cli.output import count_text, json_count, write_json
from cidrkit.core.prefix import Prefix
from cidrkit.core.reverse import reverse_zones, rfc2317_zone
from cidrkit.core.special import Classification, classify
from cidrkit.core.usable import get_model
from cidrkit.errors import ParseError

# How a registry class reads inside a sentence ("a private (RFC 1918) IPv4 network").
_PHRASES = {
    "global": "public (globally routable)",
    "shared": "shared carrier-grade NAT",
    "ula": "unique local (ULA)",
    "documentation": "documentation-only",
    "mixed": "mixed-use",
    "ipv4-mapped": "IPv4-mapped",
    "this-network": "'this network'",
    "broadcast": "limited broadcast",
    "ietf-protocol": "IETF protocol",
    "teredo": "Teredo",
    "nat64": "NAT64",
    "srv6": "SRv6",
    "as112": "AS112",
    "amt": "AMT",
    "orchid": "ORCHIDv2",
    "drip": "drone remote ID (DET)",
    "dummy": "dummy (RFC 9780)",
    "6a44": "6a44 relay anycast",
}
_REVERSE_SHOWN = 8


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cidrs", nargs="*", metavar="CIDR", help=INPUT_HELP)
    add_cloud(parser)
    add_json(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    facts: list[dict[str, Any]] = []
    for source in iter_sources(args.cidrs, ctx):
        try:
            prefix = Prefix.parse_masked(source.text)
            Prefix.parse(source.text)
        except ParseError as err:
            if err.reason != "host bits set":
                diags.parse_error(source, err)
                continue
            # Host bits set: explain the network anyway, but say so.
            where = f"{source.where}: " if source.where else ""
            ctx.warn(f"{where}{source.text!r} has host bits set; explaining {prefix}")
        facts.append(describe(prefix, model_of(args)))
    if args.json:
        write_json(ctx, facts)
    else:
        for index, fact in enumerate(facts):
            if index:
                ctx.stdout.write("\n")
            _write_text(ctx, fact)
    return diags.exit_code(ExitCode.OK)


def describe(prefix: Prefix, model: str) -> dict[str, Any]:
    """The documented JSON object for one prefix (docs/cli-json.md)."""
    bounds = prefix.usable_bounds(model)
    kind = classify(prefix)
    return {
        "cidr": str(prefix),
        "family": prefix.version,
        "network": str(prefix.network),
        "prefix_length": prefix.length,
        "first": str(prefix.first),
        "last": str(prefix.last),
        "broadcast": str(prefix.broadcast) if prefix.broadcast else None,
        "netmask": str(prefix.netmask),
        "wildcard": str(prefix.hostmask),
        "total": json_count(prefix.size),
        "usable": json_count(prefix.usable(model)),
        "usable_first": str(bounds[0]) if bounds else None,
        "usable_last": str(bounds[1]) if bounds else None,
        "model": model,
        "class": kind.name,
        "class_label": kind.label,
        "class_rfc": kind.rfc,
        "reverse_zones": reverse_zones(prefix),
        "rfc2317_zone": rfc2317_zone(prefix),
        "summary": sentence(prefix, kind, model),
    }


def sentence(prefix: Prefix, kind: Classification, model: str) -> str:
    """One paragraph a person can read aloud."""
    family = f"IPv{prefix.version}"
    what = _PHRASES.get(kind.name, kind.name.replace("-", " "))
    qualifier = f"{what} ({kind.rfc})" if kind.name not in ("global", "mixed") else what
    if prefix.length == prefix.bits:
        return f"{prefix} is a single {qualifier} {family} address, {prefix.network}."
    head = (
        f"{prefix} is a {qualifier} {family} network of {count_text(prefix.size)} addresses, "
        f"{prefix.first} to {prefix.last}"
    )
    return f"{head}; {_usable_clause(prefix, model)}."


def _usable_clause(prefix: Prefix, model: str) -> str:
    chosen = get_model(model)
    usable = prefix.usable(model)
    if model in ("aws", "azure", "gcp"):
        limit = chosen.max_length(prefix.bits)
        if usable == 0:
            return f"too small for a subnet on {chosen.label} (the smallest is /{limit})"
        return f"on {chosen.label} a subnet this size has {count_text(usable)} usable addresses"
    if prefix.bits == 128:
        return "every address is usable (IPv6 has no broadcast address)"
    if prefix.length == 31:
        return "both addresses are usable on a point-to-point link (RFC 3021)"
    if model == "none":
        return "every address is counted as usable"
    return (
        f"{count_text(usable)} are usable by hosts, the network and broadcast addresses "
        "being reserved"
    )


def _write_text(ctx: Context, fact: dict[str, Any]) -> None:
    zones: list[str] = fact["reverse_zones"]
    shown = ", ".join(zones[:_REVERSE_SHOWN])
    if len(zones) > _REVERSE_SHOWN:
        shown += f", … ({len(zones)} zones)"
    usable = int(fact["usable"])
    usable_text = count_text(usable)
    if fact["usable_first"]:
        usable_text += f" ({fact['usable_first']} to {fact['usable_last']})"
    rows = [
        ("network", fact["network"]),
        ("prefix length", f"/{fact['prefix_length']}"),
        ("netmask", fact["netmask"]),
        ("wildcard", fact["wildcard"]),
        ("first", fact["first"]),
        ("last", fact["last"]),
        ("broadcast", fact["broadcast"] or "none"),
        ("total", count_text(int(fact["total"]))),
        (f"usable ({fact['model']})", usable_text),
        ("class", f"{fact['class']}: {fact['class_label']} ({fact['class_rfc']})"),
        ("reverse zones", shown),
    ]
    if fact["rfc2317_zone"]:
        rows.append(("RFC 2317 zone", fact["rfc2317_zone"]))
    ctx.stdout.write(f"{fact['cidr']}\n")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        ctx.stdout.write(f"  {label.ljust(width)}  {value}\n")
    ctx.stdout.write(f"\n  {fact['summary']}\n")
