"""Place every block of a plan: largest first, aligned, stable under a lock.

Pure: takes a sized ``Plan`` and the previous lock (``{key: Prefix}``), returns
a ``PlanResult``; no files, no printing.

Rules, applied top-down within each parent (the pools, for the top level):

1. Pinned blocks go where the user put them.
2. Blocks in the lock stay where they are. One that has grown grows in place
   when the aligned block around it is free; otherwise it is an error naming
   the node and proposing where it could move (never a silent renumbering).
3. New blocks are placed largest first (ties by name), each in the smallest
   free aligned block that holds it, lowest address on ties (best fit). On a
   first plan this packs children back to back with no alignment loss, so a
   plan fits whenever its sizes add up.

Lock entries of nodes no longer in the plan stay reserved unless released.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cidrkit.core.alloc import FreeSpace, free_blocks, place
from cidrkit.core.ipset import IPSet
from cidrkit.core.prefix import Prefix
from cidrkit.core.text import family_bits
from cidrkit.plan.diagnostics import PlanFitError, Problem
from cidrkit.plan.spec import Avoid, Plan, PlanNode, block_key


@dataclass(slots=True)
class PlanResult:
    """The outcome of planning.

    ``blocks`` maps every node's key (``path`` or ``path/ipv6``) to its block;
    ``status`` says per key ``kept``, ``new``, ``grown``, ``pinned`` or
    ``moved``; ``previous`` holds the locked block of grown and moved keys.
    ``reserved`` are lock entries of removed nodes kept out of use,
    ``released`` those given back by ``release=True``.
    """

    blocks: dict[str, Prefix] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    previous: dict[str, Prefix] = field(default_factory=dict)
    reserved: dict[str, Prefix] = field(default_factory=dict)
    released: dict[str, Prefix] = field(default_factory=dict)
    pools: dict[str, str] = field(default_factory=dict)

    def lock(self) -> dict[str, Prefix]:
        """What the lock file should hold after this plan: blocks and reservations."""
        return {**self.reserved, **self.blocks}


def frontier(nodes: Iterable[PlanNode], version: int) -> list[PlanNode]:
    """The nearest nodes at or below ``nodes`` that have a block of ``version``."""
    found: list[PlanNode] = []
    for node in nodes:
        if node.request(version) is not None:
            found.append(node)
        else:
            found.extend(frontier(node.children, version))
    return found


def _length(node: PlanNode, version: int) -> int:
    request = node.request(version)
    assert request is not None, node.path
    return request.length


def _label(prefix: Prefix) -> str:
    return f"{prefix} ({prefix.size:,} addresses)"


class _Placer:
    def __init__(self, plan: Plan, version: int, lock: Mapping[str, Prefix],
                 moving: set[str], result: PlanResult, problems: list[Problem]) -> None:
        self.plan = plan
        self.version = version
        self.lock = lock
        self.moving = moving
        self.result = result
        self.problems = problems
        self.avoid = [a for a in plan.avoid if a.prefix.version == version]
        self.avoid_set = IPSet([a.prefix for a in self.avoid])
        self.pools = {p.name: p for p in plan.pools_of(version)}

    # -- helpers -------------------------------------------------------------

    def problem(self, node: PlanNode, message: str, hint: str | None = None) -> None:
        """Record a problem with ``node``'s block, keyed as the lock file keys it."""
        key = block_key(node.path, self.version)
        self.problems.append(Problem(node.where, message, hint, key=key))

    def is_moving(self, node: PlanNode) -> bool:
        return any(node.path == m or node.path.startswith(m + "/") for m in self.moving)

    def blocked(self, spaces: list[Prefix]) -> IPSet:
        """Avoided space and reserved removed blocks, except ones enclosing ``spaces``."""
        reserved = [p for p in self.result.reserved.values()
                    if p.version == self.version and not any(p.contains(s) for s in spaces)]
        return self.avoid_set.union(IPSet(reserved))

    def allowed(self, node: PlanNode, spaces: list[Prefix]) -> list[Prefix]:
        """Parent spaces narrowed to the node's required pool, if it has one."""
        pool_name = node.pools.get(self.version)
        if pool_name is None or pool_name not in self.pools:
            return spaces
        narrowed = []
        for space in spaces:
            for prefix in self.pools[pool_name].prefixes:
                if space.overlaps(prefix):
                    narrowed.append(space if space.length >= prefix.length else prefix)
        return narrowed

    def pool_of(self, prefix: Prefix) -> str | None:
        for pool in self.pools.values():
            if any(p.contains(prefix) for p in pool.prefixes):
                return pool.name
        return None

    def clash(self, node: PlanNode, prefix: Prefix, spaces: list[Prefix],
              siblings: dict[str, Prefix]) -> tuple[str, str | None] | None:
        """Why ``node`` cannot have ``prefix`` inside ``spaces`` and a hint, or ``None``."""
        for avoid in self.avoid:
            if avoid.prefix.overlaps(prefix):
                return f"overlaps avoided {avoid.prefix}{_note(avoid)}", None
        for key, other in siblings.items():
            if other.overlaps(prefix):
                return f"overlaps {key!r} at {other}", None
        for key, other in self.result.reserved.items():
            if other.version != self.version or any(other.contains(s) for s in spaces):
                continue
            if key.startswith(node.path + "/") and prefix.contains(other):
                continue  # a removed child of this very node
            if other.overlaps(prefix):
                return (f"overlaps {other}, still reserved for removed {key!r}",
                        "run with --release to free it")
        return None

    # -- placement -----------------------------------------------------------

    def place(self, spaces: list[Prefix], parent: str, nodes: list[PlanNode]) -> None:
        """Place ``nodes`` (siblings) inside ``spaces``, then recurse.

        Order: pinned and unchanged locked blocks first (they cannot move), then
        locked blocks that grew, then new blocks. New blocks bound to a pool go
        before unbound ones (they have fewer places to go), each group largest
        first. Best fit keeps at most one free block of each size, so the
        order never makes blocks that add up fail to fit.
        """
        v = self.version
        placed: dict[str, Prefix] = {}
        used = self.blocked(spaces)
        ordered = sorted(nodes, key=lambda n: (n.pools.get(v) is None, _length(n, v), n.name))
        growing: list[tuple[PlanNode, Prefix, int]] = []
        pending = []
        for node in ordered:
            request = node.request(v)
            assert request is not None
            key = block_key(node.path, v)
            locked = None if self.is_moving(node) else self.lock.get(key)
            if request.pinned is not None:
                self.settle(node, request.pinned, "pinned", spaces, placed, locked)
            elif locked is not None:
                wanted = self.wanted(node)
                if locked.length <= wanted:
                    self.settle(node, locked, "kept", spaces, placed, locked)
                else:
                    growing.append((node, locked, wanted))
            else:
                pending.append(node)
        for node, locked, wanted in growing:
            self.grow(node, locked, wanted, spaces, used, placed)
        if pending:
            space = FreeSpace(IPSet(spaces).difference(used.union(IPSet(placed.values()))))
            for node in pending:
                self.fresh(node, spaces, parent, used, placed, space)
        for node in ordered:
            block = self.result.blocks.get(block_key(node.path, v))
            if block is not None:
                self.place([block], node.path, frontier(node.children, v))

    def settle(self, node: PlanNode, block: Prefix, status: str, spaces: list[Prefix],
               placed: dict[str, Prefix], locked: Prefix | None) -> bool:
        """Accept ``block`` for ``node`` after checking it against its surroundings."""
        allowed = self.allowed(node, spaces)
        if not any(s.contains(block) for s in allowed):
            where = " or ".join(str(s) for s in allowed) or "its pool"
            self.problem(node, f"node {node.path!r}: {block} is not inside {where}")
            return False
        clash = self.clash(node, block, spaces, placed)
        if clash is not None:
            why, hint = clash
            self.problem(node, f"node {node.path!r}: {block} {why}", hint)
            return False
        key = block_key(node.path, self.version)
        if locked is not None and locked != block and status == "pinned":
            status = "moved"
            self.result.previous[key] = locked
        elif locked == block and status == "pinned":
            status = "kept"
        placed[key] = block
        self.result.blocks[key] = block
        self.result.status[key] = status
        pool = self.pool_of(block)
        if pool:
            self.result.pools[key] = pool
        return True

    def wanted(self, node: PlanNode) -> int:
        """The longest length a locked block of ``node`` may have and still do."""
        request = node.request(self.version)
        assert request is not None
        if request.basis == "children":
            # A locked parent only has to hold its children: headroom sizes a
            # first plan, it must not force a renumbering later.
            return max(request.length, self.children_floor(node))
        return request.length

    def grow(self, node: PlanNode, locked: Prefix, wanted: int, spaces: list[Prefix],
             used: IPSet, placed: dict[str, Prefix]) -> None:
        """Grow a locked block in place, or explain why it cannot and where it could go."""
        grown = locked.supernet(wanted)
        allowed = self.allowed(node, spaces)
        # Growing is only "in place" when the start stays put: the network,
        # gateway and other reserved first addresses must not change.
        same_start = grown.value == locked.value
        fits = same_start and any(s.contains(grown) for s in allowed)
        if fits and self.clash(node, grown, spaces, placed) is None:
            key = block_key(node.path, self.version)
            if self.settle(node, grown, "grown", spaces, placed, locked):
                self.result.previous[key] = locked
            return
        proposal = self.best_fit(allowed, used, placed, wanted)
        where = f"the best free spot is {proposal}" if proposal else "no free block holds it"
        why = ("is not free" if same_start
               else "starts below it, which would renumber its first addresses")
        self.problem(
            node,
            f"node {node.path!r} now needs a /{wanted} but is locked to {locked}, and the "
            f"/{wanted} around it ({grown}) {why}; {where}",
            f"to move it (renumbering its hosts) run with --move {node.path}"
            if proposal else "free space in its parent or lower its demand",
        )

    def children_floor(self, node: PlanNode) -> int:
        from cidrkit.plan.sizing import smallest_power_of_two_length

        bits = family_bits(self.version)
        kids = frontier(node.children, self.version)
        total = sum(1 << (bits - _length(k, self.version)) for k in kids)
        return smallest_power_of_two_length(bits, max(total, 1))

    def best_fit(self, allowed: list[Prefix], used: IPSet, placed: dict[str, Prefix],
                 length: int) -> Prefix | None:
        """Where a new ``/length`` would go in ``allowed``, leaving the free space as it is."""
        taken = used.union(IPSet(placed.values()))
        return place(IPSet(allowed).difference(taken), allowed, length)

    def fresh(self, node: PlanNode, spaces: list[Prefix], parent: str, used: IPSet,
              placed: dict[str, Prefix], space: FreeSpace) -> None:
        request = node.request(self.version)
        assert request is not None
        allowed = self.allowed(node, spaces)
        block = space.take(allowed, request.length)
        if block is not None:
            key = block_key(node.path, self.version)
            old = self.lock.get(key)
            status = "new" if old is None else ("kept" if old == block else "moved")
            if status == "moved" and old is not None:
                self.result.previous[key] = old
            # Taken from the free space, so it already avoids everything in use.
            placed[key] = block
            self.result.blocks[key] = block
            self.result.status[key] = status
            pool = self.pool_of(block)
            if pool:
                self.result.pools[key] = pool
            return
        taken = used.union(IPSet(placed.values()))
        free = [b for s in allowed for b in free_blocks(s, taken)]
        largest = min(free, key=lambda p: (p.length, p.value)) if free else None
        within = f"in {parent!r}" if parent else "in the pools"
        if node.pools.get(self.version):
            within += f" (pool {node.pools[self.version]!r})"
        have = f"the largest free block {within} is {_label(largest)}" if largest else (
            f"nothing is free {within}")
        size = 1 << (family_bits(self.version) - request.length)
        hint = _fit_hint(parent, free, size)
        held = sum(p.size for p in self.result.reserved.values()
                   if any(s.contains(p) for s in allowed))
        if held:
            hint += f"; {held:,} addresses are held by removed nodes (--release frees them)"
        self.problem(
            node, f"node {node.path!r} needs a /{request.length} ({size:,} addresses) but {have}",
            hint,
        )


