"""Fixtures for the linkage tests: small synthetic sets, linked once per module.

Training is the slow part of a run; the tests sample fewer random pairs for
the u probabilities (``FAST``) than the defaults. Spark tests share one local
session with Splink's UDF jar, started only when a Spark test runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

from sinergi.linkage import LinkConfig
from sinergi.linkage.synthetic import dedupe_set, link_set

FAST = LinkConfig(u_max_pairs=3e5)


@pytest.fixture(scope="session")
def link_data() -> tuple[pa.Table, pa.Table, pa.Table]:
    """(list, registry, truth): 600 list records against 3,000 persons, 10 % outsiders."""
    return link_set(3000, 600, seed=21)


@pytest.fixture(scope="session")
def dedupe_data() -> tuple[pa.Table, pa.Table]:
    """(records, truth): 2,000 persons, a fifth of them listed twice or three times."""
    return dedupe_set(2000, seed=23)


@pytest.fixture(scope="session")
def linkage_spark() -> Iterator[Any]:
    """One local Spark session with Splink's similarity UDF jar."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master("local[2]")
        .appName("sinergi-linkage-tests")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
