"""``cidrkit lookup`` over Parquet and Arrow IPC files: every column kept, batches streamed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

from cidrkit.errors import MAX_REPORTED
from cidrkit.scale import files
from tests.cli.runner import cli

TABLE = "prefix,vpc,account\n10.0.0.0/8,prod,111\n10.1.0.0/16,dev,222\n2001:db8::/32,v6,333\n"
FLOWS = {
    "n": [1, 2, 3, 4, 5],
    "src_addr": ["10.1.2.3", "192.0.2.1", None, "2001:db8::7", "10.200.0.1"],
    "bytes": [100, 200, 300, 400, 500],
}
EXPECTED_PREFIX = ["10.1.0.0/16", None, None, "2001:db8::/32", "10.0.0.0/8"]
EXPECTED_VPC = ["dev", None, None, "v6", "prod"]


@pytest.fixture
def table(tmp_path: Path) -> str:
    path = tmp_path / "owners.csv"
    path.write_text(TABLE)
    return str(path)


def write_parquet(path: Path, data: dict[str, list[object]], row_group_size: int = 2) -> str:
    pq.write_table(pa.table(data), path, row_group_size=row_group_size)
    return str(path)


def test_parquet_in_parquet_out_keeps_every_column(table: str, tmp_path: Path) -> None:
    flows = write_parquet(tmp_path / "flows.parquet", FLOWS)
    out = tmp_path / "out.parquet"
    code, stdout, err = cli(
        "lookup", "--table", table, "--column", "src_addr", flows, "--output-file", str(out)
    )
    assert (code, stdout, err) == (0, "", "")
    got = pq.read_table(out)
    assert got.column_names == [
        "n",
        "src_addr",
        "bytes",
        "match_prefix",
        "match_vpc",
        "match_account",
    ]
    assert got.column("n").to_pylist() == FLOWS["n"]
    assert got.column("bytes").to_pylist() == FLOWS["bytes"]
    assert got.column("match_prefix").to_pylist() == EXPECTED_PREFIX
    assert got.column("match_vpc").to_pylist() == EXPECTED_VPC


def test_parquet_is_streamed_one_batch_per_row_group(
    table: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of at most two rows: the output has one row group per batch read.
    monkeypatch.setattr(files, "BATCH_ROWS", 2)
    flows = write_parquet(tmp_path / "flows.parquet", FLOWS, row_group_size=2)
    out = tmp_path / "out.parquet"
    assert (
        cli("lookup", "--table", table, "--column", "2", flows, "--output-file", str(out)).code == 0
    )
    written = pq.ParquetFile(out)
    assert [written.metadata.row_group(k).num_rows for k in range(written.num_row_groups)] == [
        2,
        2,
        1,
    ]
    assert written.read().column("match_prefix").to_pylist() == EXPECTED_PREFIX


@pytest.mark.parametrize("writer", ["file", "stream"])
def test_arrow_ipc_in_and_out(table: str, tmp_path: Path, writer: str) -> None:
    flows = tmp_path / "flows.arrow"
    data = pa.table(FLOWS)
    with pa.OSFile(str(flows), "wb") as sink:
        open_writer = ipc.new_file if writer == "file" else ipc.new_stream
        with open_writer(sink, data.schema) as w:
            w.write_table(data, max_chunksize=2)
    out = tmp_path / "out.arrow"
    code, _, err = cli(
        "lookup", "--table", table, "--column", "src_addr", str(flows), "--output-file", str(out)
    )
    assert (code, err) == (0, "")
    got = ipc.open_file(pa.memory_map(str(out))).read_all()
    assert got.column("match_vpc").to_pylist() == EXPECTED_VPC
    assert got.column("bytes").to_pylist() == FLOWS["bytes"]


def test_parquet_to_csv_on_stdout_and_matched_only(table: str, tmp_path: Path) -> None:
    flows = write_parquet(tmp_path / "flows.parquet", FLOWS)
    code, out, err = cli(
        "lookup",
        "--table",
        table,
        "--column",
        "src_addr",
        flows,
        "--output",
        "csv",
        "--matched-only",
    )
    assert (code, err) == (0, "")
    rows = pacsv.read_csv(pa.py_buffer(out.encode()))
    assert rows.column("n").to_pylist() == [1, 4, 5]
    assert rows.column("match_vpc").to_pylist() == ["dev", "v6", "prod"]


def test_stats_agree_with_the_text_path(table: str, tmp_path: Path) -> None:
    flows = write_parquet(tmp_path / "flows.parquet", FLOWS)
    text = tmp_path / "flows.txt"
    text.write_text("".join(f"{a}\n" for a in FLOWS["src_addr"] if a is not None))
    for as_json in ([], ["--json"]):
        columnar = cli(
            "lookup", "--table", table, "--column", "src_addr", flows, "--stats", *as_json
        )
        plain = cli("lookup", "--table", table, str(text), "--stats", *as_json)
        assert columnar == plain
        assert columnar.code == 0


def test_bad_addresses_are_reported_with_file_column_and_row(table: str, tmp_path: Path) -> None:
    data = {"src": ["10.1.0.1", "10.0.0.1", "oops", "10.0.0.1", "10.0.0.5/8"]}
    flows = write_parquet(tmp_path / "flows.parquet", data, row_group_size=2)
    out = tmp_path / "out.parquet"
    code, _, err = cli(
        "lookup", "--table", table, "--column", "src", flows, "--output-file", str(out)
    )
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == f"{flows}, column 'src', row 3: error: 'oops': not an IPv4 or IPv6 address"
    assert lines[1].startswith(f"{flows}, column 'src', row 5: error: '10.0.0.5/8': ")
    # Nothing is lost: every row is still written, the bad ones unmatched.
    assert pq.read_table(out).column("match_vpc").to_pylist() == ["dev", "prod", None, "prod", None]


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ([], "flows.parquet: name the address column with --column (it has n, src_addr, bytes)"),
        (["--column", "dst"], "flows.parquet: no column 'dst'; it has n, src_addr, bytes"),
        (["--column", "9"], "flows.parquet: no column '9'; it has n, src_addr, bytes"),
        (["--column", "src_addr", "--field", "a"], "give --column (CSV input) or --field"),
        (["--column", "src_addr"], "parquet output is binary: give --output-file FILE"),
        (
            ["--column", "src_addr", "--output", "jsonl"],
            "parquet input writes --output parquet, arrow or csv, not jsonl",
        ),
        (["--column", "n", "--output", "csv"], "a column of int64 cannot hold addresses"),
        (
            ["--column", "src_addr", "--output-file", "/nonexistent/dir/out.parquet"],
            "/nonexistent/dir/out.parquet: cannot write",
        ),
    ],
)
def test_bad_arguments_are_named(table: str, tmp_path: Path, extra: list[str], error: str) -> None:
    flows = write_parquet(tmp_path / "flows.parquet", FLOWS)
    code, _, err = cli("lookup", "--table", table, flows, *extra, cwd=tmp_path)
    assert code == 2
    assert error in err


def test_mixed_text_and_parquet_inputs_are_refused(table: str, tmp_path: Path) -> None:
    flows = write_parquet(tmp_path / "flows.parquet", FLOWS)
    text = tmp_path / "more.txt"
    text.write_text("10.0.0.1\n")
    code, _, err = cli("lookup", "--table", table, "--column", "src_addr", flows, str(text))
    assert code == 2
    assert f"inputs of one run share one format; got {flows} (parquet), {text} (text)" in err


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        (["--output", "parquet"], "--output parquet needs Parquet or Arrow input"),
        (["--output-file", "x.parquet"], "--output-file is for Parquet and Arrow input"),
    ],
)
def test_binary_output_needs_columnar_input(
    table: str, tmp_path: Path, extra: list[str], error: str
) -> None:
    text = tmp_path / "flows.txt"
    text.write_text("10.0.0.1\n")
    code, _, err = cli("lookup", "--table", table, str(text), *extra)
    assert code == 2 and error in err


def test_a_corrupt_parquet_file_is_bad_input(table: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not really parquet")
    code, _, err = cli("lookup", "--table", table, "--column", "a", str(broken), "--output", "csv")
    assert code == 2
    assert f"{broken}: not a readable parquet file" in err


def test_without_pyarrow_the_columnar_path_says_what_to_install(
    table: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flows = write_parquet(tmp_path / "flows.parquet", FLOWS)
    for name in ("cidrkit.scale.arrow", "cidrkit.scale.files"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    code, _, err = cli("lookup", "--table", table, "--column", "src_addr", flows)
    assert code == 2
    assert "reading parquet input needs pyarrow (pyarrow is missing)" in err
    assert "pip install 'cidrkit[arrow]'" in err


def test_text_lookups_never_load_pyarrow(table: str, tmp_path: Path) -> None:
    text = tmp_path / "flows.txt"
    text.write_text("10.1.2.3\n")
    script = (
        "import sys\n"
        "from cidrkit.cli.main import main\n"
        f"sys.argv = ['cidrkit', 'lookup', '--table', {table!r}, {str(text)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('pyarrow' in sys.modules, 'numpy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "False True"


def test_many_bad_rows_are_reported_up_to_the_cap_and_counted(table: str, tmp_path: Path) -> None:
    data = {"src": [f"bad-{k}" for k in range(30)] + ["10.0.0.1"]}
    flows = write_parquet(tmp_path / "flows.parquet", data, row_group_size=7)
    code, out, err = cli("lookup", "--table", table, "--column", "src", flows, "--output", "csv")
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == MAX_REPORTED + 1
    assert lines[MAX_REPORTED - 1].startswith(f"{flows}, column 'src', row {MAX_REPORTED}: ")
    assert lines[-1] == f"cidrkit: \u2026 and {30 - MAX_REPORTED} more errors"
    assert len(out.splitlines()) == 32  # header and every row, the bad ones unmatched


def test_json_lines_output_is_for_text_input(table: str, tmp_path: Path) -> None:
    flows = write_parquet(tmp_path / "flows.parquet", FLOWS)
    code, _, err = cli("lookup", "--table", table, "--column", "src_addr", flows, "--json")
    assert code == 2
    assert "--json writes JSON lines from text input" in err
