"""``cidrkit serve``: run the IPAM service (HTTP API and web page)."""

from __future__ import annotations

import argparse

from cidrkit.cli.cmd_db import add_db_option
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode


def configure(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    parser.add_argument(
        "--max-batch", type=int, default=64, metavar="N",
        help="most write requests committed in one transaction (1: one per transaction)",
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    import uvicorn

    from cidrkit.ipam.api import create_app
    from cidrkit.ipam.database import Database, redact, resolve_url

    db = Database(resolve_url(args.db, ctx.env))
    if db.dialect == "sqlite":
        # The embedded database needs no separate step: create or upgrade it here.
        before, after = db.upgrade()
        if before != after:
            ctx.stderr.write(f"cidrkit: database {redact(db.url)} migrated to {after}\n")
    app = create_app(db, batching=args.max_batch > 1, max_batch=max(1, args.max_batch))
    ctx.stderr.write(
        f"cidrkit: IPAM on http://{args.host}:{args.port}/ (database {redact(db.url)})\n"
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return ExitCode.OK
