"""The pool page's range and address forms: add and delete ranges, take and release addresses.

Same rules as the rest of the page (``web``): a session, this site's origin
and the form's CSRF token on every POST; the API's own pydantic models check
the fields, so the page refuses what the API refuses, with its message, and
shows the form again as typed.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from cidrkit.ipam.addresses import AddressItem
from cidrkit.ipam.api_spans import AddressIn, RangeIn
from cidrkit.ipam.errors import InvalidRequest, IpamError
from cidrkit.ipam.ranges import RangeSpec
from cidrkit.ipam.web import _error_page, _ipam, _pool, _posted, _validation

router = APIRouter(include_in_schema=False)


def _whole_number(text: str, field: str) -> int:
    # ASCII digits only: int() would also take '²' or '٣', which nobody typing meant.
    if not re.fullmatch(r"[0-9]{1,10}", text, re.ASCII):
        raise InvalidRequest(f"{field}: {text[:40]!r} is not a whole number", field=field)
    return int(text)


@router.post("/pools/{name}/ranges")
async def add_range(request: Request, name: str) -> Response:
    """Create a range from the pool page's form."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session, form = posted
    try:
        fields: dict[str, Any] = {"start": form.get("start", ""), "end": form.get("end", ""),
                                  "kind": form.get("kind") or "dhcp",
                                  "description": form.get("description", "")}
        try:
            body = RangeIn.model_validate(fields)
        except ValidationError as exc:
            raise _validation(exc) from None
        made = _ipam(request).create_range(session.token, name, RangeSpec(
            start=body.start, end=body.end, kind=body.kind, description=body.description))
    except IpamError as exc:
        return _pool(request, session, name, status=exc.status, error=exc.message,
                     values={f"range_{k}": v for k, v in form.items()})
    return RedirectResponse(f"/pools/{quote(name)}?range_added={made.id}", status_code=303)


@router.post("/ranges/{range_id}/delete")
async def delete_range(request: Request, range_id: str) -> Response:
    """Delete a range from the pool page, then show the page again."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session = posted[0]
    try:
        gone = _ipam(request).delete_range(session.token, _whole_number(range_id, "range_id"))
    except IpamError as exc:
        return _error_page(request, session, exc)
    return RedirectResponse(f"/pools/{quote(gone.pool)}?range_deleted={gone.id}",
                            status_code=303)


@router.post("/pools/{name}/addresses")
async def take_address(request: Request, name: str) -> Response:
    """Take the next free address(es), or an exact one, from the pool page's form."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session, form = posted
    try:
        fields: dict[str, Any] = {"description": form.get("description", ""),
                                  "dns_name": form.get("dns_name", "")}
        if form.get("address"):
            fields["address"] = form["address"]
        if form.get("count"):
            fields["count"] = _whole_number(form["count"], "count")
        if form.get("allocation_id"):
            fields["allocation_id"] = _whole_number(form["allocation_id"], "allocation_id")
        try:
            body = AddressIn.model_validate(fields)
        except ValidationError as exc:
            raise _validation(exc) from None
        if body.address is not None and body.count != 1:
            raise InvalidRequest("count: give an exact address or a count, not both",
                                 field="count")
        item = AddressItem(address=body.address, description=body.description,
                           dns_name=body.dns_name)
        result = await _ipam(request).allocate_addresses(
            session.token, name, [item] * body.count, None, allocation_id=body.allocation_id)
    except IpamError as exc:
        return _pool(request, session, name, status=exc.status, error=exc.message,
                     values={f"address_{k}": v for k, v in form.items()})
    first = result.addresses[0]
    return RedirectResponse(f"/pools/{quote(name)}?address_taken={first.id}", status_code=303)


@router.post("/addresses/{address_id}/release")
async def release_address(request: Request, address_id: str) -> Response:
    """Release an address from the pool page, then show the page again."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session = posted[0]
    try:
        released = await _ipam(request).release_address(session.token,
                                                        _whole_number(address_id, "address_id"))
    except IpamError as exc:
        return _error_page(request, session, exc)
    return RedirectResponse(f"/pools/{quote(released.pool)}?address_released={released.id}",
                            status_code=303)
