"""Placing requested blocks inside a pool: the pure part of allocation.

A ``PoolSpace`` is a pool plus its live blocks, loaded inside the write
transaction that holds the pool's lock. It checks a request against the
pool's rules and picks the block with cidrkit's one placement rule
(``cidrkit.core.alloc.place``); it does no CIDR arithmetic of its own and never
touches the database, so a batch of requests can be planned in memory and
written at once.
"""

from __future__ import annotations

from cidrkit.core import IPSet, Prefix
from cidrkit.core.alloc import Strategy, place
from cidrkit.core.text import family_bits
from cidrkit.ipam.errors import Conflict, InvalidRequest
from cidrkit.ipam.model import AllocationRequest, Pool, PoolRules


def family_width(version: int) -> int:
    """Address width in bits of IP version 4 or 6 (the core's ``family_bits``)."""
    return family_bits(version)


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


class PoolSpace:
    """A pool's space during one write transaction: rules plus live blocks.

    The live blocks are kept both as a list (to name the block a request
    collides with) and as one ``IPSet`` updated as blocks are placed, so each
    placement costs a set merge rather than rebuilding the set from every
    block. ``place`` both chooses and records a block, so successive requests
    of a batch see each other; ``rollback_to`` undoes the blocks of a request
    that failed half-way (a multi-item request is all or nothing).
    """

    def __init__(
        self, pool: Pool, used: list[Prefix] | None = None, taken: IPSet | None = None
    ) -> None:
        self.pool = pool
        self.used: list[Prefix] = list(used or [])
        self.taken = IPSet(self.used) if taken is None else taken
        self._history: list[tuple[IPSet, int]] = []

    def mark(self) -> int:
        """A point to roll back to."""
        return len(self._history)

    def rollback_to(self, mark: int) -> None:
        """Forget blocks placed after ``mark``."""
        if mark < len(self._history):
            self.taken, count = self._history[mark]
            del self.used[count:]
            del self._history[mark:]

    def release(self, prefix: Prefix) -> None:
        """Return a live block to the free space."""
        self.used.remove(prefix)
        self.taken = self.taken.difference(IPSet([prefix]))

    def hold(self, prefixes: list[Prefix]) -> None:
        """Record blocks that something other than an allocation now holds (the /32 or
        /128 of an address taken from the pool itself): later requests go around them.

        No pool rule applies to them (an address is no allocation length); the
        caller has checked they were free.
        """
        if prefixes:
            self._history.append((self.taken, len(self.used)))
            self.used.extend(prefixes)
            self.taken = self.taken.union(IPSet(prefixes))

    def _record(self, prefix: Prefix) -> Prefix:
        self._history.append((self.taken, len(self.used)))
        self.used.append(prefix)
        self.taken = self.taken.union(IPSet([prefix]))
        return prefix

    def place(self, request: AllocationRequest, where: str = "") -> Prefix:
        """Choose the block for ``request``, record it as used and return it.

        ``where`` prefixes field names in errors (``items[3].``). Raises
        ``InvalidRequest`` for rule violations and ``Conflict`` when the pool is
        exhausted or the exact prefix overlaps a live block.
        """
        pool = self.pool
        check_tags(pool.rules, pool.name, request.tags, f"{where}tags")
        if request.prefix is not None:
            return self._record(self._check_exact(request.prefix, f"{where}prefix"))
        length = request.length if request.length is not None else pool.rules.default_length
        if length is None:
            raise InvalidRequest(
                f"{where}prefix_length: required (pool {pool.name!r} has no default length)",
                field=f"{where}prefix_length",
            )
        check_length(pool, length, f"{where}prefix_length")
        return self._record(self._next(length, request.strategy, f"{where}prefix_length"))

    def take(self, prefix: Prefix, where: str) -> Prefix:
        """Record an exact ``prefix`` as used, checking containment, length and overlap.

        ``where`` is the full field name used in errors (``prefixes[0]``).
        """
        return self._record(self._check_exact(prefix, where))

    def _check_exact(self, prefix: Prefix, where: str) -> Prefix:
        pool = self.pool
        if prefix.version != pool.version or not any(p.contains(prefix) for p in pool.prefixes):
            inside = ", ".join(str(p) for p in pool.prefixes)
            raise InvalidRequest(
                f"{where}: {prefix} is not inside pool {pool.name!r} ({inside})", field=where
            )
        check_length(pool, prefix.length, where)
        if not self.taken.isdisjoint(IPSet([prefix])):
            block = next(b for b in self.used if b.overlaps(prefix))
            raise Conflict(
                f"{where}: {prefix} overlaps {block}, already allocated in pool {pool.name!r}",
                code="overlap",
                field=where,
            )
        return prefix

    def _next(self, length: int, strategy: Strategy, where: str) -> Prefix:
        prefixes = self.pool.prefixes
        block = place(IPSet(prefixes).difference(self.taken), prefixes, length, strategy)
        if block is None:
            raise Conflict(
                f"{where}: pool {self.pool.name!r} has no free /{length}",
                code="exhausted",
                field=where,
            )
        return block
