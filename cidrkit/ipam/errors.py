"""Errors of the IPAM service, each mapped to one HTTP status.

They extend the one cidrkit tree (``CidrkitError``) so the CLI's error
boundary reports them like any other error; the HTTP layer maps them with
:attr:`IpamError.status`.
"""

from __future__ import annotations

from cidrkit.errors import CidrkitError


class IpamError(CidrkitError):
    """Base of IPAM errors: a message, a machine-readable code and a status."""

    status = 400
    code = "error"
    # The input at fault when the raiser names none (the token, for a 401).
    default_field: str | None = None

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.message = message
        self.field = field if field is not None else self.default_field
        super().__init__(message)

    def to_json(self) -> dict[str, object]:
        """The ``error`` object of an HTTP error body."""
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return body


class InvalidRequest(IpamError):
    """A value that breaks a rule (bad prefix, length outside the pool's rules...).

    ``field`` names the offending request field (``prefix_length``,
    ``items[2].prefix``...).
    """

    status = 422
    code = "invalid"


class IdempotencyMismatch(IpamError):
    """An idempotency key already used in the pool for a different request.

    422, as the IETF draft "The Idempotency-Key HTTP Header Field"
    (draft-ietf-httpapi-idempotency-key-header, section 2.7) asks for a key
    reused with another payload; its 409 is for a retry that arrives while the
    first request is still being processed, which cannot happen here (the
    first request commits before the retry is looked at). The same rule holds
    for prefixes and addresses, in /api/v1 and in the NetBox view.
    """

    status = 422
    code = "idempotency_mismatch"
    default_field = "idempotency_key"


def idempotency_mismatch(key: str, pool: str) -> IdempotencyMismatch:
    """The error of ``key`` reused in ``pool`` for a different request."""
    return IdempotencyMismatch(f"idempotency_key: {key!r} was already used in pool {pool!r} "
                               "for a different request")


class NotFound(IpamError):
    """No pool, allocation or token with that name or id."""

    status = 404
    code = "not_found"


class Conflict(IpamError):
    """The request cannot be applied to the current state.

    ``code`` tells which: ``exhausted`` (no free block of that size),
    ``overlap`` (the prefix is already allocated), ``in_use`` (a pool still
    has live allocations), ``exists`` (a pool of that name exists).
    """

    status = 409

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        self.code = code
        super().__init__(message, field=field)


class Unauthorized(IpamError):
    """No token, or a token that is unknown, revoked or malformed."""

    status = 401
    code = "unauthorized"
    default_field = "authorization"


class Forbidden(IpamError):
    """A valid token without the scope the request needs on that pool."""

    status = 403
    code = "forbidden"
    default_field = "pool"


class TooManyAttempts(IpamError):
    """Too many failed logins from one client or for one token id; retry later.

    ``retry_after`` is the number of seconds until an attempt is accepted again.
    """

    status = 429
    code = "rate_limited"
    default_field = "authorization"

    def __init__(self, message: str, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class PayloadTooLarge(IpamError):
    """A request body over the size limit (refused before it is read whole)."""

    status = 413
    code = "too_large"
    default_field = "body"


class StorageUnavailable(IpamError):
    """The database cannot take the change right now: read-only, unreachable, locked.

    ``code`` says which (``read_only``, ``database_unavailable``).
    """

    status = 503

    def __init__(self, message: str, *, code: str = "database_unavailable") -> None:
        self.code = code
        super().__init__(message)


class StorageFull(IpamError):
    """The database's disk (or its size limit) is full; nothing was written."""

    status = 507
    code = "storage_full"


class SchemaOutOfDate(IpamError):
    """The database schema is not at the revision this version of cidrkit needs."""

    status = 503
    code = "schema_out_of_date"
