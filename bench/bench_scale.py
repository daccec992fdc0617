"""Annotating flows inside engines: Spark and DuckDB, cidrkit's lookup against their own best join.

Builds synthetic flow logs as Parquet (``--rows``, mixed IPv4/IPv6, every
address inside some routed prefix, so every row has work to do) against the
full BGP tables (``../shared/data/bgp-ipv4.txt`` and ``bgp-ipv6.txt``), then
times whole queries, median of ``--runs``:

- Spark ``local[2]``: ``cidrkit.scale.spark.annotate`` in the JVM (the
  default) and through Python workers (mapInArrow, the table broadcast),
  against the formulation Spark users write for a range join: the
  table exploded into /16 buckets (IPv6: /32), an equi-join on the bucket
  with ``BETWEEN`` on the address, and the longest match kept by
  ``max_by(prefix, length)`` per row. The peer gets numeric address columns
  precomputed in the Parquet (it cannot parse text addresses itself); both
  sides run to Spark's ``noop`` sink, so the whole plan runs and nothing is
  written. Beside them, the floor: the scan alone, and an identity Python
  function (``--spark-steps`` picks; see ``bench_spark``).
- DuckDB: the streamed ``cidrkit.scale.duckdb.annotate`` and the
  ``cidrkit_lookup`` SQL function, each against the same bucketed join in
  DuckDB SQL.
- Polars: ``cidrkit.scale.polars.annotate`` over a lazy Parquet scan.
- Memory: the table as held by a worker, the broadcast's pickled size, and
  one Arrow batch.

Spark's lines give wall time and the CPU seconds of the whole process tree
(the JVM and its Python workers): on a shared machine, rows per CPU second
is the rate a core of one's own would give.

    python bench/bench_scale.py [--rows 20000000] [--runs 3] [--engines spark,duckdb,polars]
        [--spark-steps read,identity,...] [--workdir DIR]

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


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median wall seconds, median CPU seconds (the whole process tree), and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        cpu = tree_cpu_seconds()
        start = time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(tree_cpu_seconds() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def tree_cpu_seconds() -> float:
    """CPU time of this process and every process under it (the JVM, Python workers).

    Wall time on a shared machine counts the other tenants' work too; CPU
    seconds count only ours, so rows per CPU second is the rate per core
    that a core of our own would give.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    spent: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        # After the name: state, ppid, ..., utime (12), stime, cutime, cstime (15).
        parents[int(entry.name)] = int(fields[1])
        spent[int(entry.name)] = sum(int(f) for f in fields[11:15]) / ticks
    ours, total = {os.getpid()}, 0.0
    for pid in sorted(parents):
        chain, at = [], pid
        while at in parents and at not in ours and at > 1:
            chain.append(at)
            at = parents[at]
        if at in ours:
            ours.update(chain)
    for pid in ours:
        total += spent.get(pid, 0.0)
    return total


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


SPARK_STEPS = (
    "read",
    "jvm-rows",
    "jvm",
    "jvm-join",
    "jvm-parquet",
    "identity",
    "udf-identity",
    "timed",
    "rows",
    "map",
    "udf",
    "parquet",
    "peer",
)


