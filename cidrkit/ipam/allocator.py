"""Placing requested blocks inside a pool: the pure part of allocation.

A ``PoolSpace`` is a pool plus its live blocks, loaded inside the write
transaction that holds the pool's lock. It checks a request against the
pool's rules and picks the block with cidrkit's allocation primitives
(``cidrkit.core.alloc``); it does no CIDR arithmetic of its own and never
touches the database, so a batch of requests can be planned in memory and
written at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cidrkit.core import Prefix
from cidrkit.core.alloc import free_blocks, next_free
from cidrkit.ipam.errors import Conflict, InvalidRequest
from cidrkit.ipam.model import AllocationRequest, Pool, PoolRules


def family_width(version: int) -> int:
    """Address width in bits of IP version 4 or 6."""
    return 32 if version == 4 else 128


def check_length(pool: Pool, length: int, where: str) -> None:
    """Raise ``InvalidRequest`` naming ``where`` unless the pool's rules accept ``length``."""
    width = family_width(pool.version)
    rules = pool.rules
    shortest = min(p.length for p in pool.prefixes)
    low = max(shortest, rules.min_length if rules.min_length is not None else 0)
    high = min(width, rules.max_length if rules.max_length is not None else width)
    if not low <= length <= high:
        raise InvalidRequest(
            f"{where}: /{length} is outside what pool {pool.name!r} hands out (/{low} to /{high})",
            field=where,
        )


def check_tags(rules: PoolRules, pool_name: str, tags: dict[str, str], where: str) -> None:
    """Raise ``InvalidRequest`` if a tag the pool requires is missing or empty."""
    missing = [t for t in rules.required_tags if not tags.get(t)]
    if missing:
        raise InvalidRequest(
            f"{where}: pool {pool_name!r} requires tag(s) {', '.join(missing)}", field=where
        )


@dataclass(slots=True)
class PoolSpace:
    """A pool's space during one write transaction: rules plus live blocks.

    ``place`` both chooses and records a block, so successive requests of a
    batch see each other; ``rollback_to`` undoes the blocks of a request that
    failed half-way (a multi-item request is all or nothing).
    """

    pool: Pool
    used: list[Prefix] = field(default_factory=list)

    def mark(self) -> int:
        """A point to roll back to."""
        return len(self.used)

    def rollback_to(self, mark: int) -> None:
        """Forget blocks placed after ``mark``."""
        del self.used[mark:]

    def release(self, prefix: Prefix) -> None:
        """Return a live block to the free space."""
        self.used.remove(prefix)

    def place(self, request: AllocationRequest, where: str = "") -> Prefix:
        """Choose the block for ``request``, record it as used and return it.

        ``where`` prefixes field names in errors (``items[3].``). Raises
        ``InvalidRequest`` for rule violations and ``Conflict`` when the pool is
        exhausted or the exact prefix overlaps a live block.
        """
        pool = self.pool
        check_tags(pool.rules, pool.name, request.tags, f"{where}tags")
        if request.prefix is not None:
            chosen = self._place_exact(request.prefix, f"{where}prefix")
        else:
            length = request.length if request.length is not None else pool.rules.default_length
            if length is None:
                raise InvalidRequest(
                    f"{where}prefix_length: required (pool {pool.name!r} has no default length)",
                    field=f"{where}prefix_length",
                )
            check_length(pool, length, f"{where}prefix_length")
            chosen = self._place_next(length, request.strategy, f"{where}prefix_length")
        self.used.append(chosen)
        return chosen

    def _place_exact(self, prefix: Prefix, where: str) -> Prefix:
        pool = self.pool
        if prefix.version != pool.version or not any(p.contains(prefix) for p in pool.prefixes):
            inside = ", ".join(str(p) for p in pool.prefixes)
            raise InvalidRequest(
                f"{where}: {prefix} is not inside pool {pool.name!r} ({inside})", field=where
            )
        check_length(pool, prefix.length, where)
        for block in self.used:
            if block.overlaps(prefix):
                raise Conflict(
                    f"{where}: {prefix} overlaps {block}, already allocated in pool {pool.name!r}",
                    code="overlap",
                    field=where,
                )
        return prefix

    def take(self, prefix: Prefix, where: str) -> Prefix:
        """Record an exact ``prefix`` as used, checking containment, length and overlap.

        ``where`` is the full field name used in errors (``prefixes[0]``).
        """
        chosen = self._place_exact(prefix, where)
        self.used.append(chosen)
        return chosen

    def _place_next(self, length: int, strategy: str, where: str) -> Prefix:
        best: tuple[int, Prefix] | None = None
        for parent in self.pool.prefixes:
            if parent.length > length:
                continue
            inside = [u for u in self.used if parent.contains(u)]
            candidate = next_free(parent, inside, length, strategy=strategy)  # type: ignore[arg-type]
            if candidate is None:
                continue
            if strategy == "first_fit":
                return candidate
            # Best fit across the pool's prefixes: the candidate whose enclosing
            # free block is smallest leaves the big blocks whole.
            enclosing = _enclosing(free_blocks(parent, inside), candidate)
            if best is None or enclosing > best[0]:
                best = (enclosing, candidate)
        if best is None:
            raise Conflict(
                f"{where}: pool {self.pool.name!r} has no free /{length}",
                code="exhausted",
                field=where,
            )
        return best[1]


def _enclosing(blocks: Sequence[Prefix], inner: Prefix) -> int:
    """Length of the free block containing ``inner`` (longer = smaller block)."""
    for block in blocks:
        if block.contains(inner):
            return block.length
    return inner.length
