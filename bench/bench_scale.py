"""Annotating flows inside engines: Spark and DuckDB, cidrkit's lookup against their own best join.

Builds synthetic flow logs as Parquet (``--rows``, mixed IPv4/IPv6, every
address inside some routed prefix, so every row has work to do) against the
full BGP tables (``../shared/data/bgp-ipv4.txt`` and ``bgp-ipv6.txt``), then
times whole queries, median of ``--runs``:

- Spark ``local[2]``: ``cidrkit.scale.spark.annotate`` (mapInArrow, the table
  broadcast) against the formulation Spark users write for a range join: the
  table exploded into /16 buckets (IPv6: /32), an equi-join on the bucket
  with ``BETWEEN`` on the address, and the longest match kept by
  ``max_by(prefix, length)`` per row. The peer gets numeric address columns
  precomputed in the Parquet (it cannot parse text addresses itself); both
  sides run to Spark's ``noop`` sink, so the whole plan runs and nothing is
  written.
- DuckDB: the streamed ``cidrkit.scale.duckdb.annotate`` and the
  ``cidrkit_lookup`` SQL function, each against the same bucketed join in
  DuckDB SQL.
- Memory: the table as held by a worker, the broadcast's pickled size, and
  one Arrow batch.

    python bench/bench_scale.py [--rows 20000000] [--runs 3] [--engines spark,duckdb]

Both sides' match counts are compared on every run; a difference aborts.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cidrkit.bulk import parse_prefix_text  # noqa: E402
from cidrkit.scale.arrow import ArrowLookup  # noqa: E402

CHUNK_ROWS = 1 << 20
V6_SHARE = 0.25
HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def v4_text(values: np.ndarray) -> pa.Array:
    octets = [pc.cast(pa.array((values >> s) & 0xFF), pa.string()) for s in (24, 16, 8, 0)]
    return pc.binary_join_element_wise(*octets, ".")


def v6_text(hi: np.ndarray, lo: np.ndarray) -> pa.Array:
    """Full-form IPv6 text (eight groups of four hex digits): valid, if not canonical."""
    n = hi.shape[0]
    out = np.full((n, 39), ord(":"), dtype=np.uint8)
    for word, base in ((hi, 0), (lo, 20)):
        for nibble in range(16):
            column = base + nibble + nibble // 4
            out[:, column] = HEX[(word >> np.uint64(60 - 4 * nibble)) & np.uint64(0xF)]
    return pa.array(out.view("S39").ravel(), pa.binary()).cast(pa.string())


def write_flows(path: Path, rows: int, table: Any, rng: np.random.Generator) -> None:
    """``rows`` flows: text address, the peer's numeric keys, and a byte count."""
    v4, v6 = table.v4, table.v6
    writer = None
    for start in range(0, rows, CHUNK_ROWS):
        n = min(CHUNK_ROWS, rows - start)
        is_v6 = rng.random(n) < V6_SHARE
        k4 = rng.integers(0, len(v4), n)
        size4 = (np.uint64(1) << (np.uint64(32) - v4.length[k4].astype(np.uint64))).astype(
            np.uint64
        )
        a4 = v4.lo[k4] + (rng.integers(0, 2**32, n, dtype=np.uint64) % size4)
        k6 = rng.integers(0, len(v6), n)
        size6 = np.uint64(1) << (np.uint64(64) - v6.length[k6].astype(np.uint64))
        h6 = v6.hi[k6] + (rng.integers(0, 2**63, n, dtype=np.uint64) % size6)
        l6 = rng.integers(0, 2**63, n, dtype=np.uint64)
        text = pc.if_else(pa.array(is_v6), v6_text(h6, l6), v4_text(a4))
        key = np.where(is_v6, h6, a4).astype(np.int64)
        bucket = np.where(is_v6, h6 >> np.uint64(32), a4 >> np.uint64(16)).astype(np.int64)
        batch = pa.table(
            {
                "n": np.arange(start, start + n, dtype=np.int64),
                "src_addr": text,
                "family": np.where(is_v6, 6, 4).astype(np.int8),
                "addr_key": key,
                "addr_bucket": bucket,
                "bytes": rng.integers(40, 1500, n),
            }
        )
        if writer is None:
            writer = pq.ParquetWriter(path, batch.schema)
        writer.write_table(batch, row_group_size=CHUNK_ROWS)
    assert writer is not None
    writer.close()


