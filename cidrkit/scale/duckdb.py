"""DuckDB: ``cidrkit_lookup(addr)`` as an Arrow-vectorised SQL function.

>>> import duckdb                                                 # doctest: +SKIP
>>> con = duckdb.connect()                                        # doctest: +SKIP
>>> register(con, ArrowLookup.from_file("owners.csv"))            # doctest: +SKIP
>>> con.sql("SELECT cidrkit_lookup(src_addr), count(*) FROM 'flows/*.parquet' GROUP BY 1")

DuckDB hands the function whole vectors as Arrow arrays, so each call is one
bulk lookup. ``cidrkit_lookup`` returns the matched prefix;
``cidrkit_lookup_<label>`` returns one label column each (``vpc``,
``account``, ...). Addresses that match nothing, are null, or are not
addresses give NULL; the function never raises on data.

DuckDB calls a Python function once per vector of 2,048 rows, and the fixed
cost of each call dominates. ``annotate`` is the fast path for whole tables:
it streams a query's result out as Arrow batches of 131,072 rows, appends
the ``match_*`` columns, and hands the stream back to DuckDB as a relation
to filter, group or write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from cidrkit.errors import InputError
from cidrkit.scale.arrow import ArrowLookup, function_suffix

FUNCTION = "cidrkit_lookup"


def register(connection: Any, lookup: ArrowLookup, name: str = FUNCTION) -> list[str]:
    """Create ``name(addr)`` and ``name_<label>(addr)`` on ``connection``; return their names."""
    import duckdb

    created = []
    sources = [lookup.prefix, *lookup.labels.values()]
    suffixes = ["", *(f"_{function_suffix(label)}" for label in lookup.labels)]
    for source, suffix in zip(sources, suffixes, strict=True):
        function = name + suffix
        connection.create_function(
            function,
            _vectorised(lookup, source),
            [duckdb.sqltype("VARCHAR")],
            duckdb.sqltype("VARCHAR"),
            type="arrow",
            null_handling="special",
            side_effects=False,
        )
        created.append(function)
    return created


def annotate(
    connection: Any, query: str, column: str, lookup: ArrowLookup, batch_rows: int = 1 << 17
) -> Any:
    """A relation: the rows of ``query`` with the ``match_*`` columns appended, streamed.

    The relation reads its stream once: query it once (aggregate it, write
    it with ``.write_parquet``, or ``.create`` a table from it).
    """
    # The source streams on its own cursor: one connection cannot read two results at once.
    relation = connection.cursor().sql(query)
    if column not in relation.columns:
        raise InputError(f"no column {column!r}; the query gives {', '.join(relation.columns)}")
    # DuckDB 1.4 renamed the streaming fetch; older releases have only the first name.
    stream = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch
    batches = stream(batch_rows)
    schema = batches.schema
    for field in lookup.fields():
        schema = schema.append(field)

    def annotated() -> Any:
        for batch in batches:
            yield lookup.append_matches(batch, lookup.rows(batch.column(column)).rows)

    return connection.from_arrow(pa.RecordBatchReader.from_batches(schema, annotated()))


def _vectorised(lookup: ArrowLookup, source: pa.Array) -> Callable[[Any], pa.Array]:
    def call(addresses: Any) -> pa.Array:
        rows = lookup.rows(addresses, "cidrkit_lookup argument").rows
        return source.take(pa.array(rows, pa.int64(), mask=rows < 0))

    return call
