"""Kernel figures of Spark's JVM lookup: one thread, no Spark, per address.

Whole queries are what ``bench_scale.py`` times; this splits one address's
cost into reading its text, matching it and writing the prefix text, to see
where a change goes. It reuses ``bench_scale.py``'s work folder (the table
text and the flows Parquet), takes the first ``--addresses`` flow addresses,
and times them mixed as they come, IPv4 only and IPv6 only, on one core:

    python bench/bench_scale.py --engines spark --spark-steps read --runs 1 --workdir DIR
    python bench/bench_jvm_kernel.py --workdir DIR [--addresses 1048576]

Labelled kernel figures: the whole-command rate is ``bench_scale.py``'s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cidrkit.scale import jvm  # noqa: E402
from cidrkit.scale.arrow import ArrowLookup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="bench_scale.py's work folder")
    parser.add_argument("--addresses", type=int, default=1 << 20)
    args = parser.parse_args()
    flows = sorted(args.workdir.glob("flows-*.parquet"))
    table_text = args.workdir / "bgp.txt"
    if not flows or not table_text.is_file():
        raise SystemExit(f"no flows or table in {args.workdir}: run bench_scale.py --workdir first")
    table_file, _ = jvm.write_table(ArrowLookup.from_file(table_text))
    first = pq.ParquetFile(flows[0]).read_row_group(0, columns=["src_addr"]).column(0)
    column = first.slice(0, args.addresses).combine_chunks()
    is_v6 = pc.match_substring(column, ":")
    with tempfile.TemporaryDirectory(prefix="cidrkit-jvm-kernel-") as tmp:
        folder = Path(tmp)
        files = []
        for name, values in (
            ("mixed.txt", column),
            ("ipv4.txt", column.filter(pc.invert(is_v6))),
            ("ipv6.txt", column.filter(is_v6)),
        ):
            path = folder / name
            path.write_text("\n".join(values.to_pylist()) + "\n")
            files.append(str(path))
        jar = str(jvm.jar_path())
        javac = str(jvm.find_javac())
        classes = folder / "classes"
        source = ROOT / "bench" / "jvm" / "LookupTiming.java"
        subprocess.run([javac, "-cp", jar, "-d", str(classes), str(source)], check=True)
        java = shutil.which("java") or "java"
        # One core, as a Spark task has.
        pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
        command = [*pin, java, "-cp", f"{jar}{os.pathsep}{classes}", "cidrkit.spark.LookupTiming"]
        subprocess.run([*command, str(table_file), *files], check=True)


if __name__ == "__main__":
    main()
