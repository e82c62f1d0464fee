"""Benchmark of the household registry, with every ratio measured in the same run.

1. A national-shaped SYNTHETIC release (default 10M households, ~37M persons,
   every desa of the country) drawn once by ``sinergi.targeting.synthetic``
   in chunks of whole regencies and cached under ``bench/out/``.
2. Validate + load (``releases.write_release``: validation, NIK/KK
   pseudonymisation, Parquet, manifest) against a bare DuckDB ``COPY`` of the
   same two input files to Parquet. Goal <= 3x.
3. Score + decile (``pmt.score`` with a PMT fitted on the synthetic survey,
   ``deciles.deciles`` national, ``releases.write_scores``) against a bare
   DuckDB ``ORDER BY score`` of the same release's scores written to Parquet.
   Goal <= 2x.
4. Peak memory of the process tree (this process and any child, sampled from
   /proc every 0.2 s; also ``ru_maxrss``). Goal < 8 GB.
5. Spark local mode on a small release: the same scores and deciles as DuckDB.

Usage: python bench/registry_bench.py [--households 10000000] [--spark-households 20000]
(see --help). Not a unit test: it prints a summary table.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import shutil
import tarfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sinergi.stats import DuckDBEngine
from sinergi.targeting import deciles as deciles_mod
from sinergi.targeting import pmt, releases, synthetic
from sinergi.targeting.pseudonym import Pseudonymiser

OUT = Path(__file__).resolve().parent / "out"
PACKAGE_NAME = "idn-area-data-4.0.1.tgz"
#: The region package: var/packages/ (the default data directory's cache), else
#: $SINERGI_DATA_DIR/packages/ (``npm pack idn-area-data@4.0.1`` there works offline after).
PACKAGE = next(
    (
        p
        for p in (
            Path(__file__).resolve().parents[1] / "var" / "packages" / PACKAGE_NAME,
            Path(os.environ.get("SINERGI_DATA_DIR", "var")) / "packages" / PACKAGE_NAME,
        )
        if p.is_file()
    ),
    Path(__file__).resolve().parents[1] / "var" / "packages" / PACKAGE_NAME,
)
REFERENCE_DATE = synthetic.REFERENCE_DATE


class TreeMemory:
    """Peak resident memory of this process and its descendants, sampled from /proc."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree_rss() -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid = int(entry), int(fields[1])
            children.setdefault(ppid, []).append(pid)
            rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        total, todo = 0, [os.getpid()]
        while todo:
            pid = todo.pop()
            total += rss.get(pid, 0)
            todo.extend(children.get(pid, []))
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._tree_rss())


def gb(n: float) -> str:
    return f"{n / 1024**3:.2f} GB"


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = func()
    return time.perf_counter() - start, out


def hierarchy() -> tuple[list[str], list[str]]:
    """Every desa and kecamatan code of the country, from the region package."""

    def rows(name: str) -> list[dict[str, str]]:
        with tarfile.open(PACKAGE) as tar:
            member = tar.extractfile(f"package/data/{name}.csv")
            assert member is not None
            return list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")))

    return [r["code"] for r in rows("villages")], [r["code"] for r in rows("districts")]


