"""Pictures of a plan: each pool with its allocated and free blocks.

For each pool prefix an overview bar shows the top-level blocks; then each
top-level block gets an icicle diagram: one row per tree level, every block
drawn at its true position and width within its parent, free space hatched.
Every rectangle has a tooltip with its path, CIDR and size. The HTML page
wraps the same SVG with a table of the free blocks. Avoided space is hatched
in red and never counted as free.
"""

from __future__ import annotations

from html import escape

from cidrkit.core.alloc import free_blocks
from cidrkit.core.prefix import Prefix
from cidrkit.plan.allocator import PlanResult, frontier
from cidrkit.plan.spec import Avoid, Plan, PlanNode, block_key

WIDTH = 1000
ROW = 26
GAP = 18
CHAR = 6.6
_FILLS = ("#4c78a8", "#72b7b2", "#54a24b", "#eeca3b", "#f58518", "#e45756", "#b279a2")


class _Canvas:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.y = 0.0

    def rect(self, x: float, y: float, w: float, fill: str, tip: str, label: str = "") -> None:
        self.parts.append(
            f'<g><title>{escape(tip)}</title><rect x="{x:.2f}" y="{y:.0f}" '
            f'width="{max(w, 0.5):.2f}" height="{ROW - 2}" fill="{fill}" '
            f'stroke="#ffffff" stroke-width="0.5"/>'
        )
        if label and len(label) * CHAR + 6 < w:
            self.parts.append(
                f'<text x="{x + 3:.2f}" y="{y + ROW / 2 + 3:.0f}">{escape(label)}</text>'
            )
        self.parts.append("</g>")

    def heading(self, text: str) -> None:
        self.y += GAP
        self.parts.append(f'<text class="h" x="0" y="{self.y:.0f}">{escape(text)}</text>')
        self.y += 8


def _x(block: Prefix, space: Prefix, x: float, w: float) -> tuple[float, float]:
    offset = (block.value - space.value) / space.size
    return x + offset * w, block.size / space.size * w


def _free(canvas: _Canvas, space: Prefix, used: list[Prefix], x: float, w: float,
          y: float, avoid: list[Avoid]) -> None:
    """Hatch the free space of ``space`` and mark avoided space inside it in red."""
    blocked = [a.prefix for a in avoid if a.prefix.overlaps(space)]
    for block in free_blocks(space, [*used, *blocked]):
        bx, bw = _x(block, space, x, w)
        canvas.rect(bx, y, bw, "url(#free)", f"free {block} ({block.size:,} addresses)")
    for entry in avoid:
        if not entry.prefix.overlaps(space) or entry.prefix.contains(space):
            continue
        bx, bw = _x(entry.prefix, space, x, w)
        note = f" ({entry.note})" if entry.note else ""
        canvas.rect(bx, y, bw, "url(#avoid)", f"avoided {entry.prefix}{note}")


def _tree(canvas: _Canvas, node: PlanNode, version: int, allocation: PlanResult,
          x: float, w: float, y: float, depth: int, avoid: list[Avoid]) -> float:
    """Draw ``node`` and its descendants; return the lowest y used."""
    block = allocation.blocks[block_key(node.path, version)]
    canvas.rect(x, y, w, _FILLS[depth % len(_FILLS)],
                f"{node.path}  {block} ({block.size:,} addresses)", f"{node.name} {block}")
    kids = [k for k in frontier(node.children, version)
            if block_key(k.path, version) in allocation.blocks]
    if not kids:
        return y + ROW
    blocks = [allocation.blocks[block_key(k.path, version)] for k in kids]
    _free(canvas, block, blocks, x, w, y + ROW, avoid)
    bottom = y + 2 * ROW
    for kid, kid_block in zip(kids, blocks, strict=True):
        kx, kw = _x(kid_block, block, x, w)
        bottom = max(bottom, _tree(canvas, kid, version, allocation, kx, kw, y + ROW,
                                   depth + 1, avoid))
    return bottom


def _draw(plan: Plan, allocation: PlanResult) -> tuple[str, float]:
    canvas = _Canvas()
    for pool in plan.pools:
        tops = [n for n in frontier(plan.roots, pool.version)
                if block_key(n.path, pool.version) in allocation.blocks]
        for prefix in pool.prefixes:
            inside = [n for n in tops if prefix.contains(allocation.blocks[
                block_key(n.path, pool.version)])]
            canvas.heading(f"pool {pool.name} {prefix}")
            canvas.rect(0, canvas.y, WIDTH, "#9e9e9e", f"pool {pool.name} {prefix}",
                        f"{pool.name} {prefix}")
            blocks = [allocation.blocks[block_key(n.path, pool.version)] for n in inside]
            _free(canvas, prefix, blocks, 0, WIDTH, canvas.y + ROW, plan.avoid)
            for node, block in zip(inside, blocks, strict=True):
                bx, bw = _x(block, prefix, 0, WIDTH)
                canvas.rect(bx, canvas.y + ROW, bw, _FILLS[0], f"{node.path}  {block}",
                            node.name)
            canvas.y += 2 * ROW
            for node in inside:
                top = allocation.blocks[block_key(node.path, pool.version)]
                canvas.heading(f"{node.path}  {top}")
                canvas.y = _tree(canvas, node, pool.version, allocation, 0, WIDTH, canvas.y, 0,
                                 plan.avoid)
    body = "\n".join(canvas.parts)
    return body, canvas.y + GAP


_DEFS = (
    '<defs><pattern id="free" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4f4f4"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#c8c8c8" stroke-width="2"/></pattern>'
    '<pattern id="avoid" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(-45)"><rect width="6" height="6" fill="#f6d5d5"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#d62728" stroke-width="2"/></pattern>'
    "<style>text{font:11px sans-serif;fill:#111}text.h{font-weight:bold;font-size:13px}"
    "</style></defs>"
)


def render_svg(plan: Plan, allocation: PlanResult) -> str:
    """A standalone SVG document picturing every pool."""
    body, height = _draw(plan, allocation)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}">\n{_DEFS}\n{body}\n</svg>\n'
    )


def render_html(plan: Plan, allocation: PlanResult) -> str:
    """A self-contained HTML page: the picture plus a table of free blocks."""
    svg = render_svg(plan, allocation)
    rows = []
    for pool in plan.pools:
        tops = [allocation.blocks[block_key(n.path, pool.version)]
                for n in frontier(plan.roots, pool.version)
                if block_key(n.path, pool.version) in allocation.blocks]
        for prefix in pool.prefixes:
            blocked = [a.prefix for a in plan.avoid if a.prefix.overlaps(prefix)]
            inside = [t for t in tops if prefix.contains(t)]
            for block in free_blocks(prefix, [*inside, *blocked]):
                rows.append(f"<tr><td>{escape(pool.name)}</td><td>{block}</td>"
                            f"<td>{block.size:,}</td></tr>")
    title = escape(f"Address plan: {plan.source}")
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{title}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;"
        "text-align:left}</style></head><body>\n"
        f"<h1>{title}</h1>\n{svg}<h2>Free blocks per pool</h2>\n"
        "<table><thead><tr><th>pool</th><th>free block</th><th>addresses</th></tr></thead>"
        f"<tbody>\n{''.join(rows)}\n</tbody></table>\n</body></html>\n"
    )
