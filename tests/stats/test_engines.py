"""DuckDB and Spark give the same results (1e-9) from every kind of input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from sinergi.stats import Design, DuckDBEngine, Measure, Results, estimate
from sinergi.stats.synthetic import generate_banyuasin_survey

from ._support import HAVE_PYSPARK

DESIGN = Design(weight="weight", strata="stratum", psu="psu")
MEASURES = [
    "fgt0",
    "fgt1",
    "fgt2",
    "gini",
    Measure("fgt0", "pcexp", poverty_line="extreme_poverty_line", name="fgt0_extreme"),
    Measure("ratio", "unemployed", denominator="in_labour_force", name="tpt"),
]


@pytest.fixture(scope="module")
def survey() -> pa.Table:
    return generate_banyuasin_survey(n_households=2000, seed=5)


def _run(source: object, engine: Any) -> Results:
    return estimate(
        source,
        MEASURES,
        value="pcexp",
        poverty_line="poverty_line",
        design=DESIGN,
        by=["kecamatan_code", "area"],
        engine=engine,
    )


def _same(a: Results, b: Results) -> None:
    assert len(a) == len(b) == 21 * 2 * len(MEASURES)
    for x, y in zip(a, b, strict=True):
        assert (x.domain, x.measure, x.n, x.flag) == (y.domain, y.measure, y.n, y.flag)
        for field in ("estimate", "se", "ci_low", "ci_high"):
            assert getattr(x, field) == pytest.approx(getattr(y, field), rel=1e-9, abs=1e-15)


def test_duckdb_reads_parquet_csv_pandas_and_its_own_tables(
    survey: pa.Table, tmp_path: Path
) -> None:
    ref = _run(survey, "duckdb")
    pq.write_table(survey, tmp_path / "s.parquet")
    pacsv.write_csv(survey.drop(["haz"]), tmp_path / "s.csv")
    _same(ref, _run(str(tmp_path / "s.parquet"), "duckdb"))
    _same(ref, _run(tmp_path / "s.csv", "duckdb"))
    _same(ref, _run(survey.to_pandas(), "duckdb"))
    engine = DuckDBEngine()
    engine.connection.execute(f"CREATE TABLE susenas AS SELECT * FROM '{tmp_path / 's.parquet'}'")
    _same(ref, _run("susenas", engine))


@pytest.mark.spark
@pytest.mark.skipif(not HAVE_PYSPARK, reason="pyspark is not installed (sinergi[spark])")
def test_spark_equals_duckdb(survey: pa.Table, make_engine: Any, tmp_path: Path) -> None:
    ref = _run(survey, "duckdb")
    spark = make_engine("spark")
    pq.write_table(survey, tmp_path / "s.parquet")
    frame = spark.session.read.parquet(str(tmp_path / "s.parquet"))
    _same(ref, _run(frame, spark))  # a Spark DataFrame in


@pytest.mark.spark
@pytest.mark.skipif(not HAVE_PYSPARK, reason="pyspark is not installed (sinergi[spark])")
def test_spark_reports_bad_values_like_duckdb(make_engine: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "h,p,w,y,z\n1,1,1.0,100,300\n1,2,-2.0,abc,300\n2,1,1.0,200,300\n2,2,1.0,x,300\n"
    )
    for engine in ("duckdb", make_engine("spark")):
        with pytest.raises(ValueError) as exc:
            estimate(
                str(path),
                ["fgt0"],
                value="y",
                poverty_line="z",
                design=Design(weight="w", strata="h", psu="p"),
                engine=engine,
            )
        assert "y: 2 rows with non-numeric values" in str(exc.value)
        assert "w: 1 row with negative weight" in str(exc.value)


def test_without_pyspark_the_error_names_the_extra() -> None:
    # A fresh interpreter where importing pyspark fails, as on an install
    # without the extra.
    code = (
        "import sys; sys.modules['pyspark'] = None\n"
        "from sinergi.stats import SparkEngine, MissingExtraError\n"
        "try:\n    SparkEngine()\nexcept MissingExtraError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'sinergi[spark]'" in done.stdout


def test_stats_never_imports_django() -> None:
    code = (
        "import sys, sinergi.stats, sinergi.stats.cli, sinergi.stats.synthetic\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
