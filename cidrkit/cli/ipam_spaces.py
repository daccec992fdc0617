"""``cidrkit ipam spaces``: list, create, delete, connect and export routing domains.

A thin client of the service's /api/v1/spaces; ``export`` writes the
connected spaces as a ``cidrkit audit --connections`` file (and, with
``--inventory``, the top-level pools as a NetBox prefix export), so the
auditor judges "blocking" exactly as the IPAM does.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.output import write_json, write_table
from cidrkit.errors import CidrkitError


def configure_spaces(spaces: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Add the ``spaces`` sub-actions; return their parsers (for the shared options)."""
    actions = spaces.add_subparsers(dest="space_action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every space and what it is connected to")
    show = actions.add_parser("show", help="one space: its pools and kept overlaps")
    show.add_argument("name", metavar="SPACE")
    create = actions.add_parser("create", help="create a space")
    create.add_argument("name", metavar="SPACE")
    create.add_argument("--description", default="")
    delete = actions.add_parser("delete", help="delete a space that holds no pools")
    delete.add_argument("name", metavar="SPACE")
    connect = actions.add_parser(
        "connect", help="connect two spaces (refused while their pools overlap)")
    disconnect = actions.add_parser("disconnect", help="remove a connection")
    for parser in (connect, disconnect):
        parser.add_argument("name", metavar="SPACE")
        parser.add_argument("other", metavar="OTHER")
    export = actions.add_parser(
        "export", help="write the connections file 'cidrkit audit --connections' reads",
        description="Write the connected spaces as a 'cidrkit audit --connections' file "
        "(one connection per connected pair, scopes netbox:SPACE, netbox:Global for "
        "global), and with --inventory the top-level pools as a NetBox prefix export "
        "'cidrkit audit' reads: the audit then calls blocking exactly the overlaps the "
        "IPAM refuses between spaces.")
    export.add_argument("--connections", metavar="FILE", default="-",
                        help="where to write the connections file (default: stdout)")
    export.add_argument("--inventory", metavar="FILE",
                        help="also write the top-level pools as a NetBox prefix export")
    return [listing, show, create, delete, connect, disconnect, export]


def run_spaces(args: argparse.Namespace, ctx: Context, client: Any) -> int:
    """Run one ``spaces`` sub-action against the service."""
    action = args.space_action
    if action == "export":
        return _export(args, ctx, client)
    if action == "list":
        found = client.spaces()
        if args.json:
            write_json(ctx, found)
        else:
            write_table(ctx, [[s["name"], ", ".join(s["connected"]), s["description"]]
                              for s in found], header=["SPACE", "CONNECTED TO", "DESCRIPTION"])
        return ExitCode.OK
    if action == "show":
        _show(ctx, client.space(args.name), args.json)
    elif action == "create":
        _show(ctx, client.create_space(args.name, args.description), args.json)
    elif action == "delete":
        client.delete_space(args.name)
        ctx.stderr.write(f"cidrkit: space {args.name} deleted\n")
    elif action == "connect":
        _show(ctx, client.connect_spaces(args.name, args.other), args.json)
    else:
        client.disconnect_spaces(args.name, args.other)
        ctx.stderr.write(f"cidrkit: spaces {args.name} and {args.other} disconnected\n")
    return ExitCode.OK


def _show(ctx: Context, space: Any, as_json: bool) -> None:
    if as_json:
        write_json(ctx, space)
        return
    ctx.stdout.write(f"{space['name']}\n")
    ctx.stdout.write(f"  connected to: {', '.join(space['connected']) or '(none)'}\n")
    if space.get("pools") is not None:
        ctx.stdout.write(f"  pools: {', '.join(space['pools']) or '(none)'}\n")
    for overlap in space.get("overlaps") or []:
        ctx.warn(overlap["message"])


def connections_yaml(document: dict[str, Any]) -> str:
    """The connections document as YAML text (strings JSON-quoted, which YAML reads)."""
    lines = [f"version: {document['version']}", "connections:"]
    if not document["connections"]:
        lines[-1] = "connections: []"
    for entry in document["connections"]:
        lines.append(f"  - name: {json.dumps(entry['name'])}")
        lines.append(f"    via: {json.dumps(entry['via'])}")
        lines.append("    members:")
        lines.extend(f"      - {json.dumps(member)}" for member in entry["members"])
    return "\n".join(lines) + "\n"


def _write(ctx: Context, path: str, text: str) -> None:
    if path == "-":
        ctx.stdout.write(text)
        return
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise CidrkitError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _export(args: argparse.Namespace, ctx: Context, client: Any) -> int:
    connections = client.export("connections")
    inventory = client.export("inventory") if args.inventory else None
    _write(ctx, args.connections, connections_yaml(connections))
    if inventory is not None:
        _write(ctx, args.inventory, json.dumps(inventory, indent=2) + "\n")
    ctx.stderr.write(f"cidrkit: {len(connections['connections'])} connection(s)"
                     + (f", {inventory['count']} pool prefix(es)" if inventory else "") + "\n")
    return ExitCode.OK
