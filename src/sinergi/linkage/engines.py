"""Where Splink runs: an embedded DuckDB database, or Spark (local mode or a cluster).

A :class:`Backend` holds Splink's database API and runs the few queries of
our own (counts, the review pairs' comparison labels) on the same engine.
Spark needs Splink's similarity UDF jar (Jaro-Winkler, Damerau-Levenshtein)
on its class path: a session started here has it; a session started
elsewhere must be built with ``spark.jars`` set to
:func:`splink.backends.spark.similarity_jar_location`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Backend", "EngineName", "spark_session"]

EngineName = Literal["duckdb", "spark"]


def spark_session() -> Any:
    """The active Spark session, or a new local one with Splink's UDF jar."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = SparkSession.getActiveSession()
    if session is not None:
        return session
    session = (
        SparkSession.builder.master("local[*]")
        .appName("sinergi-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


class Backend:
    """Splink's database API for one engine, plus our own queries on it.

    Parameters
    ----------
    engine
        ``"duckdb"`` (a private in-memory database; ``threads`` caps its
        threads) or ``"spark"`` (the active session, or a local one).
    session
        A Spark session to use instead of the active one.
    """

    def __init__(
        self, engine: EngineName = "duckdb", *, session: Any = None, threads: int | None = None
    ) -> None:
        # Splink reports progress through logging at INFO; that goes to our
        # progress callback instead (and it never logs record values).
        logging.getLogger("splink").setLevel(logging.ERROR)
        self.name = engine
        if engine == "duckdb":
            import duckdb
            from splink import DuckDBAPI

            self.con = duckdb.connect()
            if threads:
                self.con.execute(f"SET threads = {int(threads)}")
            self.api: Any = DuckDBAPI(self.con)
            self.dialect = "duckdb"
        elif engine == "spark":
            from splink import SparkAPI
            from splink.backends.spark import similarity_jar_location

            self.session = session or spark_session()
            # Splink's Jaro-Winkler and Damerau-Levenshtein UDFs; a session
            # started elsewhere may not have the jar yet.
            self.session.sql(f"ADD JAR '{similarity_jar_location()}'")
            # Intermediate tables are persisted (memory, spilling to local disk)
            # rather than checkpointed: a checkpoint would write the records,
            # clear NIKs included, to files that outlive the run.
            self.api = SparkAPI(  # type: ignore[no-untyped-call]
                spark_session=self.session, break_lineage_method="persist"
            )
            self.dialect = "spark"
        else:
            raise ValueError(f"unknown engine {engine!r}; use 'duckdb' or 'spark'")

    def create(self, name: str, table: pa.Table) -> None:
        """Make ``table`` queryable as ``name``."""
        if self.name == "duckdb":
            self.con.register(f"{name}_arrow", table)
            self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_arrow")
            self.con.unregister(f"{name}_arrow")
        else:
            frame = self.session.createDataFrame(table)
            frame.cache().createOrReplaceTempView(name)

    def arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` (written in this engine's dialect) and return the rows."""
        if self.name == "duckdb":
            return self.con.sql(sql).to_arrow_table()
        frame = self.session.sql(sql)
        return frame.toArrow()

    def scalar(self, sql: str) -> Any:
        table = self.arrow(sql)
        return table.column(0)[0].as_py() if table.num_rows else None

    def close(self) -> None:
        if self.name == "duckdb":
            self.con.close()
