"""Fixtures for the targeting tests (registry, PMT, deciles)."""

from __future__ import annotations

# The engines, as in the estimation tests: DuckDB everywhere, one local Spark
# session started only when a Spark test runs.
from tests.stats.conftest import make_engine, spark_session  # noqa: F401
