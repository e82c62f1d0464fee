"""DuckDB and Spark give the same pairs on a small set.

To compare the engines and not the training runs, the model is trained once
on DuckDB and applied on both (``LinkConfig(model=...)``): the blocking
rules, comparison SQL and parameters are the same, so the pairs (and their
probabilities, to rounding) must be too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pyarrow as pa
import pytest

from sinergi.linkage import dedupe_records, link_records

from .conftest import FAST

pytestmark = pytest.mark.spark


def test_link_same_pairs_on_duckdb_and_spark(
    linkage_spark: Any, link_data: tuple[pa.Table, pa.Table, pa.Table]
) -> None:
    left, right, _ = link_data
    left, right = left.slice(0, 300), right
    duck = link_records(left, right, config=replace(FAST, accept=0.9, review=0.2))
    config = replace(FAST, accept=0.9, review=0.2, model=duck.model)
    spark = link_records(left, right, config=config, engine="spark", session=linkage_spark)
    assert spark.stats["pairs_compared"] == duck.stats["pairs_compared"] > 0
    assert spark.accepted.select(["left_id", "right_id", "stage"]).to_pylist() == (
        duck.accepted.select(["left_id", "right_id", "stage"]).to_pylist()
    )
    for a, b in zip(
        duck.accepted.column("match_probability").to_pylist(),
        spark.accepted.column("match_probability").to_pylist(),
        strict=True,
    ):
        assert a == pytest.approx(b, abs=1e-9)
    assert spark.review.drop_columns(["match_probability"]).to_pylist() == (
        duck.review.drop_columns(["match_probability"]).to_pylist()
    )


def test_dedupe_same_clusters_on_duckdb_and_spark(
    linkage_spark: Any, dedupe_data: tuple[pa.Table, pa.Table]
) -> None:
    records = dedupe_data[0].slice(0, 800)
    duck = dedupe_records(records, config=FAST)
    spark = dedupe_records(
        records, config=replace(FAST, model=duck.model), engine="spark", session=linkage_spark
    )
    assert spark.clusters.to_pylist() == duck.clusters.to_pylist()
