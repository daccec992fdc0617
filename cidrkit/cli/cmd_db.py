"""``cidrkit db``: create or upgrade the IPAM database schema, or show its revision."""

from __future__ import annotations

import argparse

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """The ``--db`` option shared by the IPAM commands."""
    parser.add_argument(
        "--db", metavar="URL",
        help="database: a SQLite path, sqlite:///PATH or postgresql://USER@HOST/NAME "
             "(default: $CIDRKIT_DB, else ipam.sqlite3 in the user's data directory)",
    )


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="apply schema migrations up to the latest")
    add_db_option(upgrade)
    current = actions.add_parser(
        "current", help="show the schema revision; exit 1 if it is not the latest"
    )
    add_db_option(current)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from cidrkit.ipam.database import head_revision, open_database, redact, reported_failures
    from cidrkit.ipam.spaces import overlap_report

    # `db upgrade` is how a database is made on purpose; `db current` only looks.
    db = open_database(args.db, ctx.env, create=args.action == "upgrade")
    try:
        with reported_failures(db):
            if args.action == "upgrade":
                before, after = db.upgrade()
                if before == after:
                    ctx.stdout.write(f"{redact(db.url)}: already at revision {after}\n")
                else:
                    was = before or "empty"
                    ctx.stdout.write(f"{redact(db.url)}: upgraded from {was} to {after}\n")
                for line in overlap_report(db):
                    ctx.warn(line)
                return ExitCode.OK
            current, head = db.current_revision(), head_revision()
        ctx.stdout.write(f"{redact(db.url)}: revision {current or 'none'} (latest {head})\n")
        return ExitCode.OK if current == head else ExitCode.FALSE
    finally:
        db.dispose()