def chunks_by_regency(
    desa: list[str], households: int, per_chunk: int
) -> tuple[list[list[str]], list[int]]:
    """Groups of whole regencies with about ``per_chunk`` households each (by desa count)."""
    by_regency: dict[str, list[str]] = {}
    for code in sorted(desa):
        by_regency.setdefault(code[:5], []).append(code)
    n_chunks = max(1, -(-households // per_chunk))
    target = len(desa) / n_chunks
    groups: list[list[str]] = [[]]
    for codes in by_regency.values():
        if len(groups[-1]) >= target and len(groups) < n_chunks:
            groups.append([])
        groups[-1].extend(codes)
    sizes = [len(g) for g in groups]
    counts = [int(households * s / len(desa)) for s in sizes]
    counts[-1] += households - sum(counts)
    return groups, counts


def generate(households: int, per_chunk: int, desa: list[str], kecamatan: list[str]) -> Path:
    """The cached input release (households.parquet, members.parquet) of the given size."""
    folder = OUT / f"registry-{households}"
    done = folder / "generated.json"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    groups, counts = chunks_by_regency(desa, households, per_chunk)
    writers: dict[str, pq.ParquetWriter] = {}
    faults: dict[str, int] = {}
    persons = 0
    start = time.perf_counter()
    for i, (h, m, f) in enumerate(
        synthetic.iter_registry_chunks(groups, counts, kecamatan_prefixes=kecamatan)
    ):
        for name, table in (("households", h), ("members", m)):
            if name not in writers:
                writers[name] = pq.ParquetWriter(folder / f"{name}.parquet", table.schema)
            writers[name].write_table(table, row_group_size=1_000_000)
        persons += m.num_rows
        for k, v in f.items():
            faults[k] = faults.get(k, 0) + v
        print(
            f"  chunk {i + 1}/{len(groups)}: {h.num_rows:,} households, {m.num_rows:,} persons "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    for writer in writers.values():
        writer.close()
    done.write_text(
        json.dumps(
            {
                "households": households,
                "persons": persons,
                "faults": faults,
                "seconds": round(time.perf_counter() - start, 1),
                "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            }
        )
    )
    return folder


def bare_copy(folder: Path, dest: Path, memory_limit: str) -> float:
    """Bare DuckDB: COPY both input files to Parquet (the yardstick of write_release)."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    con = duckdb.connect(config={"memory_limit": memory_limit})
    start = time.perf_counter()
    for name in ("households", "members"):
        con.execute(
            f"COPY (SELECT * FROM read_parquet('{folder / (name + '.parquet')}')) "
            f"TO '{dest / (name + '.parquet')}' (FORMAT parquet)"
        )
    seconds = time.perf_counter() - start
    con.close()
    return seconds


def fit_model() -> pmt.PMTModel:
    survey = OUT / "pmt-survey"
    if not (survey / "members.parquet").exists():
        synthetic.write_pmt_survey(survey)
    return pmt.fit(survey, weight="weight")


def score_and_rank(
    release: Path,
    model: pmt.PMTModel,
    engine: Any = "duckdb",
    parts: dict[str, float] | None = None,
) -> pa.Table:
    """What ``registry.services.score_release`` does, without the database."""
    parts = {} if parts is None else parts
    start = time.perf_counter()
    scores = pmt.score(release, model, engine=engine)
    parts["pmt.score"] = time.perf_counter() - start
    start = time.perf_counter()
    households = pq.read_table(release / "households.parquet", columns=["household_id", "persons"])
    joined = households.join(scores.select(["household_id", "score"]), "household_id")
    ranked = deciles_mod.deciles(
        joined, id="household_id", score="score", persons="persons", engine=engine
    )
    parts["join persons + deciles"] = time.perf_counter() - start
    return ranked.rename_columns(
        ["model_decile" if c == "decile" else c for c in ranked.column_names]
    )


def bare_order_by(release: Path, dest: Path, memory_limit: str) -> tuple[float, float]:
    """Bare DuckDB ORDER BY score of the same release, written to Parquet: the scores
    alone (``household_id, score``), and the release's household rows with their score."""
    con = duckdb.connect(config={"memory_limit": memory_limit})
    scores, households = release / "scores.parquet", release / "households.parquet"
    start = time.perf_counter()
    con.execute(
        f"COPY (SELECT household_id, score FROM read_parquet('{scores}') "
        f"ORDER BY score) TO '{dest}' (FORMAT parquet)"
    )
    narrow = time.perf_counter() - start
    start = time.perf_counter()
    con.execute(
        f"COPY (SELECT h.* EXCLUDE (score), s.score FROM read_parquet('{households}') h "
        f"JOIN read_parquet('{scores}') s USING (household_id) ORDER BY s.score) "
        f"TO '{dest}' (FORMAT parquet)"
    )
    wide = time.perf_counter() - start
    con.close()
    return narrow, wide


def bench_spark(
    n: int,
    desa: list[str],
    kecamatan: list[str],
    model: pmt.PMTModel,
    keys: Pseudonymiser,
    rows: list[tuple[str, str, str]],
) -> None:
    from sinergi.stats import SparkEngine

    folder = OUT / f"spark-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    banyuasin = [d for d in desa if d.startswith("16.07.")]
    h, m = synthetic.write_registry(
        folder / "input", banyuasin, n_households=n, kecamatan_prefixes=kecamatan
    )
    release = folder / "release"
    releases.write_release(
        h,
        m,
        release,
        name="spark bench",
        reference_date=REFERENCE_DATE,
        pseudonymiser=keys,
        desa_codes=desa,
        kecamatan_prefixes=kecamatan,
        valid_only=True,
        synthetic=True,
    )
    duck = pmt.score_and_rank(release, model, by=(), out=folder / "duck.parquet")
    duck = duck.sort_by("household_id")
    spark = SparkEngine()
    pmt.score_and_rank(
        release, model, by=(), out=folder / "warm.parquet", engine=spark
    )  # JVM, plans
    t_spark, theirs = timed(
        lambda: pmt.score_and_rank(
            release, model, by=(), out=folder / "spark.parquet", engine=spark
        )
    )
    theirs = theirs.sort_by("household_id")
    assert duck.column("household_id").equals(theirs.column("household_id"))
    diff = float(
        np.max(np.abs(duck.column("score").to_numpy() - theirs.column("score").to_numpy()))
    )
    same_deciles = duck.column("model_decile").equals(theirs.column("model_decile"))
    assert diff < 1e-9 and same_deciles, (diff, same_deciles)
    rows.append(
        (
            f"Spark local: score + decile, {duck.num_rows:,} households",
            f"{t_spark:.2f} s",
            f"equal to DuckDB (max score diff {diff:.1e}, deciles identical)",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=10_000_000)
    parser.add_argument(
        "--chunk", type=int, default=1_000_000, help="households generated at a time"
    )
    parser.add_argument("--spark-households", type=int, default=20_000)
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument(
        "--memory-limit",
        default="6GB",
        help="DuckDB memory_limit of the bench's own connections (COPY, ORDER BY, scoring; "
        "write_release caps its own); default 6GB",
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="also time scoring and deciles as two steps"
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    desa, kecamatan = hierarchy()
    keys = Pseudonymiser(b"\x01" * 32, b"\x02" * 32)  # bench keys, never real ones
    rows: list[tuple[str, str, str]] = []

    with TreeMemory() as memory:
        print(
            f"[generate] {args.households:,} households over {len(desa):,} desa (cached)",
            flush=True,
        )
        t_gen, folder = timed(lambda: generate(args.households, args.chunk, desa, kecamatan))
        info = json.loads((folder / "generated.json").read_text())
        rows.append(
            (
                f"generate {info['households']:,} households / {info['persons']:,} persons",
                f"{info['seconds']:.1f} s" + (" (cached)" if t_gen < 1 else ""),
                f"{sum(info['faults'].values()):,} planted faults",
            )
        )
        gen_peak = memory.peak

        print("[load] bare COPY, then write_release", flush=True)
        t_copy = bare_copy(folder, OUT / "bare-copy", args.memory_limit)
        # write_release opens (and caps) its own connection; scoring gets this one.
        engine = DuckDBEngine(duckdb.connect(config={"memory_limit": args.memory_limit}))
        release = OUT / f"release-{args.households}"
        shutil.rmtree(release, ignore_errors=True)
        steps: list[tuple[float, str]] = []
        t0 = time.perf_counter()
        t_load, manifest = timed(
            lambda: releases.write_release(
                folder / "households.parquet",
                folder / "members.parquet",
                release,
                name="bench",
                reference_date=REFERENCE_DATE,
                pseudonymiser=keys,
                desa_codes=desa,
                kecamatan_prefixes=kecamatan,
                valid_only=True,
                synthetic=True,
                progress=lambda step: steps.append((time.perf_counter() - t0, step)),
            )
        )
        load_peak = memory.peak
        rows.append(("bare DuckDB COPY of both inputs to Parquet", f"{t_copy:.1f} s", "baseline"))
        ratio = t_load / t_copy
        stamps = [*steps, (t_load, "end")]
        breakdown = ", ".join(
            f"{name} {stamps[i + 1][0] - at:.0f} s" for i, (at, name) in enumerate(stamps[:-1])
        )
        rows.append(
            (
                f"validate + load ({manifest.households:,} valid households, "
                f"{manifest.members:,} persons)",
                f"{t_load:.1f} s",
                f"**{ratio:.1f}x** COPY (goal <= 3x: {'met' if ratio <= 3 else 'NOT met'}); "
                f"{breakdown}",
            )
        )

        print("[score] fit, score + decile, bare ORDER BY", flush=True)
        model = fit_model()
        t_score, _ranked = timed(lambda: pmt.score_and_rank(release, model, by=(), engine=engine))
        del _ranked
        # The same in separate steps (score, then deciles), for the breakdown.
        parts: dict[str, float] = {}
        if args.breakdown:
            score_and_rank(release, model, parts=parts)
        t_narrow, t_wide = bare_order_by(release, OUT / "bare-order.parquet", args.memory_limit)
        rows.append(
            ("bare DuckDB ORDER BY score (household_id, score)", f"{t_narrow:.1f} s", "baseline")
        )
        rows.append(
            ("bare DuckDB households JOIN scores ORDER BY score", f"{t_wide:.1f} s", "baseline 2")
        )
        ratio = t_score / t_narrow
        rows.append(
            (
                "pmt.score_and_rank: score + national deciles + scores.parquet",
                f"{t_score:.1f} s",
                f"**{ratio:.1f}x** ORDER BY (goal <= 2x: {'met' if ratio <= 2 else 'NOT met'}); "
                f"{t_score / t_wide:.1f}x baseline 2; "
                + ("as two steps: " if parts else "")
                + ", ".join(f"{k} {v:.1f} s" for k, v in parts.items()),
            )
        )
    peak = memory.peak
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    rows.append(
        (
            "peak memory, process tree (of the load; of the generation run)",
            f"{gb(peak)} ({gb(load_peak)}; {gb(info.get('peak_rss', gen_peak))})",
            f"goal < 8 GB: {'met' if peak < 8 * 1024**3 else 'NOT met'}; ru_maxrss {gb(rss_self)}",
        )
    )
    if not args.skip_spark:
        print("[spark] small release on local mode", flush=True)
        bench_spark(args.spark_households, desa, kecamatan, model, keys, rows)

    width = max(len(r[0]) for r in rows)
    print()
    print(f"| {'what'.ljust(width)} | time | ratio / check |")
    print(f"| {'-' * width} | --- | --- |")
    for what, t, check in rows:
        print(f"| {what.ljust(width)} | {t} | {check} |")


if __name__ == "__main__":
    main()
