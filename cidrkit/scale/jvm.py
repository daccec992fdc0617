"""The lookup inside the JVM: the Java matcher's jar, and the table file it reads.

Spark hands rows to Python workers at a cost above the lookup itself, so
``cidrkit.scale.spark`` can run the match in the executors' JVM instead. The
Java source ships inside this package (``java/cidrkit/spark``, Java 17, no
dependency beyond Spark's own jars) and is compiled on first use with the
JDK's ``javac`` into a small jar, cached under ``$CIDRKIT_CACHE_DIR`` (or
``$XDG_CACHE_HOME/cidrkit``, else ``~/.cache/cidrkit``) and named by the hash
of the sources and pyspark's version, so a new release or a new Spark builds
a new jar. To build it once for a cluster (``spark-submit --jars``)::

    python -m cidrkit.scale.jvm --output cidrkit-spark.jar

The table file is the compiled engine's own flattened table (its sorted
pieces and their owner rows, ``engine/src/jvmtable.rs``) followed by the
output columns as UTF-8 with offsets; its name carries its content hash,
which is also the key under which each executor JVM keeps it loaded once.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa

from cidrkit.errors import InputError
from cidrkit.scale.arrow import ArrowLookup

JAVA_RELEASE = 17
SOURCE_DIR = Path(__file__).with_name("java")
TABLE_MAGIC = b"CIDRKJT1"
# The JVM keeps a row number in 24 bits of a match, all ones meaning none (RangeTable.MAX_ROWS).
MAX_ROWS = (1 << 24) - 1
_U32 = struct.Struct("<I")


def cache_dir() -> Path:
    """Where built jars and table files are kept."""
    explicit = os.environ.get("CIDRKIT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cidrkit"


def source_files() -> list[Path]:
    """The Java sources, in a stable order."""
    return sorted(SOURCE_DIR.rglob("*.java"))


def spark_jars() -> tuple[Path, str]:
    """pyspark's jar folder (the compile classpath) and its version, found without importing it."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None:
        raise InputError("the JVM lookup needs pyspark installed (pip install 'cidrkit[spark]')")
    jars = Path(spec.origin).parent / "jars"
    if not any(jars.glob("spark-sql_*.jar")):
        raise InputError(f"pyspark has no Spark jars in {jars}: reinstall pyspark")
    return jars, importlib.metadata.version("pyspark")


def jar_name() -> str:
    """The jar's file name: the sources' hash and pyspark's version."""
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    _, version = spark_jars()
    digest.update(version.encode())
    return f"cidrkit-spark-{digest.hexdigest()[:16]}.jar"


def jar_path() -> Path:
    """The matcher's jar, built into the cache folder on first use."""
    path = cache_dir() / "jvm" / jar_name()
    if not path.exists():
        build_jar(path)
    return path


def find_javac() -> Path:
    """A ``javac`` of release 17 or later, from ``JAVA_HOME`` or the ``PATH``."""
    home = os.environ.get("JAVA_HOME")
    found = Path(home) / "bin" / "javac" if home else None
    if found is None or not found.exists():
        on_path = shutil.which("javac")
        if on_path is None:
            where = f"in JAVA_HOME ({home}/bin) or " if home else ""
            raise InputError(
                f"the JVM lookup needs a Java compiler, and no javac was found {where}on the PATH:"
                f" install a JDK {JAVA_RELEASE} or later (Debian: default-jdk-headless),"
                " build the jar elsewhere (python -m cidrkit.scale.jvm), or pass via='map'"
            )
        found = Path(on_path)
    try:
        answer = subprocess.run(
            [str(found), "-version"], capture_output=True, text=True, check=False, timeout=60
        )
    except OSError as err:
        raise InputError(f"cannot run {found}: {err.strerror}") from None
    text = (answer.stdout + answer.stderr).strip()
    match = re.search(r"javac (\d+)", text)
    if match is None or int(match.group(1)) < JAVA_RELEASE:
        raise InputError(
            f"{found} is {text or 'of an unknown version'!r}; the JVM lookup needs"
            f" javac {JAVA_RELEASE} or later"
        )
    return found


def build_jar(output: Path) -> Path:
    """Compile the sources against pyspark's jars into ``output`` (written whole or not at all)."""
    javac = find_javac()
    jars, _ = spark_jars()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent) as work:
        classes = Path(work) / "classes"
        command = [
            str(javac), "--release", str(JAVA_RELEASE), "-encoding", "UTF-8", "-nowarn",
            "-cp", str(jars / "*"), "-d", str(classes), *map(str, source_files()),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise InputError(f"javac failed on cidrkit's JVM lookup:\n{done.stderr.strip()}")
        partial = Path(work) / output.name
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as jar:
            jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
            for item in sorted(classes.rglob("*.class")):
                jar.write(item, item.relative_to(classes).as_posix())
        os.replace(partial, output)
    return output


def table_bytes(lookup: ArrowLookup) -> bytes:
    """``lookup`` as the JVM's table file (layout in ``RangeTable.java``)."""
    if len(lookup) == 0:
        raise InputError("the prefix table has no rows: every match would be null")
    if len(lookup) > MAX_ROWS:
        raise InputError(
            f"the prefix table has {len(lookup):,} rows; the JVM lookup takes at most"
            f" {MAX_ROWS:,}: pass via='map'"
        )
    engine_table = lookup.native_table()
    if engine_table is None:
        raise InputError(
            "the JVM lookup takes its table from cidrkit's compiled engine, which is not"
            " available here (not built, or CIDRKIT_ENGINE=python)"
        )
    parts = [TABLE_MAGIC, _U32.pack(len(lookup)), engine_table.jvm_ranges()]
    columns = [lookup.prefix, *lookup.labels.values()]
    parts.append(_U32.pack(len(columns)))
    for name, column in zip(lookup.column_names, columns, strict=True):
        offsets, data = _utf8_column(column)
        encoded = name.encode()
        parts += [_U32.pack(len(encoded)), encoded, offsets, struct.pack("<Q", len(data)), data]
    return b"".join(parts)


def write_table(lookup: ArrowLookup, folder: Path | None = None) -> tuple[Path, str]:
    """Write the table file (once per content) and return its path and content key."""
    data = table_bytes(lookup)
    key = hashlib.sha256(data).hexdigest()[:32]
    folder = folder if folder is not None else cache_dir() / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"cidrkit-table-{key}.bin"
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        os.replace(partial, path)
    return path, key


def _utf8_column(column: pa.Array) -> tuple[bytes, bytes]:
    """A string column's value offsets (from 0, int32, nulls as empty) and its bytes."""
    column = column.fill_null("")
    if pa.types.is_large_string(column.type):
        column = column.cast(pa.string())
    _, offsets_buffer, data_buffer = column.buffers()
    offsets = np.frombuffer(offsets_buffer, "<i4")[column.offset : column.offset + len(column) + 1]
    start, end = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(data_buffer, np.uint8)[start:end] if data_buffer is not None else b""
    return (offsets - start).astype("<i4").tobytes(), bytes(data)


def main(argv: list[str] | None = None) -> int:
    """``python -m cidrkit.scale.jvm``: build the jar and print where it is."""
    parser = argparse.ArgumentParser(
        prog="python -m cidrkit.scale.jvm",
        description="Build the jar of cidrkit's JVM lookup for Spark (spark-submit --jars).",
    )
    parser.add_argument("--output", type=Path, help="write the jar here (default: the cache)")
    args = parser.parse_args(argv)
    try:
        path = build_jar(args.output) if args.output else jar_path()
    except InputError as err:
        print(f"cidrkit: error: {err}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
