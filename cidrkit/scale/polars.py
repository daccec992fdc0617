"""Polars: a lookup expression over a column of addresses.

>>> import polars as pl                                                      # doctest: +SKIP
>>> flows.with_columns(match=lookup_expr(pl.col("src_addr"), lookup)).unnest("match")

The expression runs on whole Series (``map_batches``), handed to the lookup
as Arrow arrays without a copy; it yields a struct of the ``match_*``
columns, null where nothing matches.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from cidrkit.scale.arrow import ArrowLookup


def match_dtype(lookup: ArrowLookup) -> pl.Struct:
    """The struct type of the expression: one string field per ``match_*`` column."""
    return pl.Struct([pl.Field(name, pl.String) for name in lookup.column_names])


def lookup_expr(addresses: pl.Expr, lookup: ArrowLookup) -> pl.Expr:
    """An expression giving, per address, a struct of the matched prefix and labels."""

    def call(series: pl.Series) -> pl.Series:
        found = lookup.match_columns(series.to_arrow(), f"column {series.name!r}")
        frame: Any = pl.from_arrow(found)
        struct: pl.Series = frame.to_struct(series.name)
        return struct

    return addresses.map_batches(call, return_dtype=match_dtype(lookup))


def annotate(frame: pl.DataFrame | pl.LazyFrame, column: str, lookup: ArrowLookup) -> Any:
    """``frame`` with the ``match_*`` columns appended for the addresses in ``column``."""
    key = "__cidrkit_match"
    return frame.with_columns(lookup_expr(pl.col(column), lookup).alias(key)).unnest(key)
