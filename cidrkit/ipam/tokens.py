"""API tokens: created once, stored only as salted hashes, checked per request.

A token reads ``ckt_<id>_<secret>``: the id finds the row, the secret is
checked against ``sha256(salt || secret)`` in constant time. The secret is
256 random bits, so a slow password hash would add nothing against guessing
(there is nothing to guess) and would cost milliseconds on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from datetime import UTC, datetime

import sqlalchemy as sa

from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import InvalidRequest, NotFound, Unauthorized
from cidrkit.ipam.model import SCOPE_RANK, Token
from cidrkit.ipam.schema import api_tokens, audit_log
from cidrkit.ipam.store import audit_row, utc

TOKEN_PREFIX = "ckt_"
CACHE_SECONDS = 2.0  # how long a revocation may take to reach a running server


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def create_token(
    db: Database, *, name: str, pool: str | None, scope: str, actor: str = "cli"
) -> tuple[Token, str]:
    """Create a token; return its public part and the full secret text (shown once).

    ``pool`` None grants the scope on every pool (and, with ``admin``, lets
    the holder create top-level pools).
    """
    if scope not in SCOPE_RANK:
        raise InvalidRequest(f"scope: {scope!r} is not read, write or admin", field="scope")
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    now = datetime.now(UTC)
    with db.write() as conn:
        token_id = conn.execute(
            api_tokens.insert().returning(api_tokens.c.id),
            {
                "name": name,
                "pool_name": pool,
                "scope": scope,
                "salt": salt,
                "secret_hash": _digest(salt, secret),
                "created_at": now,
                "revoked_at": None,
            },
        ).scalar_one()
        detail: dict[str, object] = {"token_id": token_id, "name": name, "scope": scope}
        conn.execute(audit_log.insert(), audit_row(actor, "token.create", pool, None, detail, now))
    token = Token(id=token_id, name=name, pool=pool, scope=scope, created_at=now)  # type: ignore[arg-type]
    return token, f"{TOKEN_PREFIX}{token_id}_{secret}"


def list_tokens(db: Database) -> list[Token]:
    """Every token, revoked ones included, by id."""
    with db.read() as conn:
        rows = conn.execute(sa.select(api_tokens).order_by(api_tokens.c.id)).all()
    return [
        Token(
            id=r.id,
            name=r.name,
            pool=r.pool_name,
            scope=r.scope,
            created_at=utc(r.created_at),
            revoked=r.revoked_at is not None,
        )
        for r in rows
    ]


def revoke_token(db: Database, token_id: int, *, actor: str = "cli") -> None:
    """Revoke a token for good; ``NotFound`` if there is no such token."""
    now = datetime.now(UTC)
    if not 1 <= token_id <= MAX_TOKEN_ID:
        raise NotFound(f"token {token_id} does not exist", field="token_id")
    with db.write() as conn:
        row = conn.execute(sa.select(api_tokens).where(api_tokens.c.id == token_id)).first()
        if row is None:
            raise NotFound(f"token {token_id} does not exist", field="token_id")
        conn.execute(
            api_tokens.update().where(api_tokens.c.id == token_id).values(revoked_at=now)
        )
        detail: dict[str, object] = {"token_id": token_id, "name": row.name}
        conn.execute(
            audit_log.insert(), audit_row(actor, "token.revoke", row.pool_name, None, detail, now)
        )


# ckt_<id>_<secret>: the id is a positive decimal that fits the database's
# integer column (PostgreSQL's is 32-bit); the secret is URL-safe base64.
_TOKEN_TEXT = re.compile(r"ckt_([1-9][0-9]{0,9})_([A-Za-z0-9_-]{1,200})", re.ASCII)
MAX_TOKEN_ID = 2**31 - 1
# A row that does not exist still gets a digest computed, against this salt, so
# an unknown id costs what a wrong secret costs.
_DUMMY_SALT = secrets.token_hex(16)
_CACHE_LIMIT = 10_000


# NetBox clients (pynetbox, Ansible, Terraform) send "Token <key>"; cidrkit's own
# clients send "Bearer <key>". Both carry the same token text.
AUTH_SCHEMES = ("bearer", "token")


def token_from_header(value: str | None) -> str | None:
    """The token text of an ``Authorization`` header value (``Bearer`` or ``Token``
    scheme, any case), or None when there is none or the scheme is another."""
    scheme, _, credentials = (value or "").strip().partition(" ")
    if scheme.lower() not in AUTH_SCHEMES:
        return None
    return credentials.strip() or None


def parse_token_id(presented: str) -> int | None:
    """The id of a well-formed token text, or None (never raises on any text)."""
    match = _TOKEN_TEXT.fullmatch(presented)
    if match is None:
        return None
    token_id = int(match.group(1))
    return token_id if token_id <= MAX_TOKEN_ID else None


class TokenVerifier:
    """Checks presented tokens, caching rows briefly to spare a query per request.

    Unknown ids are cached as well as known ones, and are checked against a
    dummy digest: answering "no such id" must cost the same as "wrong secret",
    or response times would tell which ids exist.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: dict[int, tuple[float, tuple[Token, str, str] | None]] = {}
        self._lock = threading.Lock()

    def verify(self, presented: str | None) -> Token:
        """The token for ``presented`` text; ``Unauthorized`` if missing, unknown or revoked."""
        if not presented:
            raise Unauthorized("missing API token (send 'Authorization: Bearer <token>')")
        match = _TOKEN_TEXT.fullmatch(presented)
        token_id = parse_token_id(presented)
        if match is None or token_id is None:
            raise Unauthorized("malformed API token")
        secret = match.group(2)
        entry = self._lookup(token_id)
        salt, stored = (entry[1], entry[2]) if entry else (_DUMMY_SALT, "")
        matches = hmac.compare_digest(_digest(salt, secret), stored)
        if entry is None or not matches:
            raise Unauthorized("unknown or revoked API token")
        return entry[0]

    def token_by_id(self, token_id: int) -> Token | None:
        """The active token with that id (for server-side web sessions), or None."""
        entry = self._lookup(token_id)
        return entry[0] if entry else None

    def _lookup(self, token_id: int) -> tuple[Token, str, str] | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(token_id)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(api_tokens).where(
                    api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None)
                )
            ).first()
        entry = None
        if row is not None:
            token = Token(id=row.id, name=row.name, pool=row.pool_name, scope=row.scope)
            entry = (token, row.salt, row.secret_hash)
        with self._lock:
            if len(self._cache) >= _CACHE_LIMIT:
                # Guessed ids must not grow memory without bound.
                self._cache.clear()
            self._cache[token_id] = (now, entry)
        return entry
