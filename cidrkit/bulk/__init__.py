"""Bulk operations on many prefixes at numpy speed.

Parse a whole text buffer at once (``parse_prefix_text``), then merge,
intersect, exclude, find free blocks, find every overlapping pair, or build
a longest-prefix-match table and look up arrays of addresses. IPv4 and IPv6
share one API; mixed input is split by family inside.

Importing this package also registers the bulk path with the core
``IPSet``, which then uses it for large inputs (same results, faster).
"""

from cidrkit.bulk.accel import normalise_intervals
from cidrkit.bulk.arrays import IntervalArray, Intervals, PrefixArray, Prefixes
from cidrkit.bulk.lpm import NO_MATCH, LookupResult, LpmTable
from cidrkit.bulk.overlaps import OverlapPairs, count_overlap_pairs, overlap_pairs
from cidrkit.bulk.setops import exclude, free_blocks, intersect, merge, merge_ranges
from cidrkit.bulk.textformat import iter_prefix_text, prefix_strings
from cidrkit.bulk.textparse import (
    ParsedText,
    parse_address_text,
    parse_prefix_text,
    parse_prefix_text_masked,
)
from cidrkit.core import ipset as _ipset

_ipset.set_accelerator(normalise_intervals)

__all__ = [
    "NO_MATCH",
    "IntervalArray",
    "Intervals",
    "LookupResult",
    "LpmTable",
    "OverlapPairs",
    "ParsedText",
    "PrefixArray",
    "Prefixes",
    "count_overlap_pairs",
    "exclude",
    "free_blocks",
    "intersect",
    "iter_prefix_text",
    "merge",
    "merge_ranges",
    "normalise_intervals",
    "overlap_pairs",
    "parse_address_text",
    "parse_prefix_text",
    "parse_prefix_text_masked",
    "prefix_strings",
]
