"""Spark: annotate a DataFrame column with the matched prefix and labels.

Three ways in, the same answer:

- ``via="jvm"`` (the default): the match runs in the executors' JVM, as
  Spark SQL functions over cidrkit's table (``cidrkit.scale.jvm``: a small
  jar compiled from the Java source shipped in this package, and the
  compiled engine's flattened table written to a file that
  ``SparkContext.addFile`` ships, loaded once per executor JVM). No row
  crosses to Python. :func:`register` makes the same functions callable
  from SQL.
- ``via="map"``: ``mapInArrow``, every column of the frame through a Python
  worker and back, the answers appended there.
- ``via="udf"``: an Arrow UDF (pyspark 4.1 and later; older ones fall back
  to ``map``) on the address column alone.

The Python ways broadcast the table once (a pickled ``ArrowLookup``),
unpickled once per Python worker. Either way nulls stay null and values
that are not addresses give null matches: nothing is raised on data.

>>> annotated = annotate(flows, "src_addr", ArrowLookup.from_file("owners.csv"))  # doctest: +SKIP
>>> register(spark, ArrowLookup.from_file("owners.csv"))  # doctest: +SKIP
>>> spark.sql("SELECT cidrkit_lookup(src_addr), count(*) FROM flows GROUP BY 1")  # doctest: +SKIP
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from cidrkit.errors import InputError
from cidrkit.scale.arrow import ArrowLookup, function_suffix

# One unpickled table per worker process, keyed by a token made per annotate() call.
_WORKER_TABLES: dict[str, ArrowLookup] = {}
_STRUCT = "__cidrkit_match"
_HIT = "__cidrkit_hit"
WAYS = ("jvm", "map", "udf")
FUNCTION = "cidrkit_lookup"
_JAVA_FUNCTIONS = "cidrkit.spark.TableFunctions"


def annotate(frame: Any, column: str, lookup: ArrowLookup, *, via: str = "jvm") -> Any:
    """``frame`` with the ``match_*`` string columns appended for the addresses in ``column``.

    ``via`` is ``"jvm"`` (the match in the executors' JVM; ``column`` must
    be text), ``"map"`` (``mapInArrow``) or ``"udf"`` (an Arrow UDF where
    pyspark has one). The JVM way refuses, naming what is missing, when
    its jar cannot be built or loaded; it never falls back on its own.
    """
    if via not in WAYS:
        raise InputError(f"via must be one of {', '.join(map(repr, WAYS))}, not {via!r}")
    if column not in frame.columns:
        raise InputError(f"no column {column!r}; the DataFrame has {', '.join(frame.columns)}")
    clash = sorted(set(lookup.column_names) & set(frame.columns))
    if clash:
        raise InputError(f"the DataFrame already has a column {clash[0]!r}")
    if via == "jvm":
        return _through_jvm(frame, column, lookup)
    shared = frame.sparkSession.sparkContext.broadcast(lookup)
    arrow_udf = _arrow_udf()
    if via == "udf" and arrow_udf is not None:
        return _through_udf(frame, column, lookup, shared, arrow_udf)
    return _through_map(frame, column, lookup, shared)


def _arrow_udf() -> Any:
    """pyspark's ``arrow_udf`` (4.1 and later), or None."""
    from pyspark.sql import functions

    return getattr(functions, "arrow_udf", None)


def _through_udf(frame: Any, column: str, lookup: ArrowLookup, shared: Any, arrow_udf: Any) -> Any:
    from pyspark.sql.functions import col
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(n, StringType(), True) for n in lookup.column_names])
    key = uuid.uuid4().hex
    where = f"column {column!r}"

    def match(addresses: pa.Array) -> pa.Array:
        found = _worker_table(key, shared)
        table = found.match_columns(addresses, where)
        return pa.StructArray.from_arrays(
            [c.combine_chunks() for c in table.columns], names=table.column_names
        )

    matched = arrow_udf(match, schema)(col(column))
    fields = [col(f"{_STRUCT}.{name}").alias(name) for name in lookup.column_names]
    return frame.withColumn(_STRUCT, matched).select(*frame.columns, *fields)


