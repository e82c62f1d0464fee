"""Fixtures for the estimation engine tests: reference data and the two engines.

DuckDB runs everywhere. Spark tests are marked ``spark`` and share one local
session, started only when a Spark test runs; without pyspark they are skipped
with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sinergi.stats import DuckDBEngine, Engine

from ._support import HAVE_PYSPARK, TEST_DATA

EUSILC = TEST_DATA / "eusilc.parquet"


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """One local Spark session for the whole run: starting the JVM costs seconds."""
    if not HAVE_PYSPARK:
        pytest.skip("pyspark is not installed (sinergi[spark])")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("sinergi-stats-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def make_engine(request: pytest.FixtureRequest) -> Any:
    """Factory: an engine object by name (Spark reuses the session fixture)."""

    def make(name: str) -> Engine:
        if name == "spark":
            from sinergi.stats import SparkEngine

            return SparkEngine(request.getfixturevalue("spark_session"))
        return DuckDBEngine()

    return make


@pytest.fixture(scope="session")
def eusilc() -> pa.Table:
    """laeken's eusilc data with a fixed poverty line column z = 10000."""
    if not EUSILC.exists():
        pytest.fail(f"reference data missing: {EUSILC} (see tests/data/README.md)")
    table = pq.read_table(EUSILC)
    # db040 is a dictionary (factor) column; plain strings travel to Spark unchanged.
    table = table.set_column(
        table.schema.get_field_index("db040"), "db040", table.column("db040").cast(pa.string())
    )
    return table.append_column("z", pa.array([10000.0] * table.num_rows))
