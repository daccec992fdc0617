"""Property-based contract test of the API against its own OpenAPI document (schemathesis).

Every operation gets generated requests, valid and malformed: no response may
be a 5xx, every status must be documented, bodies must match their schemas,
and every 422 must name the offending field. Business rules beyond the schema
(a prefix outside the pool) are documented 422s, not contract violations.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402

from cidrkit.ipam.api import create_app  # noqa: E402
from cidrkit.ipam.database import Database  # noqa: E402
from cidrkit.ipam.limits import AttemptLimiter  # noqa: E402
from cidrkit.ipam.pools import PoolSpec, create_pool  # noqa: E402
from cidrkit.ipam.tokens import create_token  # noqa: E402

_workdir = Path(tempfile.mkdtemp(prefix="cidrkit-contract-"))
_db = Database(str(_workdir / "ipam.sqlite3"))
_db.upgrade()
TOKEN = create_token(_db, name="contract", pool=None, scope="admin")[1]
create_pool(_db, PoolSpec("prod", ["10.0.0.0/16"]), actor="test")
create_pool(_db, PoolSpec("v6", ["2001:db8::/32"]), actor="test")
# Writes go straight to the database here: the in-process client does not run the
# app's lifespan, which is what starts the group-commit writer. Generated requests
# with broken tokens would soon hit the failed-login limit (a 429, tested on its
# own); here every answer must be the operation's own.
app = create_app(_db, batching=False, limiter=AttemptLimiter(limit=10**9))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schemathesis.check  # type: ignore[untyped-decorator]
def unprocessable_names_a_field(ctx: Any, response: Any, case: Any) -> None:
    """A 422 must say which field is wrong."""
    if response.status_code == 422:
        error = response.json()["error"]
        assert error.get("field"), f"422 without a field: {error}"
        assert error.get("message"), f"422 without a message: {error}"


@schema.parametrize()  # type: ignore[untyped-decorator]
@settings(
    max_examples=int(os.environ.get("CIDRKIT_CONTRACT_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_contract(case: Any) -> None:
    # positive_data_acceptance expects every schema-valid body to succeed; ours can
    # still break a rule no schema states (a prefix outside the pool, min > max),
    # which is a documented 422 naming the field, so that check does not apply.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
