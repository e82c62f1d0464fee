"""Benchmark of sinergi.stats, with every ratio measured in the same run.

1. Susenas-sized survey (1.2M persons, 514 regencies, strata x PSUs): P0, P1,
   P2 and Gini with SEs for every regency; and the estimates the `svy` package
   supports (domain means / proportions with SEs) compared with svy: equal to
   1e-9 and the speed ratio.
2. Registry-sized table (50M persons, 80,000 desa): FGT with SEs and Gini
   with SEs against a bare weighted group-by sum on the same DuckDB
   connection; peak memory.
3. The Susenas estimates on Spark local mode (smaller), equal to DuckDB's.

Usage: python bench/stats_bench.py [--rows 50000000] [--spark-persons 200000]
(see --help). Not a unit test: it prints a summary table.
"""

from __future__ import annotations

import argparse
import math
import resource
import time
from collections.abc import Callable
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from sinergi.stats import Design, DuckDBEngine, Measure, Results, estimate

SUSENAS_DESIGN = Design(weight="weight", strata="stratum", psu="psu")


def best_of(n: int, func: Callable[[], Any]) -> tuple[float, Any]:
    best, out = math.inf, None
    for _ in range(n):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux


def susenas(persons: int, regencies: int = 514, seed: int = 2023) -> pa.Table:
    """Synthetic person-level survey: households of ~4 sharing expenditure, 10 per block."""
    rng = np.random.default_rng(seed)
    n_hh = persons // 3  # ~4 persons each: enough households, cut to `persons`
    n_blocks = max(-(-n_hh // 10), regencies * 4)
    block_reg = np.concatenate(
        [np.repeat(np.arange(regencies), 4), rng.integers(0, regencies, n_blocks - regencies * 4)]
    )
    block_urban = np.concatenate(
        [np.tile([0, 0, 1, 1], regencies), (rng.random(n_blocks - regencies * 4) < 0.3).astype(int)]
    )
    block_w = rng.uniform(30, 400, n_blocks)
    block_eff = rng.normal(0, 0.35, n_blocks) + rng.normal(0, 0.25, regencies)[block_reg]
    hh_block = np.repeat(np.arange(n_blocks), 10)[:n_hh]
    hh_size = np.minimum(1 + rng.poisson(3.0, n_hh), 12)
    hh_y = np.round(np.exp(13.6 + block_eff[hh_block] + rng.normal(0, 0.45, n_hh)))
    person_hh = np.repeat(np.arange(n_hh), hh_size)[:persons]
    block = hh_block[person_hh]
    urban = block_urban[block]
    line = np.where(urban == 1, 560_000.0, 500_000.0)
    y = hh_y[person_hh]
    return pa.table(
        {
            "regency": pa.array(block_reg[block].astype(np.int32)),
            "stratum": pa.array((block_reg[block] * 2 + urban).astype(np.int32)),
            "psu": pa.array(block.astype(np.int32)),  # unique ids: svy needs no nesting
            "weight": pa.array(block_w[block]),
            "pcexp": pa.array(y),
            "poverty_line": pa.array(line),
            "poor": pa.array((y < line).astype(np.float64)),
        }
    )


def max_rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def bench_susenas(persons: int, skip_svy: bool, rows: list[tuple[str, str, str]]) -> pa.Table:
    table = susenas(persons)
    print(f"[susenas] {table.num_rows:,} persons, 514 regencies", flush=True)
    con = duckdb.connect()
    con.register("susenas_arrow", table)
    con.execute("CREATE TABLE susenas AS SELECT * FROM susenas_arrow")
    engine = DuckDBEngine(con)

    def ours() -> Results:
        return estimate(
            "susenas",
            ["fgt0", "fgt1", "fgt2", "gini"],
            value="pcexp",
            poverty_line="poverty_line",
            design=SUSENAS_DESIGN,
            by="regency",
            engine=engine,
        )

    t_all, res = best_of(3, ours)
    rows.append(
        (
            "Susenas 1.2M: P0,P1,P2,Gini + SE, 514 domains (DuckDB)",
            f"{t_all:.2f} s",
            "target < 2 s: " + ("met" if t_all < 2 else "NOT met"),
        )
    )
    if skip_svy:
        return res.to_arrow()

    import polars as pl
    import svy

    measures = [Measure("mean", "poor", name="p0"), Measure("mean", "pcexp", name="mean")]
    t_ours, mine = best_of(
        3, lambda: estimate("susenas", measures, design=SUSENAS_DESIGN, by="regency", engine=engine)
    )
    frame = pl.from_arrow(table)
    sample = svy.Sample(frame, svy.Design(stratum="stratum", psu="psu", wgt="weight"))
    start = time.perf_counter()
    theirs = {
        name: sample.estimation.mean(col, by="regency").to_polars().sort("regency")
        for name, col in (("p0", "poor"), ("mean", "pcexp"))
    }
    t_svy = time.perf_counter() - start
    mine_t = mine.to_arrow()
    worst = 0.0
    for name, ref in theirs.items():
        sel = mine_t.filter(pa.compute.equal(mine_t.column("measure"), name)).sort_by("regency")
        assert sel.column("regency").to_pylist() == ref["regency"].to_list()
        for ours_col, svy_col in (("estimate", "est"), ("se", "se")):
            diff = max_rel_diff(sel.column(ours_col).to_numpy(), ref[svy_col].to_numpy())
            worst = max(worst, diff)
            assert diff < 1e-9, f"{name} {ours_col} differs from svy by {diff:.2e}"
    # P0 as an FGT measure is the same number as svy's mean of the poor indicator.
    p0 = res.to_arrow()
    p0 = p0.filter(pa.compute.equal(p0.column("measure"), "fgt0")).sort_by("regency")
    diff = max_rel_diff(p0.column("se").to_numpy(), theirs["p0"]["se"].to_numpy())
    assert diff < 1e-9, f"fgt0 SE differs from svy by {diff:.2e}"
    rows.append(
        (
            "svy: 2 domain means with SE, 514 domains",
            f"{t_svy:.2f} s",
            f"equal to ours (max rel diff {max(worst, diff):.1e})",
        )
    )
    rows.append(
        (
            "ours: same 2 domain means with SE",
            f"{t_ours:.3f} s",
            f"speed-up vs svy: {t_svy / t_ours:.0f}x (goal >= 100x)",
        )
    )
    return res.to_arrow()


REGISTRY_SQL = """
CREATE TABLE registry AS
WITH r AS (SELECT i, i // 4 AS hh, LEAST(i // {per_desa}, {desa} - 1) AS desa FROM range({rows}) t(i))
SELECT CAST(desa AS INTEGER) AS desa,
       CAST(desa // 11 AS INTEGER) AS kecamatan,
       CAST(desa * 1000 + (i - desa * {per_desa}) // 100 AS BIGINT) AS block,
       round(exp(13.3 + 0.5 * sqrt(-2 * ln((hash(hh) % 1000000 + 1) / 1000001.0))
                 * cos(2 * pi() * (hash(hh + {rows}) % 1000000) / 1000000.0))) AS pcexp,
       4.0 + (hash(hh * 7 + 1) % 1000) / 500.0 AS weight,
       450000.0 + (desa // 11 % 7) * 10000 AS poverty_line
FROM r
"""


def bench_registry(n_rows: int, n_desa: int, rows: list[tuple[str, str, str]]) -> None:
    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(REGISTRY_SQL.format(rows=n_rows, desa=n_desa, per_desa=n_rows // n_desa))
    print(
        f"[registry] {n_rows:,} persons, {n_desa:,} desa generated in "
        f"{time.perf_counter() - start:.1f} s",
        flush=True,
    )
    engine = DuckDBEngine(con)
    design = Design(weight="weight", strata="kecamatan", psu="block")
    t_base, _ = best_of(
        3,
        lambda: con.execute(
            "SELECT desa, sum(weight * pcexp) FROM registry GROUP BY desa"
        ).fetchall(),
    )
    t_fgt, fgt = best_of(
        2,
        lambda: estimate(
            "registry",
            ["fgt0", "fgt1", "fgt2"],
            value="pcexp",
            poverty_line="poverty_line",
            design=design,
            by="desa",
            engine=engine,
        ),
    )
    t_gini, gini = best_of(
        1,
        lambda: estimate(
            "registry", ["gini"], value="pcexp", design=design, by="desa", engine=engine
        ),
    )
    assert len(fgt) == 3 * n_desa and len(gini) == n_desa
    label = f"{n_rows / 1e6:g}M rows, {n_desa:,} desa"
    rows.append((f"Registry {label}: bare SUM(w*y) GROUP BY desa", f"{t_base:.2f} s", "baseline"))
    rows.append(
        (
            "  P0,P1,P2 + SE by desa",
            f"{t_fgt:.2f} s",
            f"{t_fgt / t_base:.1f}x baseline (goal <= 3x)",
        )
    )
    rows.append(
        ("  Gini + SE by desa", f"{t_gini:.2f} s", f"{t_gini / t_base:.1f}x baseline (goal <= 10x)")
    )
    rows.append(("  peak memory of the process", f"{peak_gb():.2f} GB", "goal < 8 GB"))


def bench_spark(persons: int, rows: list[tuple[str, str, str]]) -> None:
    from pyspark.sql import SparkSession

    from sinergi.stats import SparkEngine

    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    table = susenas(persons)
    args: dict[str, Any] = dict(
        value="pcexp", poverty_line="poverty_line", design=SUSENAS_DESIGN, by="regency"
    )
    measures = ["fgt0", "fgt1", "fgt2", "gini"]
    ref = estimate(table, measures, **args).to_arrow()
    frame = session.createDataFrame(table).cache()
    frame.count()
    engine = SparkEngine(session)
    estimate(frame, measures, **args, engine=engine)  # JVM warm-up
    t_spark, res = best_of(1, lambda: estimate(frame, measures, **args, engine=engine))
    got = res.to_arrow()
    worst = max(
        max_rel_diff(got.column(c).to_numpy(), ref.column(c).to_numpy()) for c in ("estimate", "se")
    )
    assert worst < 1e-9, f"Spark differs from DuckDB by {worst:.2e}"
    rows.append(
        (
            f"Spark local[2]: {persons:,} persons, P0-P2,Gini + SE, 514 domains",
            f"{t_spark:.2f} s",
            f"equal to DuckDB (max rel diff {worst:.1e})",
        )
    )
    session.stop()


class _EchoList(list[tuple[str, str, str]]):
    """Prints each result as it comes, so a long run shows progress."""

    def append(self, row: tuple[str, str, str]) -> None:
        print("  " + " | ".join(row), flush=True)
        super().append(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_200_000, help="Susenas persons")
    parser.add_argument("--rows", type=int, default=50_000_000, help="registry rows")
    parser.add_argument("--desa", type=int, default=80_000, help="registry domains")
    parser.add_argument("--spark-persons", type=int, default=200_000)
    parser.add_argument("--skip-svy", action="store_true")
    parser.add_argument("--skip-registry", action="store_true")
    parser.add_argument("--skip-spark", action="store_true")
    opts = parser.parse_args()
    rows: list[tuple[str, str, str]] = _EchoList()
    bench_susenas(opts.persons, opts.skip_svy, rows)
    if not opts.skip_registry:
        bench_registry(opts.rows, opts.desa, rows)
    if not opts.skip_spark:
        bench_spark(opts.spark_persons, rows)

    from rich.console import Console
    from rich.table import Table

    summary = Table(title="sinergi.stats benchmark (same run, same machine)")
    for col in ("what", "time", "ratio / check"):
        summary.add_column(col)
    for row in rows:
        summary.add_row(*row)
    Console(width=130).print(summary)


if __name__ == "__main__":
    main()
