"""The inventory audit: overlap findings between routing domains, classified and explained.

``cidrkit.audit.engine.audit`` is the entry point; it never reads files (see
``cidrkit.sources`` for that).
"""
