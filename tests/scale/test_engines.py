"""Parquet through the CLI, DuckDB's SQL function and Polars' expression equal the text path."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cidrkit.scale.arrow import ArrowLookup
from tests.cli.runner import cli
from tests.scale.conftest import Sample


def test_cli_parquet_equals_the_text_path(sample: Sample, tmp_path: Path) -> None:
    out = tmp_path / "annotated.parquet"
    result = cli(
        "lookup", "--table", str(sample.table), "--column", "src_addr", str(sample.flows),
        "--output-file", str(out),
    )  # fmt: skip
    assert result.code == 2  # the bad-N rows, reported with their row
    assert result.err.splitlines()[0].startswith(f"{sample.flows}, column 'src_addr', row 12: ")
    got = pq.read_table(out)
    assert got.column("n").to_pylist() == list(range(len(sample.prefix)))
    assert got.column("match_prefix").to_pylist() == sample.prefix
    assert got.column("match_vpc").to_pylist() == sample.vpc


def test_duckdb_function_equals_the_text_path(sample: Sample) -> None:
    duckdb = pytest.importorskip("duckdb")
    from cidrkit.scale.duckdb import register

    con = duckdb.connect()
    created = register(con, ArrowLookup.from_file(sample.table))
    assert created == ["cidrkit_lookup", "cidrkit_lookup_vpc"]
    relation = con.sql(
        "SELECT cidrkit_lookup(src_addr) AS prefix, cidrkit_lookup_vpc(src_addr) AS vpc"
        f" FROM '{sample.flows}' ORDER BY n"
    )
    # DuckDB 1.5 renamed the whole-table fetch; older releases have only the first name.
    got = relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.arrow()
    assert got.column("prefix").to_pylist() == sample.prefix
    assert got.column("vpc").to_pylist() == sample.vpc


def test_duckdb_group_by_owner(sample: Sample) -> None:
    duckdb = pytest.importorskip("duckdb")
    from cidrkit.scale.duckdb import register

    con = duckdb.connect()
    register(con, ArrowLookup.from_file(sample.table))
    got = dict(
        con.sql(
            f"SELECT cidrkit_lookup_vpc(src_addr) AS vpc, count(*) FROM '{sample.flows}'"
            " WHERE vpc IS NOT NULL GROUP BY vpc"
        ).fetchall()
    )
    expected: dict[str, int] = {}
    for vpc in sample.vpc:
        if vpc is not None:
            expected[vpc] = expected.get(vpc, 0) + 1
    assert got == expected


def test_polars_expression_equals_the_text_path(sample: Sample) -> None:
    pl = pytest.importorskip("polars")
    from cidrkit.scale.polars import annotate

    frame = pl.read_parquet(sample.flows)
    got = annotate(frame, "src_addr", ArrowLookup.from_file(sample.table))
    assert got.columns == ["n", "src_addr", "bytes", "match_prefix", "match_vpc"]
    assert got["match_prefix"].to_list() == sample.prefix
    assert got["match_vpc"].to_list() == sample.vpc


def test_polars_lazy_frame_streams_through_the_same_expression(sample: Sample) -> None:
    pl = pytest.importorskip("polars")
    from cidrkit.scale.polars import annotate

    lazy = annotate(pl.scan_parquet(sample.flows), "src_addr", ArrowLookup.from_file(sample.table))
    got = lazy.group_by("match_vpc").agg(pl.len()).collect()
    counts = dict(zip(got["match_vpc"].to_list(), got["len"].to_list(), strict=True))
    assert counts.get("vpc-0") == sample.vpc.count("vpc-0")
    assert counts.get(None) == sample.vpc.count(None)


def test_duckdb_function_gives_null_for_bad_values_and_never_raises() -> None:
    duckdb = pytest.importorskip("duckdb")
    from cidrkit.scale.duckdb import register

    con = duckdb.connect()
    register(con, ArrowLookup.from_csv_text("prefix,owner name\n10.0.0.0/8,a\n"))
    rows = con.execute(
        "SELECT cidrkit_lookup(a), cidrkit_lookup_owner_name(a)"
        " FROM (VALUES ('10.1.1.1'), (NULL), ('nope'), ('10.0.0.0/8')) t(a)"
    ).fetchall()
    assert rows == [("10.0.0.0/8", "a"), (None, None), (None, None), (None, None)]


def test_duckdb_streamed_annotation_equals_the_text_path(sample: Sample) -> None:
    duckdb = pytest.importorskip("duckdb")
    from cidrkit.scale.duckdb import annotate

    con = duckdb.connect()
    lookup = ArrowLookup.from_file(sample.table)
    relation = annotate(con, f"SELECT n, src_addr FROM '{sample.flows}'", "src_addr", lookup)
    got = relation.order("n").fetchall()
    assert [row[0] for row in got] == list(range(len(sample.prefix)))
    assert [row[2] for row in got] == sample.prefix
    assert [row[3] for row in got] == sample.vpc


def test_duckdb_streamed_annotation_names_a_missing_column() -> None:
    duckdb = pytest.importorskip("duckdb")
    from cidrkit.errors import InputError
    from cidrkit.scale.duckdb import annotate

    con = duckdb.connect()
    lookup = ArrowLookup.from_csv_text("prefix\n10.0.0.0/8\n")
    with pytest.raises(InputError, match="no column 'dst'; the query gives a, b"):
        annotate(con, "SELECT 1 AS a, 2 AS b", "dst", lookup)
