"""Spark ``local[2]``: ``cidrkit.scale.spark.annotate`` equals the text path on the 1M-row sample.

Starts its own local Spark (pyspark from PyPI, Java from the system); slow
(a JVM start), so marked, but CI runs it. Without Java it skips, except
under CI, where a missing Java is a failure rather than a silent skip.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cidrkit.errors import InputError
from cidrkit.scale.arrow import ArrowLookup
from tests.scale.conftest import Sample

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("pyspark")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        if os.environ.get("CI") == "true":
            pytest.fail("Spark needs Java: scripts/ci-services.sh installs it")
        pytest.skip("Spark needs Java (JAVA_HOME or java on PATH)")
    from pyspark.sql import SparkSession

    # Loopback only: Spark otherwise binds to the machine's outward address.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Workers run this interpreter, which has cidrkit and pyarrow installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    # A cache of its own: the JVM lookup's jar is built here on first use.
    os.environ.setdefault("CIDRKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cidrkit-cache")))
    session = (
        SparkSession.builder.master("local[2]")
        .appName("cidrkit-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.parametrize("via", ["jvm", "udf", "map"])
def test_spark_equals_the_text_path(spark: Any, sample: Sample, tmp_path: Path, via: str) -> None:
    from cidrkit.scale.spark import annotate

    flows = spark.read.parquet(str(sample.flows))
    annotated = annotate(flows, "src_addr", ArrowLookup.from_file(sample.table), via=via)
    assert annotated.columns == ["n", "src_addr", "bytes", "match_prefix", "match_vpc"]
    out = tmp_path / "annotated"
    annotated.write.parquet(str(out))
    got = pq.read_table(out).sort_by("n")
    assert got.column("n").to_pylist() == list(range(len(sample.prefix)))
    assert got.column("match_prefix").to_pylist() == sample.prefix
    assert got.column("match_vpc").to_pylist() == sample.vpc


def test_spark_refuses_a_missing_column(spark: Any, sample: Sample) -> None:
    from cidrkit.scale.spark import annotate

    flows = spark.read.parquet(str(sample.flows))
    with pytest.raises(InputError, match="no column 'dst'; the DataFrame has n, src_addr, bytes"):
        annotate(flows, "dst", ArrowLookup.from_file(sample.table))


def test_spark_refuses_an_unknown_way_in(spark: Any, sample: Sample) -> None:
    from cidrkit.scale.spark import annotate

    flows = spark.read.parquet(str(sample.flows))
    with pytest.raises(InputError, match="via must be one of 'jvm', 'map', 'udf', not 'pandas'"):
        annotate(flows, "src_addr", ArrowLookup.from_file(sample.table), via="pandas")


def test_spark_sql_functions_equal_the_text_path(spark: Any, sample: Sample) -> None:
    from cidrkit.scale.spark import register

    names = register(spark, ArrowLookup.from_file(sample.table))
    assert names == ["cidrkit_lookup", "cidrkit_lookup_vpc", "cidrkit_lookup_row"]
    spark.read.parquet(str(sample.flows)).createOrReplaceTempView("flows")
    got = spark.sql(
        "SELECT n, cidrkit_lookup(src_addr) AS prefix, cidrkit_lookup_vpc(src_addr) AS vpc,"
        " cidrkit_lookup_row(src_addr) AS row FROM flows WHERE n % 7 = 0 ORDER BY n"
    ).toArrow()
    rows = got.column("n").to_pylist()
    assert rows == list(range(0, len(sample.prefix), 7))
    assert got.column("prefix").to_pylist() == [sample.prefix[k] for k in rows]
    assert got.column("vpc").to_pylist() == [sample.vpc[k] for k in rows]
    table = ArrowLookup.from_file(sample.table).prefix.to_pylist()
    found = got.column("row").to_pylist()
    assert [None if r is None else table[r] for r in found] == got.column("prefix").to_pylist()


def test_spark_jvm_edges_and_junk(spark: Any) -> None:
    from cidrkit.scale.spark import annotate

    # A note longer than a text slot (64 bytes) is read through its offsets instead.
    long = "a note longer than sixty-four bytes with an accent: é and some more words"
    lookup = ArrowLookup.from_csv_text(
        "prefix,vpc,note\n0.0.0.0/0,all4,short\n::/0,all6,\n10.1.2.3/32,host,"
        f"{long}\n2001:db8::1/128,host6,six\n"
    )
    values = [
        "10.1.2.3", "10.1.2.4", " 10.1.2.3 ", "010.1.2.3", "10.1.2.3/32", None, "", "junk",
        "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "fe80::1%eth0", "::ffff:10.1.2.3", "::",
        "255.255.255.255",
    ]  # fmt: skip
    frame = spark.createDataFrame([(k, v) for k, v in enumerate(values)], "n long, addr string")
    got = annotate(frame, "addr", lookup).orderBy("n").toArrow()
    expected = lookup.match_columns(pa.array(values, pa.string()))
    assert got.column("match_prefix").to_pylist() == expected.column("match_prefix").to_pylist()
    assert got.column("match_vpc").to_pylist() == expected.column("match_vpc").to_pylist()
    assert got.column("match_vpc").to_pylist()[:4] == ["host", "all4", "host", None]
    assert got.column("match_note").to_pylist() == expected.column("match_note").to_pylist()
    assert got.column("match_note").to_pylist()[:2] == [long, "short"]


def test_spark_jvm_refuses_a_column_that_is_not_text(spark: Any, sample: Sample) -> None:
    from cidrkit.scale.spark import annotate

    flows = spark.read.parquet(str(sample.flows))
    with pytest.raises(InputError, match="column 'bytes' is bigint; the JVM lookup reads"):
        annotate(flows, "bytes", ArrowLookup.from_file(sample.table))


def test_spark_jvm_refuses_a_table_without_rows(spark: Any, sample: Sample) -> None:
    from cidrkit.scale.spark import annotate

    flows = spark.read.parquet(str(sample.flows))
    with pytest.raises(InputError, match="the prefix table has no rows"):
        annotate(flows, "src_addr", ArrowLookup.from_csv_text("prefix,vpc\n"))


def test_spark_jvm_matches_once_per_row(spark: Any, sample: Sample) -> None:
    from cidrkit.scale.spark import annotate

    flows = spark.read.parquet(str(sample.flows))
    plan = annotate(flows, "src_addr", ArrowLookup.from_file(sample.table))._jdf
    text = plan.queryExecution().executedPlan().toString()
    assert text.count("__cidrkit_hit_") == 1, text
    assert "*(1) Project" in text, "the lookup runs inside whole-stage generated code"


def test_spark_sql_function_refuses_a_number(spark: Any, sample: Sample) -> None:
    from pyspark.errors import AnalysisException

    from cidrkit.scale.spark import register

    register(spark, ArrowLookup.from_file(sample.table), name="owner_of")
    spark.read.parquet(str(sample.flows)).createOrReplaceTempView("numbered")
    with pytest.raises(AnalysisException, match="owner_of reads string, not bigint"):
        spark.sql("SELECT owner_of(bytes) FROM numbered").collect()


def test_spark_jvm_without_generated_code_gives_the_same(spark: Any) -> None:
    from cidrkit.scale.spark import annotate

    lookup = ArrowLookup.from_csv_text("prefix,vpc\n10.0.0.0/8,a\n10.1.0.0/16,b\n::/0,six\n")
    values = ["10.1.2.3", "10.2.0.1", None, "x", "2001:db8::1", " 10.1.0.0 # c"]
    frame = spark.createDataFrame(list(enumerate(values)), "n long, addr string")
    expected = ["b", "a", None, None, "six", "b"]
    for whole_stage, factory in (("true", "CODEGEN_ONLY"), ("false", "NO_CODEGEN")):
        spark.conf.set("spark.sql.codegen.wholeStage", whole_stage)
        spark.conf.set("spark.sql.codegen.factoryMode", factory)
        try:
            got = annotate(frame, "addr", lookup).orderBy("n").toArrow()
        finally:
            spark.conf.unset("spark.sql.codegen.wholeStage")
            spark.conf.unset("spark.sql.codegen.factoryMode")
        assert got.column("match_vpc").to_pylist() == expected, whole_stage


def test_spark_jvm_text_of_a_forged_hit_is_null_or_harmless(spark: Any) -> None:
    """The internal text functions take any long from SQL: one the table never gave is refused."""
    import ipaddress

    from cidrkit.scale import jvm
    from cidrkit.scale.spark import annotate

    lookup = ArrowLookup.from_csv_text("prefix,vpc\n10.0.0.0/8,a\n2001:db8::/32,doc\n")
    frame = spark.createDataFrame([(0, "10.1.2.3")], "n long, addr string")
    assert annotate(frame, "addr", lookup).collect()[0].match_vpc == "a"
    _, key = jvm.write_table(lookup)
    real = spark.sql(f"SELECT __cidrkit_hit_{key}('10.1.2.3') AS h").collect()[0].h
    forged = [0, 1, -3, 5, 2**62, -(2**63), 2**63 - 1, (5 << 32) | (1 << 31), (1 << 32) | 7]
    values = [(k, hit) for k, hit in enumerate([real, *forged])]
    rows = spark.createDataFrame(values, "n long, hit long").selectExpr(
        "n", f"__cidrkit_column0_{key}(hit) AS prefix", f"__cidrkit_column1_{key}(hit) AS vpc"
    )
    got = sorted(rows.collect())
    assert (got[0].prefix, got[0].vpc) == ("10.0.0.0/8", "a")
    assert any(row.prefix is None for row in got[1:])
    for row in got[1:]:
        assert row.prefix is None or ipaddress.ip_network(row.prefix), row
        assert row.vpc in (None, "a", "doc"), row