def spark_session(batch_rows: int, split_mib: int) -> Any:
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", "3g")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
        # Input splits of a few row groups: the tasks outnumber the cores as on
        # a cluster reading many files, rather than 5 splits on 2 cores leaving
        # one idle for the last third of every query (peer and ours alike).
        .config("spark.sql.files.maxPartitionBytes", f"{split_mib}m")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def bench_spark(
    flows: Path, peer_table: Path, lookup: ArrowLookup, args: argparse.Namespace
) -> None:
    """Whole queries from the Parquet file to Spark's ``noop`` sink, and the floor beneath them.

    ``read``: the scan alone; ``identity``: the batches through a
    ``mapInArrow`` that hands them back as they came (what any Python
    function costs: the JVM's rows to Arrow, the pipe both ways, Arrow back
    to rows); ``udf-identity``: the address column alone through an Arrow
    UDF that returns it; ``timed``: the annotation as an Arrow UDF with the
    CPU time spent inside the Python function summed by an accumulator;
    ``rows``: an Arrow UDF answering the table row numbers only (the lookup
    without the text columns); ``map``: ``annotate(via="map")``
    (``mapInArrow``); ``udf``: ``annotate(via="udf")``; ``parquet``:
    ``annotate(via="map")`` written to Parquet (snappy); ``peer``: the
    bucketed join. In the JVM: ``jvm-rows``: the SQL function answering the
    table row only; ``jvm``: ``annotate`` (the default, ``via="jvm"``: the
    row once, the prefix and label text read from it in the JVM);
    ``jvm-join``: the row, then the prefix and labels from the table as a
    small DataFrame joined back by a broadcast hash join (the other way to
    get the text); ``jvm-parquet``: ``annotate`` written to Parquet.
    """
    from pyspark.sql import functions
    from pyspark.sql.functions import broadcast, call_function, col

    from cidrkit.scale.spark import annotate, register

    rows, runs = args.rows, args.runs
    spark = spark_session(args.batch_rows, args.split_mib)
    frame = spark.read.parquet(str(flows)).select("n", "src_addr", "bytes")
    spark.read.parquet(str(peer_table)).createOrReplaceTempView("peer_table")
    spark.read.parquet(str(flows)).createOrReplaceTempView("flows")
    steps = args.spark_steps.split(",")
    inside = spark.sparkContext.accumulator(0.0)
    column = "src_addr"

    def noop(out: Any) -> None:
        out.write.format("noop").mode("overwrite").save()

    def identity(batches: Any) -> Any:
        yield from batches

    shared = spark.sparkContext.broadcast(lookup)

    def timed(addresses: pa.Array) -> pa.Array:
        start = time.process_time()
        table = shared.value
        matched = table.match_columns(addresses)
        out = pa.StructArray.from_arrays(
            [c.combine_chunks() for c in matched.columns], names=matched.column_names
        )
        inside.add(time.process_time() - start)
        return out

    def row_numbers(addresses: pa.Array) -> pa.Array:
        found = shared.value.rows(addresses).rows
        return pa.array(found.astype(np.int32), mask=found < 0)

    arrow_udf = functions.arrow_udf  # type: ignore[attr-defined]

    struct = annotate(frame, column, lookup, via="map").schema[len(frame.columns) :]
    register(spark, lookup)
    labels = spark.createDataFrame(
        pa.table(
            {"__row": np.arange(len(lookup), dtype=np.int32), "match_prefix": lookup.prefix}
            | {f"match_{name}": values for name, values in lookup.labels.items()}
        )
    )
    jvm_rows = frame.withColumn("__row", call_function("cidrkit_lookup_row", col(column)))
    queries: dict[str, Callable[[], None]] = {
        "read": lambda: noop(frame),
        "identity": lambda: noop(frame.mapInArrow(identity, frame.schema)),
        "udf-identity": lambda: noop(
            frame.withColumn("copy", arrow_udf(lambda a: a, "string")(col(column)))
        ),
        "timed": lambda: noop(frame.withColumn("m", arrow_udf(timed, struct)(col(column)))),
        "rows": lambda: noop(frame.withColumn("row", arrow_udf(row_numbers, "int")(col(column)))),
        "map": lambda: noop(annotate(frame, column, lookup, via="map")),
        "udf": lambda: noop(annotate(frame, column, lookup, via="udf")),
        "parquet": lambda: (
            annotate(frame, column, lookup, via="map")
            .write.mode("overwrite")
            .parquet(str(flows.parent / "annotated.parquet"))
        ),
        "jvm-rows": lambda: noop(jvm_rows),
        "jvm": lambda: noop(annotate(frame, column, lookup)),
        "jvm-join": lambda: noop(jvm_rows.join(broadcast(labels), "__row", "left")),
        "jvm-parquet": lambda: (
            annotate(frame, column, lookup)
            .write.mode("overwrite")
            .parquet(str(flows.parent / "annotated-jvm.parquet"))
        ),
        "peer": lambda: noop(spark.sql(PEER_SQL)),
    }
    print(
        f"spark local[2]: {frame.rdd.getNumPartitions()} partitions ({args.split_mib} MiB splits),"
        f" {args.batch_rows:,}-row Arrow batches",
        flush=True,
    )
    for step in steps:
        inside.value = 0.0
        took, cpu, _ = median_time(queries[step], runs)
        extra = ""
        if step == "timed":
            extra = f"; inside the Python function {inside.value / runs:6.2f} s CPU"
        print(
            f"  {step:9} median of {runs}: {took:7.2f} s wall"
            f" {rows / took / 2 / 1e6:5.2f} M rows/s/core;"
            f" {cpu:7.2f} s CPU {rows / cpu / 1e6:5.2f} M rows/CPU-s{extra}",
            flush=True,
        )
    if "peer" in steps:
        matched_peer = spark.sql(PEER_SQL).filter("prefix_id IS NOT NULL").count()
        for way in ("jvm", "map"):
            if way in steps:
                ours = annotate(frame, column, lookup, via=way)
                matched_ours = ours.filter("match_prefix IS NOT NULL").count()
                if matched_ours != matched_peer:
                    raise SystemExit(
                        f"spark: match counts differ: cidrkit ({way}) {matched_ours},"
                        f" peer {matched_peer}"
                    )
    if any(step.startswith("jvm") for step in steps):
        jvm_memory(spark, lookup)
    spark.stop()