def write_peer_table(path: Path, table: Any) -> None:
    """The table as the peer joins it: family, start, end (inclusive), length, prefix text."""
    parts = []
    for fam, p in ((4, table.v4), (6, table.v6)):
        if fam == 4:
            start = p.lo.astype(np.int64)
            end = start + (np.int64(1) << (32 - p.length.astype(np.int64))) - 1
        else:  # every routed IPv6 prefix is /48 or shorter: the high word decides
            start = p.hi.astype(np.int64)
            end = start + (np.int64(1) << (64 - p.length.astype(np.int64))) - 1
        parts.append(
            pa.table(
                {
                    "family": np.full(len(p), fam, np.int8),
                    "start": start,
                    "end": end,
                    "len": p.length.astype(np.int32),
                    "prefix_id": p.ids,
                }
            )
        )
    pq.write_table(pa.concat_tables(parts), path)


PEER_SQL = """
WITH buckets AS (
  SELECT family, start, `end`, len, prefix_id,
         explode(sequence(start >> IF(family = 4, 16, 32),
                          `end` >> IF(family = 4, 16, 32))) AS bucket
  FROM peer_table
)
SELECT f.n, max_by(b.prefix_id, b.len) AS prefix_id
FROM flows f LEFT JOIN buckets b
  ON f.family = b.family AND f.addr_bucket = b.bucket AND f.addr_key BETWEEN b.start AND b.`end`
GROUP BY f.n
"""


def bench_spark(flows: Path, peer_table: Path, lookup: ArrowLookup, runs: int, rows: int) -> None:
    from pyspark.sql import SparkSession

    from cidrkit.scale.spark import annotate

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "3g")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "131072")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    frame = spark.read.parquet(str(flows))
    spark.read.parquet(str(peer_table)).createOrReplaceTempView("peer_table")
    frame.createOrReplaceTempView("flows")

    def ours() -> int:
        out = annotate(frame.select("n", "src_addr", "bytes"), "src_addr", lookup)
        out.write.format("noop").mode("overwrite").save()
        return int(out.filter("match_prefix IS NOT NULL").count()) if runs == 0 else 0

    def peer() -> int:
        spark.sql(PEER_SQL).write.format("noop").mode("overwrite").save()
        return 0

    t_ours, _ = median_time(ours, runs)
    t_peer, _ = median_time(peer, runs)
    matched_ours = (
        annotate(frame.select("src_addr"), "src_addr", lookup)
        .filter("match_prefix IS NOT NULL")
        .count()
    )
    matched_peer = spark.sql(PEER_SQL).filter("prefix_id IS NOT NULL").count()
    if matched_ours != matched_peer:
        raise SystemExit(f"spark: match counts differ: cidrkit {matched_ours}, peer {matched_peer}")
    report("spark local[2]", rows, t_ours, t_peer, cores=2)
    spark.stop()


DUCKDB_PEER_SQL = """
WITH buckets AS (
  SELECT family, start, "end", len, prefix_id,
         unnest(range(start >> (CASE WHEN family = 4 THEN 16 ELSE 32 END),
                      ("end" >> (CASE WHEN family = 4 THEN 16 ELSE 32 END)) + 1)) AS bucket
  FROM '{table}'
)
SELECT count(prefix_id) FROM (
  SELECT f.n, arg_max(b.prefix_id, b.len) AS prefix_id
  FROM '{flows}' f LEFT JOIN buckets b
    ON f.family = b.family AND f.addr_bucket = b.bucket
   AND f.addr_key BETWEEN b.start AND b."end"
  GROUP BY f.n
)
"""