def _through_map(frame: Any, column: str, lookup: ArrowLookup, shared: Any) -> Any:
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType(
        [*frame.schema.fields, *(StructField(n, StringType(), True) for n in lookup.column_names)]
    )
    key = uuid.uuid4().hex

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        found = _worker_table(key, shared)
        for batch in batches:
            rows = found.rows(batch.column(column), f"column {column!r}").rows
            yield found.append_matches(batch, rows)

    return frame.mapInArrow(run, schema)


def _worker_table(key: str, shared: Any) -> ArrowLookup:
    """The broadcast table, unpickled (and its engine table built) once per worker process."""
    lookup = _WORKER_TABLES.get(key)
    if lookup is None:
        lookup = _WORKER_TABLES[key] = shared.value
        lookup.native_table()
    return lookup


def register(spark: Any, lookup: ArrowLookup, name: str = FUNCTION) -> list[str]:
    """Create the SQL functions ``name(addr)`` (the matched prefix), ``name_<label>(addr)``
    and ``name_row(addr)`` (the table row, an int) in the JVM; return their names.

    Each call matches on its own: to get several columns of one match in one
    query, take ``name_row`` once and the columns from :func:`annotate`.
    """
    functions, file_name, key = _shipped(spark, lookup)
    session = spark._jsparkSession
    names = [name, *(f"{name}_{function_suffix(label)}" for label in lookup.labels)]
    for column, function in enumerate(names):
        functions.registerColumn(session, function, file_name, key, column)
    functions.registerRow(session, f"{name}_row", file_name, key)
    return [*names, f"{name}_row"]


def _through_jvm(frame: Any, column: str, lookup: ArrowLookup) -> Any:
    from pyspark.sql import functions as sql
    from pyspark.sql.types import StringType

    kind = frame.schema[column].dataType
    if not isinstance(kind, StringType):
        raise InputError(
            f"column {column!r} is {kind.simpleString()}; the JVM lookup reads addresses as"
            " text (string): cast it, or pass via='map' for packed binary addresses"
        )
    spark = frame.sparkSession
    functions, file_name, key = _shipped(spark, lookup)
    session = spark._jsparkSession
    # The names carry the table's key: two tables in one session never collide.
    hit_function = f"__cidrkit_hit_{key}"
    functions.registerHit(session, hit_function, file_name, key)
    outputs = []
    for index, name in enumerate(lookup.column_names):
        function = f"__cidrkit_column{index}_{key}"
        functions.registerHitColumn(session, function, file_name, key, index)
        outputs.append(sql.call_function(function, sql.col(_HIT)).alias(name))
    # One match per row: the hit (the matched piece, its row and prefix
    # length) is computed once and each column written or read from it.
    matched = frame.withColumn(_HIT, sql.call_function(hit_function, sql.col(column)))
    return matched.select(*(sql.col(f"`{c}`") for c in frame.columns), *outputs)


def _shipped(spark: Any, lookup: ArrowLookup) -> tuple[Any, str, str]:
    """The Java functions class, and the table file shipped to every executor (name, key)."""
    from cidrkit.scale import jvm

    if getattr(spark, "_jvm", None) is None:
        raise InputError(
            "this Spark session has no JVM to call (Spark Connect): the JVM lookup registers"
            " its functions through the classic session; start one, or pass via='map'"
        )
    path, key = jvm.write_table(lookup)
    functions = _java_functions(spark)
    spark.sparkContext.addFile(str(path))
    return functions, path.name, key


def _java_functions(spark: Any) -> Any:
    """The Java functions class; the jar is built (once) and added to the session if missing."""
    from py4j.java_gateway import JavaClass  # type: ignore[import-untyped]

    from cidrkit.scale import jvm

    found = spark._jvm.cidrkit.spark.TableFunctions
    if isinstance(found, JavaClass):
        return found
    jar = jvm.jar_path()
    spark.sql(f"ADD JAR '{_sql_text(jar)}'")
    found = spark._jvm.cidrkit.spark.TableFunctions
    if not isinstance(found, JavaClass):
        raise InputError(
            f"Spark did not load {_JAVA_FUNCTIONS} from {jar}: start the session with"
            f" spark.jars={jar} (spark-submit --jars)"
        )
    return found


def _sql_text(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace("'", "\\'")
