"""A small HTTP client for the IPAM API (standard library only, so it starts fast).

Used by ``cidrkit ipam``; also usable from scripts. Errors from the server
become ``ClientError`` with the HTTP status and the server's message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from cidrkit.errors import CidrkitError


class ClientError(CidrkitError):
    """The server refused the request (``status`` >= 400) or could not be reached (0)."""

    def __init__(self, message: str, status: int, code: str = "", field: str | None = None):
        self.status = status
        self.code = code
        self.field = field
        super().__init__(message)


class IpamClient:
    """Calls the API at ``base_url`` with a bearer ``token``."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        """Send one request; return the decoded JSON body (None for 204)."""
        params = {k: v for k, v in query.items() if v is not None}
        url = f"{self.base_url}/api/v1{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise _error_from(exc) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ClientError(f"cannot reach {self.base_url}: {reason}", 0) from None
        return json.loads(raw) if raw else None

    def allocate(self, pool: str, **fields: Any) -> Any:
        """POST an allocation request; ``fields`` are the API's body fields."""
        body = {k: v for k, v in fields.items() if v not in (None, {}, "")}
        return self.request("POST", f"/pools/{_quote(pool)}/allocations", body)

    def release(self, allocation_id: int) -> Any:
        """Release an allocation by id."""
        return self.request("POST", f"/allocations/{allocation_id}/release")

    def allocations(self, pool: str, *, states: list[str] | None, limit: int, offset: int) -> Any:
        """One page of a pool's allocations."""
        return self.request("GET", f"/pools/{_quote(pool)}/allocations", state=states,
                            limit=limit, offset=offset)

    def free(self, pool: str, *, length: int | None, limit: int, offset: int) -> Any:
        """One page of a pool's free blocks."""
        return self.request("GET", f"/pools/{_quote(pool)}/free", length=length, limit=limit,
                            offset=offset)

    def import_file(self, pool: str, *, content: str, filename: str, format: str,
                    under: list[str], tags: dict[str, str]) -> Any:
        """Import a plan lock file or an inventory into ``pool``; the import report."""
        body = {"format": format, "content": content, "filename": filename, "under": under,
                "tags": tags}
        return self.request("POST", f"/pools/{_quote(pool)}/import", body)

    def pools(self, space: str | None = None) -> Any:
        """Every pool the token may read (those of ``space`` if given)."""
        return self.request("GET", "/pools", space=space)

    def spaces(self) -> Any:
        """Every space and the spaces connected to it."""
        return self.request("GET", "/spaces")

    def space(self, name: str) -> Any:
        """One space with its pools and kept overlaps."""
        return self.request("GET", f"/spaces/{_quote(name)}")

    def create_space(self, name: str, description: str = "") -> Any:
        """Create a space."""
        return self.request("POST", "/spaces", {"name": name, "description": description})

    def delete_space(self, name: str) -> None:
        """Delete a space that holds no pools."""
        self.request("DELETE", f"/spaces/{_quote(name)}")

    def connect_spaces(self, space: str, other: str) -> Any:
        """Connect two spaces (409 if their pools overlap)."""
        return self.request("PUT", f"/spaces/{_quote(space)}/connections/{_quote(other)}")

    def disconnect_spaces(self, space: str, other: str) -> None:
        """Remove the connection between two spaces."""
        self.request("DELETE", f"/spaces/{_quote(space)}/connections/{_quote(other)}")

    def export(self, what: str) -> Any:
        """The auditor's view of the spaces: ``connections`` or ``inventory``."""
        return self.request("GET", f"/export/{_quote(what)}")
    def take_addresses(self, pool: str, **fields: Any) -> Any:
        """POST an address request; ``fields`` are the API's body fields."""
        body = {k: v for k, v in fields.items() if v not in (None, {}, "")}
        return self.request("POST", f"/pools/{_quote(pool)}/addresses", body)

    def release_address(self, address_id: int) -> Any:
        """Release a single address by id."""
        return self.request("POST", f"/addresses/{address_id}/release")

    def addresses(self, pool: str, *, allocation_id: int | None, states: list[str] | None,
                  limit: int, offset: int) -> Any:
        """One page of a pool's single addresses."""
        return self.request("GET", f"/pools/{_quote(pool)}/addresses",
                            allocation_id=allocation_id, state=states, limit=limit,
                            offset=offset)

    def add_range(self, pool: str, **fields: Any) -> Any:
        """Create an IP range in ``pool``."""
        body = {k: v for k, v in fields.items() if v not in (None, "")}
        return self.request("POST", f"/pools/{_quote(pool)}/ranges", body)

    def delete_range(self, range_id: int) -> Any:
        """Delete an IP range by id."""
        return self.request("DELETE", f"/ranges/{range_id}")

    def ranges(self, pool: str) -> Any:
        """A pool's IP ranges."""
        return self.request("GET", f"/pools/{_quote(pool)}/ranges")


def _quote(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def _error_from(exc: urllib.error.HTTPError) -> ClientError:
    try:
        detail = json.loads(exc.read()).get("error", {})
    except (ValueError, AttributeError):
        detail = {}
    message = detail.get("message") or f"HTTP {exc.code} {exc.reason}"
    return ClientError(message, exc.code, detail.get("code", ""), detail.get("field"))