def _fit_hint(parent: str, free: list[Prefix], size: int) -> str:
    total = sum(b.size for b in free)
    if total >= size:
        return (f"{total:,} addresses are free but fragmented; move or shrink a sibling, or "
                "release removed blocks with --release")
    short = size - total
    target = f"{parent!r}" if parent else "the pools (add or widen a pool)"
    return f"{short:,} more free addresses are needed: enlarge {target} or lower the demand"


def _note(avoid: Avoid) -> str:
    return f" ({avoid.note}, {avoid.where})" if avoid.note else f" ({avoid.where})"


def allocate_plan(plan: Plan, lock: Mapping[str, Prefix] | None = None, *,
                  release: bool = False, move: Iterable[str] = ()) -> PlanResult:
    """Place every block of ``plan``, keeping the blocks in ``lock`` where they are.

    ``release`` gives back the blocks of nodes that left the plan; ``move``
    names nodes (with their subtrees) that may be placed afresh. Raises
    ``PlanFitError`` listing every node that does not fit.
    """
    lock = dict(lock or {})
    result = PlanResult()
    problems: list[Problem] = []
    keys = {block_key(n.path, v) for n in plan.nodes() for v in (4, 6) if n.request(v)}
    paths = {n.path for n in plan.nodes()}
    moving = set(move)
    for path in sorted(moving - paths):
        problems.append(Problem(plan.source, f"--move {path!r}: no such node"))
    for key in sorted(lock):
        if key not in keys:
            (result.released if release else result.reserved)[key] = lock[key]
    for version in (4, 6):
        placer = _Placer(plan, version, lock, moving, result, problems)
        spaces = [p for pool in plan.pools_of(version) for p in pool.prefixes]
        nodes = frontier(plan.roots, version)
        if nodes and not spaces:
            # Point at a node that asks for the family: that is the line to change.
            problems.append(Problem(
                nodes[0].where,
                f"node {nodes[0].path!r} needs an IPv{version} block but the plan has no "
                f"IPv{version} pool",
                f"add an IPv{version} pool under 'pools', or set 'ipv{version}: false'",
            ))
            continue
        placer.place(spaces, "", nodes)
    if problems:
        raise PlanFitError(problems)
    return result