def bench_duckdb(flows: Path, peer_table: Path, lookup: ArrowLookup, runs: int, rows: int) -> None:
    import duckdb

    from cidrkit.scale.duckdb import annotate, register

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    register(con, lookup)
    udf_sql = f"SELECT count(cidrkit_lookup(src_addr)) FROM '{flows}'"
    peer_sql = DUCKDB_PEER_SQL.format(table=peer_table, flows=flows)

    def streamed() -> int:
        relation = annotate(con, f"SELECT src_addr FROM '{flows}'", "src_addr", lookup)
        return int(relation.aggregate("count(match_prefix)").fetchall()[0][0])

    t_stream, matched_stream = median_time(streamed, runs)
    t_udf, matched_udf = median_time(lambda: con.execute(udf_sql).fetchall()[0][0], runs)
    t_peer, matched_peer = median_time(lambda: con.execute(peer_sql).fetchall()[0][0], runs)
    if not matched_stream == matched_udf == matched_peer:
        raise SystemExit(
            f"duckdb: match counts differ: stream {matched_stream}, function {matched_udf},"
            f" peer {matched_peer}"
        )
    report("duckdb annotate()", rows, t_stream, t_peer, cores=2)
    report("duckdb function", rows, t_udf, t_peer, cores=2)


def report(name: str, rows: int, ours: float, peer: float, cores: int) -> None:
    print(
        f"{name:20} rows {rows:>12,}"
        f"  cidrkit {ours:8.2f} s ({rows / ours / cores / 1e6:5.2f} M rows/s/core)"
        f"  bucketed join {peer:8.2f} s ({rows / peer / cores / 1e6:5.2f} M rows/s/core)"
        f"  speed-up x{peer / ours:5.1f}",
        flush=True,
    )


WORKER = """
import pickle, sys
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
import numpy, pyarrow, cidrkit.scale.arrow
before = rss()
lookup = pickle.loads(open(sys.argv[1], "rb").read())
print(rss() - before)
"""


def memory(lookup: ArrowLookup, flows: Path, folder: Path) -> None:
    """What a worker holds: the unpickled table (RSS growth in a fresh process) and one batch."""
    pickled = folder / "table.pickle"
    pickled.write_bytes(pickle.dumps(lookup, protocol=pickle.HIGHEST_PROTOCOL))
    worker = subprocess.run(
        [sys.executable, "-c", WORKER, str(pickled)], capture_output=True, text=True, check=True
    )
    arrays = lookup.lpm.nbytes + lookup.prefix.nbytes
    batch = next(
        pq.ParquetFile(flows).iter_batches(batch_size=131_072, columns=["n", "src_addr", "bytes"])
    )
    annotated = lookup.append_matches(batch, lookup.rows(batch.column("src_addr")).rows)
    print(
        f"memory: broadcast (pickled table) {pickled.stat().st_size / 2**20:.1f} MiB;"
        f" table unpickled in a worker {float(worker.stdout):.0f} MiB RSS"
        f" ({arrays / 2**20:.1f} MiB of arrays); one 131,072-row batch"
        f" {batch.nbytes / 2**20:.1f} MiB in, {annotated.nbytes / 2**20:.1f} MiB annotated",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="spark,duckdb")
    parser.add_argument("--data", type=Path, default=ROOT / ".." / "shared" / "data")
    args = parser.parse_args()
    paths = [args.data / "bgp-ipv4.txt", args.data / "bgp-ipv6.txt"]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SystemExit(f"real data not found: {', '.join(missing)}")
    with tempfile.TemporaryDirectory(prefix="cidrkit-bench-scale-") as tmp:
        folder = Path(tmp)
        table_text = folder / "bgp.txt"
        table_text.write_bytes(b"".join(p.read_bytes() for p in paths))
        start = time.perf_counter()
        lookup = ArrowLookup.from_file(table_text)
        print(f"table: {len(lookup):,} prefixes built in {time.perf_counter() - start:.1f} s")
        parsed = parse_prefix_text(table_text.read_bytes(), str(table_text)).prefixes
        flows, peer_table = folder / "flows.parquet", folder / "peer_table.parquet"
        start = time.perf_counter()
        write_flows(flows, args.rows, parsed, np.random.default_rng(14))
        write_peer_table(peer_table, parsed)
        print(
            f"flows: {args.rows:,} rows, {flows.stat().st_size / 2**20:.0f} MiB Parquet,"
            f" written in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        memory(lookup, flows, folder)
        engines = args.engines.split(",")
        if "duckdb" in engines:
            bench_duckdb(flows, peer_table, lookup, args.runs, args.rows)
        if "spark" in engines:
            bench_spark(flows, peer_table, lookup, args.runs, args.rows)


if __name__ == "__main__":
    main()
