"""One synthetic sample for every engine: a labelled table, 1M mixed flow rows, and the answer.

The answer comes from the text path of ``cidrkit lookup`` (one address per
line through ``Annotator``), which shares no code with the Arrow path but
the bulk table itself; every engine must agree with it row for row.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cli.runner import cli

SAMPLE_ROWS = 1_000_000
ROW_GROUP_ROWS = 200_000


@dataclass(frozen=True)
class Sample:
    table: Path  # CSV: prefix,vpc
    flows: Path  # Parquet: n, src_addr, bytes
    prefix: list[str | None]  # expected match per row
    vpc: list[str | None]


def _v4_text(values: np.ndarray) -> list[str]:
    octets = [(values >> s) & 0xFF for s in (24, 16, 8, 0)]
    return [f"{a}.{b}.{c}.{d}" for a, b, c, d in zip(*(o.tolist() for o in octets), strict=True)]


def _table_rows(rng: np.random.Generator) -> list[str]:
    rows = []
    starts = rng.integers(0, 2**32, 30_000, dtype=np.uint64)
    lengths = rng.integers(8, 33, 30_000)
    for k, (start, length) in enumerate(zip(starts.tolist(), lengths.tolist(), strict=True)):
        network = ipaddress.IPv4Network((start >> (32 - length) << (32 - length), length))
        rows.append(f"{network},vpc-{k % 40}")
    for k in range(6_000):
        length = int(rng.integers(24, 65))
        value = (0x2001_0DB8 << 96) | (int(rng.integers(0, 2**32)) << 64)
        network = ipaddress.IPv6Network((value >> (128 - length) << (128 - length), length))
        rows.append(f"{network},vpc6-{k % 10}")
    return rows


def _addresses(rng: np.random.Generator, rows: int) -> list[str | None]:
    v4 = rng.integers(0, 2**32, rows, dtype=np.uint64)
    # Most flows come from a few /8s, as real traffic does, so many rows match.
    v4[: rows // 2] = (v4[: rows // 2] & np.uint64(0x00FF_FFFF)) | (
        rng.integers(1, 12, rows // 2, dtype=np.uint64) << np.uint64(24)
    )
    out: list[str | None] = list(_v4_text(v4))
    for k in range(0, rows, 4):
        low = int(rng.integers(0, 2**32)) << 64 | k
        out[k] = str(ipaddress.IPv6Address((0x2001_0DB8 << 96) | low))
    for k in range(7, rows, 997):
        out[k] = None
    for k in range(11, rows, 4999):
        out[k] = f"bad-{k}"
    return out


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    folder = tmp_path_factory.mktemp("scale-sample")
    rng = np.random.default_rng(14)
    table = folder / "owners.csv"
    table.write_text("prefix,vpc\n" + "\n".join(_table_rows(rng)) + "\n")
    addresses = _addresses(rng, SAMPLE_ROWS)
    flows = folder / "flows.parquet"
    data = pa.table(
        {
            "n": np.arange(SAMPLE_ROWS, dtype=np.int64),
            "src_addr": pa.array(addresses, pa.string()),
            "bytes": rng.integers(40, 1500, SAMPLE_ROWS),
        }
    )
    pq.write_table(data, flows, row_group_size=ROW_GROUP_ROWS)
    text = folder / "flows.txt"
    present = [k for k, a in enumerate(addresses) if a is not None]
    text.write_text("".join(f"{addresses[k]}\n" for k in present))
    result = cli("lookup", "--table", str(table), str(text))
    assert result.code == 2  # the bad-N rows are reported, and still written
    prefix: list[str | None] = [None] * SAMPLE_ROWS
    vpc: list[str | None] = [None] * SAMPLE_ROWS
    lines = result.out.splitlines()
    assert len(lines) == len(present)
    for k, line in zip(present, lines, strict=True):
        _, match, label = line.split("\t")
        if match != "-":
            prefix[k], vpc[k] = match, label
    assert sum(p is not None for p in prefix) > SAMPLE_ROWS // 10, "the sample should match often"
    return Sample(table, flows, prefix, vpc)
