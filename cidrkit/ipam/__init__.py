"""The IPAM service: pools and allocations over HTTP, SQLite or PostgreSQL.

Storage (``database``, ``schema``, ``store``), the allocation logic
(``allocator``, ``service``, ``writer``), pool management (``pools``),
read-only reports (``reports``), tokens (``tokens``), the HTTP API (``api``)
and the web page (``web``). Nothing here does CIDR arithmetic of its own:
``cidrkit.core`` does.
"""
