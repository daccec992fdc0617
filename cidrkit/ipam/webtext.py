"""Text of the web page's forms in, and of its tables out.

Form fields arrive as text; these turn them into the values the API's
models take, refusing what a person could not have meant (``²``, ``٣`` or
5,000 digits are not prefix lengths, even where Python's ``int`` would
accept them), with the field named.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cidrkit.ipam.errors import InvalidRequest

_LENGTH = re.compile(r"/?([0-9]{1,3})", re.ASCII)


def form_length(text: str, field: str) -> int | None:
    """A prefix length typed as ``24`` or ``/24``; None when left empty."""
    if not text:
        return None
    match = _LENGTH.fullmatch(text)
    if match is None:
        raise InvalidRequest(f"{field}: {text[:40]!r} is not a prefix length (0-128)",
                             field=field)
    return int(match.group(1))


def form_list(text: str) -> list[str]:
    """Items separated by commas or spaces (``10.0.0.0/16, 10.1.0.0/16``)."""
    return [item for item in text.replace(",", " ").split() if item]


def form_tags(text: str) -> dict[str, str]:
    """Tags typed as ``env=prod, team=net``; an item without a key is an error."""
    tags: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise InvalidRequest(f"tags: {part.strip()[:40]!r} is not KEY=VALUE", field="tags")
        tags[key.strip()] = value.strip()
    return tags


def audit_detail(detail: dict[str, object]) -> str:
    """An audit entry's detail as people read it: ``prefixes: 10.20.0.0/16 · parent: none``."""
    parts = []
    for key, value in detail.items():
        if value is None:
            shown = "none"
        elif isinstance(value, list | tuple):
            shown = ", ".join(str(v) for v in value) or "none"
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items()) or "none"
        else:
            shown = str(value)
        parts.append(f"{key.replace('_', ' ')}: {shown}")
    return " · ".join(parts)


_SPAN_NOTICES = {"range_added": "Added range #{}.", "range_deleted": "Deleted range #{}.",
                 "address_taken": "Took address #{}.", "address_released": "Released address #{}."}


def span_notice(query: Mapping[str, str]) -> str | None:
    """The pool page's notice after a range or address form redirected back to it."""
    for name, text in _SPAN_NOTICES.items():
        value = query.get(name, "")
        if value and value.isascii() and value.isdigit() and len(value) < 11:
            return text.format(int(value))
    return None
