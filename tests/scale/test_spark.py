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

import pyarrow.parquet as pq
import pytest

from cidrkit.errors import InputError
from cidrkit.scale.arrow import ArrowLookup
from tests.scale.conftest import Sample

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
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


@pytest.mark.parametrize("via", ["udf", "map"])
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
    with pytest.raises(InputError, match="via must be 'udf' or 'map', not 'pandas'"):
        annotate(flows, "src_addr", ArrowLookup.from_file(sample.table), via="pandas")