def jvm_memory(spark: Any, lookup: ArrowLookup) -> None:
    """What an executor JVM holds for the JVM lookup: the table file, loaded once."""
    from cidrkit.scale import jvm

    path, _ = jvm.write_table(lookup)
    start = time.perf_counter()
    table = spark._jvm.cidrkit.spark.RangeTable.read(spark._jvm.java.io.File(str(path)).toPath())
    took = time.perf_counter() - start
    print(
        f"memory (jvm): table file {path.stat().st_size / 2**20:.1f} MiB, loaded in {took:.2f} s"
        f" into {table.heapBytes() / 2**20:.1f} MiB of arrays per executor JVM;"
        " rows stream through Spark's own row batches (no Arrow batch)",
        flush=True,
    )


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

    t_stream, cpu_stream, matched_stream = median_time(streamed, runs)
    t_udf, cpu_udf, matched_udf = median_time(lambda: con.execute(udf_sql).fetchall()[0][0], runs)
    t_peer, cpu_peer, matched_peer = median_time(
        lambda: con.execute(peer_sql).fetchall()[0][0], runs
    )
    if not matched_stream == matched_udf == matched_peer:
        raise SystemExit(
            f"duckdb: match counts differ: stream {matched_stream}, function {matched_udf},"
            f" peer {matched_peer}"
        )
    report("duckdb annotate()", rows, (t_stream, cpu_stream), (t_peer, cpu_peer))
    report("duckdb function", rows, (t_udf, cpu_udf), (t_peer, cpu_peer))


