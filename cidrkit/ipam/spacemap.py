"""The pool page's map: every block of a pool, in address order, sized to scale."""

from __future__ import annotations

from dataclasses import dataclass

from cidrkit.core import Prefix
from cidrkit.ipam.model import Allocation, Pool

MAX_SEGMENTS = 2000
# Below this share of its row a block is hard to see (it is drawn a few pixels
# wide anyway) and is also listed under the map.
SMALL_PERCENT = 0.5


@dataclass(frozen=True, slots=True)
class Segment:
    """One block on the map: its kind (allocated, reserved, free) and share of the pool."""

    prefix: Prefix
    kind: str
    percent: float
    label: str


@dataclass(frozen=True, slots=True)
class SpaceMap:
    """Segments of each pool prefix; ``truncated`` when there were too many to draw."""

    rows: tuple[tuple[Prefix, tuple[Segment, ...]], ...]
    truncated: bool

    @property
    def small_blocks(self) -> list[Segment]:
        """Live blocks too small to see at scale, in address order."""
        return [s for _, segments in self.rows for s in segments
                if s.kind != "free" and s.percent < SMALL_PERCENT]


def space_map(
    pool: Pool,
    live: list[tuple[Prefix, str]],
    free: list[Prefix],
    owners: dict[Prefix, Allocation],
) -> SpaceMap:
    """Lay out live and free blocks under each pool prefix, widths proportional to size.

    ``free`` may be a truncated list (a fragmented IPv6 pool has many free
    blocks); the map then says so instead of drawing a wrong picture.
    """
    blocks = [(p, state) for p, state in live] + [(p, "free") for p in free]
    blocks.sort(key=lambda item: item[0])
    truncated = len(blocks) > MAX_SEGMENTS
    rows = []
    for parent in pool.prefixes:
        segments = []
        for prefix, kind in blocks[:MAX_SEGMENTS]:
            if not parent.contains(prefix):
                continue
            owner = owners.get(prefix)
            label = f"{prefix} {kind}"
            if owner is not None:
                details = [f"#{owner.id}", owner.description, owner.owner]
                label += " " + " ".join(d for d in details if d)
            segments.append(Segment(prefix, kind, 100.0 * prefix.size / parent.size, label))
        rows.append((parent, tuple(segments)))
    return SpaceMap(tuple(rows), truncated)
