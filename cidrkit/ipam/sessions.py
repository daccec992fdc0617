"""Server-side sessions of the web page.

The browser's cookie holds only a random session id; the database keeps its
sha256, the token it acts for, the session's CSRF secret and its expiry.
The API token never reaches the browser after the login form, a session
ends at logout (or expiry, or when its token is revoked), and a stolen
database does not contain any live cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from cidrkit.ipam.database import Database
from cidrkit.ipam.model import Token
from cidrkit.ipam.schema import web_sessions
from cidrkit.ipam.store import utc
from cidrkit.ipam.tokens import TokenVerifier

SESSION_HOURS = 12
SESSION_COOKIE = "cidrkit_session"


@dataclass(frozen=True, slots=True)
class WebSession:
    """A live session: the token it acts for and the CSRF secret of its forms."""

    token: Token
    csrf: str


def _key(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("utf-8", "replace")).hexdigest()


class SessionStore:
    """Starts, resolves and ends web sessions."""

    def __init__(self, db: Database, verifier: TokenVerifier) -> None:
        self.db = db
        self.verifier = verifier

    def start(self, token: Token) -> str:
        """A new session for ``token``; returns the cookie value (shown only to the browser)."""
        cookie = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.db.write() as conn:
            # Sessions past their expiry are of no use to anyone: drop them here,
            # where sessions are made, so the table never grows without bound.
            conn.execute(web_sessions.delete().where(web_sessions.c.expires_at < now))
            conn.execute(web_sessions.insert(), {
                "id": _key(cookie),
                "token_id": token.id,
                "csrf": secrets.token_hex(32),
                "created_at": now,
                "expires_at": now + timedelta(hours=SESSION_HOURS),
                "ended_at": None,
            })
        return cookie

    def resolve(self, cookie: str | None) -> WebSession | None:
        """The live session of ``cookie``; None if unknown, ended, expired or revoked."""
        if not cookie or len(cookie) > 200:
            return None
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(web_sessions).where(web_sessions.c.id == _key(cookie))
            ).first()
        if row is None or row.ended_at is not None:
            return None
        expires = utc(row.expires_at)
        if expires is None or expires <= datetime.now(UTC):
            return None
        token = self.verifier.token_by_id(row.token_id)
        return None if token is None else WebSession(token, row.csrf)

    def end(self, cookie: str | None) -> None:
        """End the session of ``cookie`` for good (logout)."""
        if not cookie:
            return
        with self.db.write() as conn:
            conn.execute(
                web_sessions.update()
                .where(web_sessions.c.id == _key(cookie), web_sessions.c.ended_at.is_(None))
                .values(ended_at=datetime.now(UTC))
            )
