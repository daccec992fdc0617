"""Top talkers per VPC: annotate flow logs in DuckDB, group by the owning VPC, draw an SVG.

    python examples/scale_top_talkers.py OUT.svg

Makes a small deterministic set of flows (Parquet, in a temporary folder)
and an owners table, registers ``cidrkit_lookup`` with DuckDB, sums bytes
per VPC with a plain GROUP BY, and writes a horizontal bar chart with a few
lines of SVG (no plotting library).
"""

from __future__ import annotations

import sys
import tempfile
from html import escape
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cidrkit.scale.arrow import ArrowLookup
from cidrkit.scale.duckdb import register

OWNERS = """prefix,vpc,account
10.0.0.0/16,prod-web,111111111111
10.1.0.0/16,prod-db,111111111111
10.2.0.0/16,staging,222222222222
10.2.128.0/20,staging-batch,222222222222
172.16.0.0/12,corp,333333333333
2001:db8:100::/48,prod-web-v6,111111111111
"""

QUERY = """
SELECT coalesce(cidrkit_lookup_vpc(src_addr), '(unowned)') AS vpc, sum(bytes) AS bytes
FROM '{flows}'
GROUP BY ALL
ORDER BY bytes DESC
LIMIT 8
"""


def make_flows(path: Path, rows: int = 200_000) -> None:
    rng = np.random.default_rng(7)
    second = rng.choice([0, 1, 2, 2, 3], rows)
    third = rng.integers(0, 256, rows)
    host = rng.integers(1, 255, rows)
    addresses = [f"10.{s}.{t}.{h}" for s, t, h in zip(second, third, host, strict=True)]
    for k in range(0, rows, 9):
        addresses[k] = f"2001:db8:100::{k:x}"
    for k in range(3, rows, 13):
        addresses[k] = f"172.{16 + k % 16}.{k % 256}.{k % 251}"
    sizes = rng.lognormal(7, 1.2, rows).astype(np.int64) * np.where(second == 1, 3, 1)
    pq.write_table(pa.table({"src_addr": addresses, "bytes": sizes}), path)


def bar_chart(rows: list[tuple[str, int]], title: str) -> str:
    width, bar_left, row_height = 640, 140, 28
    height = 40 + row_height * len(rows)
    most = max(b for _, b in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        ' font-family="sans-serif" font-size="13">',
        f'<text x="10" y="22" font-weight="bold">{escape(title)}</text>',
    ]
    for k, (name, value) in enumerate(rows):
        y = 36 + k * row_height
        length = (width - bar_left - 90) * value / most
        parts += [
            f'<text x="{bar_left - 8}" y="{y + 15}" text-anchor="end">{escape(name)}</text>',
            f'<rect x="{bar_left}" y="{y}" width="{length:.1f}" height="20" fill="#4a7ab5"/>',
            f'<text x="{bar_left + length + 6:.1f}" y="{y + 15}">{value / 1e6:.1f} MB</text>',
        ]
    return "\n".join([*parts, "</svg>"]) + "\n"


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "top-talkers.svg")
    with tempfile.TemporaryDirectory() as tmp:
        flows = Path(tmp) / "flows.parquet"
        make_flows(flows)
        con = duckdb.connect()
        register(con, ArrowLookup.from_csv_text(OWNERS))
        rows = [(str(v), int(b)) for v, b in con.execute(QUERY.format(flows=flows)).fetchall()]
    out.write_text(bar_chart(rows, "Bytes sent per owning VPC (top talkers)"))
    for name, value in rows:
        print(f"{value:>14,}  {name}")


if __name__ == "__main__":
    main()
