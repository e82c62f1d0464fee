"""Engines that run the estimation SQL: DuckDB (embedded, default) and Spark.

The SQL is written once, in DuckDB's dialect, and transpiled by sqlglot for
Spark: that is the one portable layer. An engine only has to register an
input, report column types, run a query and keep an intermediate table.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._errors import InputError, MissingExtraError, Problem

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

EngineName = Literal["duckdb", "spark"]

_NUMERIC_DUCKDB = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "BOOLEAN",
}
_CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
_PARQUET_SUFFIXES = {".parquet", ".pq", ".parq"}

SourceKind = Literal["parquet", "csv"]


def temp_name(role: str) -> str:
    """A unique, SQL-safe name for a temporary view or table."""
    return f"sinergi_{role}_{uuid.uuid4().hex[:12]}"


def file_kind(path: Path) -> SourceKind:
    """Tell Parquet from CSV by the file name; a directory is read as Parquet."""
    if not path.exists():
        raise InputError([Problem(str(path), 0, "file not found")], header="cannot read input")
    if path.is_dir():
        return "parquet"
    suffix = path.suffix.lower()
    if suffix in _PARQUET_SUFFIXES:
        return "parquet"
    if suffix in _CSV_SUFFIXES:
        return "csv"
    raise InputError(
        [Problem(str(path), 0, f"unknown file type {suffix!r} (use .parquet or .csv)")],
        header="cannot read input",
    )


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class Engine(ABC):
    """The small contract an execution engine fulfils."""

    name: str
    dialect: str

    def translate(self, query: str) -> str:
        """Rewrite a DuckDB-dialect query for this engine."""
        if self.dialect == "duckdb":
            return query
        import sqlglot

        return str(sqlglot.transpile(query, read="duckdb", write=self.dialect)[0])

    @abstractmethod
    def register(self, source: object, name: str) -> None:
        """Expose ``source`` (a path, table or DataFrame) as view ``name``."""

    @abstractmethod
    def column_types(self, name: str) -> dict[str, bool]:
        """Map each column of ``name`` to whether it is numeric (or boolean)."""

    @abstractmethod
    def fetch(self, query: str) -> list[dict[str, Any]]:
        """Run a DuckDB-dialect query and return its (small) result."""

    @abstractmethod
    def fetch_arrow(self, query: str) -> pa.Table:
        """Run a DuckDB-dialect query and return its result as an Arrow table."""

    @abstractmethod
    def materialize(self, query: str, name: str) -> None:
        """Run a query once and keep its result as table ``name``."""

    @abstractmethod
    def drop(self, name: str) -> None:
        """Forget a view or table made by :meth:`register` or :meth:`materialize`."""


class DuckDBEngine(Engine):
    """Run on an embedded DuckDB connection (a private in-memory one by default).

    Parameters
    ----------
    connection
        An existing ``duckdb`` connection, e.g. one that already holds the
        survey as a table (pass the table name as the source).

    Examples
    --------
    >>> DuckDBEngine().fetch("SELECT 1 + 1 AS two")
    [{'two': 2}]
    """

    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, connection: duckdb.DuckDBPyConnection | None = None) -> None:
        import duckdb

        self.connection = connection if connection is not None else duckdb.connect()
        self._views: set[str] = set()

    def register(self, source: object, name: str) -> None:
        con = self.connection
        if isinstance(source, str) and not os.path.exists(source) and _is_table(con, source):
            con.execute(f'CREATE TEMP VIEW {name} AS SELECT * FROM "{source}"')
        elif isinstance(source, (str, os.PathLike)):
            path = Path(source)
            kind = file_kind(path)
            target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
            # CSV columns are read as text: type sniffing would turn region codes such
            # as 16.07 into numbers or 16.07.01 into dates. Numeric columns are cast
            # (and their bad values counted) by the estimation itself.
            reader = (
                f"read_parquet({_sql_string(target)})"
                if kind == "parquet"
                else f"read_csv({_sql_string(target)}, all_varchar = true)"
            )
            con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM {reader}")
        else:
            # pandas, polars and pyarrow objects all go through DuckDB's Arrow scan.
            con.register(name, source)
        self._views.add(name)

    def column_types(self, name: str) -> dict[str, bool]:
        rows = self.connection.execute(f"DESCRIBE SELECT * FROM {name}").fetchall()
        return {
            str(r[0]): str(r[1]).upper() in _NUMERIC_DUCKDB
            or str(r[1]).upper().startswith("DECIMAL")
            for r in rows
        }

    def fetch(self, query: str) -> list[dict[str, Any]]:
        cur = self.connection.execute(query)
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def fetch_arrow(self, query: str) -> pa.Table:
        return self.connection.sql(query).to_arrow_table()

    def materialize(self, query: str, name: str) -> None:
        self.connection.execute(f"CREATE TEMP TABLE {name} AS {query}")

    def drop(self, name: str) -> None:
        if name in self._views:
            self._views.discard(name)
            with contextlib.suppress(Exception):
                self.connection.unregister(name)
            self.connection.execute(f"DROP VIEW IF EXISTS {name}")
        else:
            self.connection.execute(f"DROP TABLE IF EXISTS {name}")


def _is_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
        "UNION ALL SELECT count(*) FROM duckdb_views() WHERE view_name = ?",
        [name, name],
    ).fetchall()
    return any(int(r[0]) > 0 for r in found)


def _import_pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise MissingExtraError(
            "the Spark engine needs pyspark, which is not installed; "
            "install the optional extra with: pip install 'sinergi[spark]'"
        ) from exc
    return pyspark.sql


class SparkEngine(Engine):
    """Run on Apache Spark through PySpark (local mode or a cluster).

    Needs the optional extra ``sinergi[spark]`` and a Java runtime.

    Parameters
    ----------
    session
        A ``SparkSession``. By default the active session, or a new local one
        (``local[*]``, few shuffle partitions, no UI).
    """

    name = "spark"
    dialect = "spark"

    def __init__(self, session: Any = None) -> None:
        sql = _import_pyspark()
        if session is None:
            session = sql.SparkSession.getActiveSession()
        if session is None:
            session = (
                sql.SparkSession.builder.master("local[*]")
                .appName("sinergi-stats")
                .config("spark.sql.shuffle.partitions", "8")
                .config("spark.ui.enabled", "false")
                .getOrCreate()
            )
        self.session = session
        self._persisted: dict[str, Any] = {}

    def register(self, source: object, name: str) -> None:
        spark = self.session
        if isinstance(source, (str, os.PathLike)):
            path = Path(source)
            if file_kind(path) == "parquet":
                frame = spark.read.parquet(str(path))
            else:
                # All text, as on DuckDB: region codes must stay codes.
                frame = spark.read.option("header", True).csv(str(path))
        elif type(source).__module__.startswith("pyspark"):
            frame = source
        else:
            # Through Arrow the rows land in the JVM once; a pandas frame without Arrow
            # would send every later query back to Python workers to read them.
            frame = spark.createDataFrame(_to_arrow(source))
        frame.createOrReplaceTempView(name)

    def column_types(self, name: str) -> dict[str, bool]:
        types = _import_pyspark().types
        schema = self.session.table(name).schema
        return {
            f.name: isinstance(f.dataType, (types.NumericType, types.BooleanType)) for f in schema
        }

    def fetch(self, query: str) -> list[dict[str, Any]]:
        rows = self.session.sql(self.translate(query)).collect()
        return [r.asDict() for r in rows]

    def fetch_arrow(self, query: str) -> pa.Table:
        import pyarrow as pa

        frame = self.session.sql(self.translate(query))
        to_arrow = getattr(frame, "toArrow", None)
        if callable(to_arrow):
            return to_arrow()
        return pa.Table.from_pandas(frame.toPandas(), preserve_index=False)

    def materialize(self, query: str, name: str) -> None:
        frame = self.session.sql(self.translate(query)).persist()
        frame.createOrReplaceTempView(name)
        self._persisted[name] = frame

    def drop(self, name: str) -> None:
        frame = self._persisted.pop(name, None)
        if frame is not None:
            frame.unpersist()
        self.session.catalog.dropTempView(name)


def _to_arrow(source: object) -> pa.Table:
    import pyarrow as pa

    if isinstance(source, pa.Table):
        return source
    to_arrow = getattr(source, "to_arrow", None)  # polars
    if callable(to_arrow):
        return to_arrow()
    if type(source).__module__.startswith("pandas"):
        return pa.Table.from_pandas(source, preserve_index=False)
    raise TypeError(f"cannot read {type(source).__name__} on Spark; pass a path or a table")


def get_engine(engine: EngineName | Engine) -> Engine:
    """Resolve an engine name to an engine; engines pass through.

    Examples
    --------
    >>> get_engine("duckdb").name
    'duckdb'
    >>> get_engine("oracle")
    Traceback (most recent call last):
    ...
    ValueError: unknown engine 'oracle'; use 'duckdb' or 'spark'
    """
    if isinstance(engine, Engine):
        return engine
    if engine == "duckdb":
        return DuckDBEngine()
    if engine == "spark":
        return SparkEngine()
    raise ValueError(f"unknown engine {engine!r}; use 'duckdb' or 'spark'")
