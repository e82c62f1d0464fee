"""Deduplicating one list: every id exactly once, clusters close to the truth."""

from __future__ import annotations

import pyarrow as pa
import pytest

from sinergi.linkage import DedupeResult, dedupe_records

from ._metrics import cluster_pairs, scores
from .conftest import FAST


@pytest.fixture(scope="module")
def deduped(dedupe_data: tuple[pa.Table, pa.Table]) -> DedupeResult:
    return dedupe_records(dedupe_data[0], id_column="id", config=FAST)


def test_every_input_id_appears_exactly_once(
    deduped: DedupeResult, dedupe_data: tuple[pa.Table, pa.Table]
) -> None:
    ids = deduped.clusters.column("id").to_pylist()
    assert deduped.clusters.schema.names == ["id", "cluster_id"]
    assert sorted(ids) == sorted(dedupe_data[0].column("id").to_pylist())
    assert len(ids) == len(set(ids))


def test_cluster_id_is_a_member_of_its_cluster(deduped: DedupeResult) -> None:
    rows = deduped.clusters.to_pylist()
    members: dict[str, set[str]] = {}
    for r in rows:
        members.setdefault(r["cluster_id"], set()).add(r["id"])
    for cluster, ids in members.items():
        assert cluster == min(ids)


def test_precision_and_recall_of_the_clusters(
    deduped: DedupeResult, dedupe_data: tuple[pa.Table, pa.Table]
) -> None:
    truth = dedupe_data[1]
    true = cluster_pairs(truth.column("id").to_pylist(), truth.column("person").to_pylist())
    found = cluster_pairs(
        deduped.clusters.column("id").to_pylist(), deduped.clusters.column("cluster_id").to_pylist()
    )
    precision, recall, f1 = scores(found, true)
    assert precision >= 0.99, precision
    assert recall >= 0.98, recall
    assert f1 >= 0.985


def test_same_nik_is_one_cluster(
    deduped: DedupeResult, dedupe_data: tuple[pa.Table, pa.Table]
) -> None:
    records = dedupe_data[0]
    cluster = dict(
        zip(
            deduped.clusters.column("id").to_pylist(),
            deduped.clusters.column("cluster_id").to_pylist(),
            strict=True,
        )
    )
    by_nik: dict[str, set[str]] = {}
    for rid, nik in zip(
        records.column("id").to_pylist(), records.column("nik").to_pylist(), strict=True
    ):
        if nik:
            by_nik.setdefault(nik, set()).add(cluster[rid])
    assert all(len(c) == 1 for c in by_nik.values())
    assert deduped.stats["exact_nik_pairs"] > 100


def test_dedupe_without_any_duplicate() -> None:
    table = pa.table(
        {
            "id": ["1", "2"],
            "full_name": ["Budi", "Siti"],
            "birth_date": ["1990-01-01", "1970-05-05"],
        }
    )
    res = dedupe_records(table, config=FAST)
    assert res.clusters.to_pylist() == [
        {"id": "1", "cluster_id": "1"},
        {"id": "2", "cluster_id": "2"},
    ]
