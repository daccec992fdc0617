"""``cidrkit serve``: run the IPAM service (HTTP API and web page)."""

from __future__ import annotations

import argparse

from cidrkit.cli.cmd_db import add_db_option
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a TCP port (1-65535)")
    return int(text)


def _batch(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 4096:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a batch size (1-4096)")
    return int(text)


def configure(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=_port, default=8000, help="TCP port (default 8000)")
    parser.add_argument(
        "--max-batch", type=_batch, default=64, metavar="N",
        help="most write requests committed in one transaction (1: one per transaction)",
    )
    parser.add_argument(
        "--secure-cookies", action="store_true",
        help="mark the web page's cookies Secure (when a TLS proxy is in front)",
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    import uvicorn

    from cidrkit.ipam.api import create_app
    from cidrkit.ipam.database import make_ready, open_database, redact

    db = open_database(args.db, ctx.env)
    before, after = make_ready(db, recover=True)
    if before != after:
        ctx.stderr.write(f"cidrkit: database {redact(db.url)} migrated to {after}\n")
    app = create_app(db, batching=args.max_batch > 1, max_batch=args.max_batch,
                     check_schema=False, secure_cookies=args.secure_cookies)
    if args.host not in _LOOPBACK:
        ctx.warn(f"listening on {args.host}: other machines can reach the API and the web "
                 "page; put a TLS proxy in front (and use --secure-cookies)")
    host = f"[{args.host}]" if ":" in args.host else args.host
    ctx.stderr.write(f"cidrkit: IPAM on http://{host}:{args.port}/ (database {redact(db.url)})\n")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return ExitCode.OK
