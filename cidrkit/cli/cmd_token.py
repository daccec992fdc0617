"""``cidrkit token``: create, list and revoke IPAM API tokens (directly in the database)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cidrkit.cli.cmd_db import add_db_option
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.output import write_json, write_table

if TYPE_CHECKING:
    from cidrkit.ipam.database import Database


def _token_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a token id")
    return int(text)


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a token; its secret is shown once")
    target = create.add_mutually_exclusive_group(required=True)
    target.add_argument("--pool", metavar="NAME", help="the pool the token is for")
    target.add_argument("--all-pools", action="store_true",
                        help="every pool (admin: may also create top-level pools)")
    create.add_argument("--scope", choices=("read", "write", "admin"), required=True)
    create.add_argument("--name", default="", help="a label for the audit log (default: derived)")
    create.add_argument("--json", action="store_true", help="print JSON")
    add_db_option(create)
    listing = actions.add_parser("list", help="list tokens (never their secrets)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    add_db_option(listing)
    revoke = actions.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("token_id", type=_token_id, metavar="ID")
    add_db_option(revoke)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from cidrkit.ipam.database import make_ready, open_database, redact, reported_failures

    db = open_database(args.db, ctx.env)
    try:
        # The embedded database creates and migrates itself on first use, as
        # `serve` does; PostgreSQL must have been upgraded on purpose.
        before, after = make_ready(db)
        if before != after:
            ctx.stderr.write(f"cidrkit: database {redact(db.url)} migrated to {after}\n")
        with reported_failures(db):
            return _act(args, ctx, db)
    finally:
        db.dispose()


def _act(args: argparse.Namespace, ctx: Context, db: Database) -> int:
    from cidrkit.ipam.tokens import create_token, list_tokens, revoke_token

    if args.action == "create":
        pool = None if args.all_pools else args.pool
        name = args.name or f"{pool or 'all'}-{args.scope}"
        token, secret = create_token(db, name=name, pool=pool, scope=args.scope)
        if args.json:
            write_json(ctx, {"id": token.id, "name": token.name, "pool": token.pool,
                             "scope": token.scope, "token": secret})
        else:
            ctx.stdout.write(secret + "\n")
            ctx.stderr.write(f"cidrkit: token {token.id} ({name}): {args.scope} on "
                             f"{pool or 'all pools'}; store it now, it is not shown again\n")
        return ExitCode.OK
    if args.action == "list":
        tokens = list_tokens(db)
        if args.json:
            write_json(ctx, [{"id": t.id, "name": t.name, "pool": t.pool, "scope": t.scope,
                              "revoked": t.revoked,
                              "created_at": t.created_at.isoformat() if t.created_at else None}
                             for t in tokens])
        else:
            write_table(ctx, [[str(t.id), t.name, t.pool or "*", t.scope,
                               "revoked" if t.revoked else "active"] for t in tokens],
                        header=["ID", "NAME", "POOL", "SCOPE", "STATUS"])
        return ExitCode.OK
    revoke_token(db, args.token_id)
    ctx.stdout.write(f"token {args.token_id} revoked\n")
    return ExitCode.OK
