"""Record linkage and deduplication of persons (lists against registries): NIK, then Splink.

The public surface other parts of Sinergi (the web app, the demo, the CLI)
code against:

>>> from sinergi.linkage import LinkConfig, link_records, dedupe_records, normalise_name
>>> normalise_name("Moch. Rizki")
'muhammad rizki'

Pure Python on an engine (DuckDB by default, Spark through Splink's Spark
API); never imports Django.
"""

from __future__ import annotations

from .core import DedupeResult, LinkConfig, LinkResult, Progress, dedupe_records, link_records
from .inputs import LinkageInputError
from .names import normalise_name, phonetic_key, sorted_name

__all__ = [
    "DedupeResult",
    "LinkConfig",
    "LinkResult",
    "LinkageInputError",
    "Progress",
    "dedupe_records",
    "link_records",
    "normalise_name",
    "phonetic_key",
    "sorted_name",
]