def report(name: str, rows: int, ours: tuple[float, float], peer: tuple[float, float]) -> None:
    """Wall seconds (and M rows/s per core of the 2) and CPU seconds (and M rows per CPU second)."""

    def figures(wall: float, cpu: float) -> str:
        return (
            f"{wall:7.2f} s wall {rows / wall / 2 / 1e6:5.2f} M rows/s/core,"
            f" {cpu:7.2f} s CPU {rows / cpu / 1e6:5.2f} M rows/CPU-s"
        )

    print(
        f"{name:18} cidrkit {figures(*ours)} | bucketed join {figures(*peer)}"
        f" | x{peer[0] / ours[0]:.1f} wall",
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
unpickled = rss()
lookup.native_table()
print(unpickled - before, rss() - unpickled)
"""


def memory(lookup: ArrowLookup, flows: Path, folder: Path) -> None:
    """What a worker holds: the unpickled table (RSS growth in a fresh process) and one batch."""
    pickled = folder / "table.pickle"
    pickled.write_bytes(pickle.dumps(lookup, protocol=pickle.HIGHEST_PROTOCOL))
    worker = subprocess.run(
        [sys.executable, "-c", WORKER, str(pickled)], capture_output=True, text=True, check=True
    )
    unpickled, engine_table = (float(x) for x in worker.stdout.split())
    arrays = lookup.lpm.nbytes + lookup.prefix.nbytes
    batch = next(
        pq.ParquetFile(flows).iter_batches(batch_size=131_072, columns=["n", "src_addr", "bytes"])
    )
    annotated = lookup.append_matches(batch, lookup.rows(batch.column("src_addr")).rows)
    print(
        f"memory: broadcast (pickled table) {pickled.stat().st_size / 2**20:.1f} MiB;"
        f" table unpickled in a worker {unpickled:.0f} MiB RSS"
        f" ({arrays / 2**20:.1f} MiB of arrays), the engine's table built from it"
        f" {engine_table:.0f} MiB more; one 131,072-row batch"
        f" {batch.nbytes / 2**20:.1f} MiB in, {annotated.nbytes / 2**20:.1f} MiB annotated",
        flush=True,
    )


def bench_polars(flows: Path, lookup: ArrowLookup, runs: int, rows: int) -> None:
    """Polars: the Parquet scanned lazily, annotated by the expression, matches counted."""
    import polars as pl

    from cidrkit.scale.polars import annotate

    def annotated() -> int:
        frame = annotate(
            pl.scan_parquet(flows).select("n", "src_addr", "bytes"), "src_addr", lookup
        )
        return int(frame.select(pl.col("match_prefix").count()).collect().item())

    took, cpu, _ = median_time(annotated, runs)
    print(
        f"polars annotate()  median of {runs}: {took:7.2f} s wall"
        f" {rows / took / 2 / 1e6:5.2f} M rows/s/core, {cpu:7.2f} s CPU"
        f" {rows / cpu / 1e6:5.2f} M rows/CPU-s",
        flush=True,
    )


def lookup_alone(lookup: ArrowLookup, flows: Path) -> None:
    """The lookup in this one process on the first 2M addresses, batch by batch, CPU seconds."""
    batches = [
        b.column(0)
        for _, b in zip(
            range(16),
            pq.ParquetFile(flows).iter_batches(batch_size=131_072, columns=["src_addr"]),
            strict=False,
        )
    ]
    rows = sum(len(b) for b in batches)
    lookup.native_table()
    for name, work in (("rows", lookup.rows), ("with columns", lookup.match_columns)):
        start = time.process_time()
        for batch in batches:
            work(batch)
        spent = time.process_time() - start
        print(f"lookup alone, {name}: {rows / spent / 1e6:.2f} M rows/CPU-s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="spark,duckdb,polars")
    parser.add_argument("--spark-steps", default=",".join(SPARK_STEPS))
    parser.add_argument("--batch-rows", type=int, default=131_072)
    parser.add_argument(
        "--split-mib", type=int, default=64, help="Spark's input split size (maxPartitionBytes)"
    )
    parser.add_argument("--data", type=Path, default=ROOT / ".." / "shared" / "data")
    parser.add_argument(
        "--workdir", type=Path, help="keep the generated Parquet here and reuse it next time"
    )
    args = parser.parse_args()
    paths = [args.data / "bgp-ipv4.txt", args.data / "bgp-ipv6.txt"]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SystemExit(f"real data not found: {', '.join(missing)}")
    with tempfile.TemporaryDirectory(prefix="cidrkit-bench-scale-") as tmp:
        folder = args.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        table_text = folder / "bgp.txt"
        table_text.write_bytes(b"".join(p.read_bytes() for p in paths))
        start = time.perf_counter()
        lookup = ArrowLookup.from_file(table_text)
        print(f"table: {len(lookup):,} prefixes built in {time.perf_counter() - start:.1f} s")
        flows = folder / f"flows-{args.rows}.parquet"
        peer_table = folder / "peer_table.parquet"
        if not (flows.is_file() and peer_table.is_file()):
            parsed = parse_prefix_text(table_text.read_bytes(), str(table_text)).prefixes
            start = time.perf_counter()
            write_flows(flows, args.rows, parsed, np.random.default_rng(14))
            write_peer_table(peer_table, parsed)
            print(f"flows written in {time.perf_counter() - start:.1f} s")
        print(
            f"flows: {args.rows:,} rows, {flows.stat().st_size / 2**20:.0f} MiB Parquet",
            flush=True,
        )
        memory(lookup, flows, folder)
        lookup_alone(lookup, flows)
        engines = args.engines.split(",")
        if "duckdb" in engines:
            bench_duckdb(flows, peer_table, lookup, args.runs, args.rows)
        if "polars" in engines:
            bench_polars(flows, lookup, args.runs, args.rows)
        if "spark" in engines:
            bench_spark(flows, peer_table, lookup, args)


if __name__ == "__main__":
    main()
