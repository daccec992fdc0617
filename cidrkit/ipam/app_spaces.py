"""Routing domains (spaces) and their connections, read and changed.

Any valid token may read spaces and their connections; the pools listed in a
space are only those the token may read. Changing spaces needs admin on all
pools: a space constrains every pool in it.
"""

from __future__ import annotations

from typing import Any

from cidrkit.ipam.app_access import AppAccess, actor_of, require
from cidrkit.ipam.model import Space, Token
from cidrkit.ipam.spaces import (
    SpaceDetail,
    auditor_documents,
    connect_spaces,
    create_space,
    delete_space,
    disconnect_spaces,
    list_spaces,
    space_detail,
    space_of_pool,
)


class SpaceOps(AppAccess):
    """Spaces, their connections, and the auditor's documents built from them."""

    def spaces(self, token: Token) -> list[Space]:
        """Every space with the spaces connected to it."""
        del token  # authenticated is enough
        with self.db.read() as conn:
            return list_spaces(conn)

    def space(self, token: Token, name: str) -> SpaceDetail:
        """One space, the pools in it the token may read, and overlaps kept in it."""
        with self.db.read() as conn:
            found = space_detail(conn, name)
        visible = tuple(p for p in found.pools if token.allows(p, "read"))
        overlaps = tuple(o for o in found.overlaps
                         if token.allows(o.a.pool, "read") and token.allows(o.b.pool, "read"))
        return SpaceDetail(found.space, visible, overlaps)

    def pool_space(self, token: Token, pool: str) -> Space:
        """The space of ``pool`` (read scope on the pool)."""
        self.pool(token, pool)
        with self.db.read() as conn:
            return space_of_pool(conn, pool)

    def create_space(self, token: Token, name: str, description: str = "") -> Space:
        """Create a space (admin on all pools)."""
        require(token, None, "admin")
        return create_space(self.db, name, description=description, actor=actor_of(token))

    def delete_space(self, token: Token, name: str) -> None:
        """Delete a space that holds no pools (admin on all pools)."""
        require(token, None, "admin")
        delete_space(self.db, name, actor=actor_of(token))

    def connect_spaces(self, token: Token, space: str, other: str,
                       description: str = "") -> tuple[Space, bool]:
        """Connect two spaces (admin on all pools); 409 if their pools overlap."""
        require(token, None, "admin")
        return connect_spaces(self.db, space, other, description=description,
                              actor=actor_of(token))

    def disconnect_spaces(self, token: Token, space: str, other: str) -> bool:
        """Remove a connection (admin on all pools); False if there was none."""
        require(token, None, "admin")
        return disconnect_spaces(self.db, space, other, actor=actor_of(token))

    def spaces_export(self, token: Token) -> tuple[dict[str, Any], dict[str, Any]]:
        """The auditor's connections document and the top-level pools as an
        inventory (read scope on all pools: it names every pool)."""
        require(token, None, "read")
        with self.db.read() as conn:
            return auditor_documents(conn)
