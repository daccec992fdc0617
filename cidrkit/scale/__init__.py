"""Annotate addresses where the data lives: Arrow arrays, Parquet files, Spark, DuckDB, Polars.

Every engine path goes through one function, ``ArrowLookup.rows``: an Arrow
column of addresses in, the row of the longest matching prefix out, on the
bulk layer's longest-prefix-match table. The engines differ only in how
they hand over Arrow batches; Spark's default way instead runs the match in
its JVM (``jvm.py`` and the Java source in ``java/``) on the engine's table,
with the same verdicts. pyarrow and the engines are optional extras
(``cidrkit[arrow]``, ``[duckdb]``, ``[polars]``, ``[spark]``); this package
imports none of them until a module that needs one is imported.
"""
