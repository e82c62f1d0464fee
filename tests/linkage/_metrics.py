"""Precision and recall of pairs and clusters against a known truth."""

from __future__ import annotations

from itertools import combinations

import pyarrow as pa


def pair_set(table: pa.Table, a: str = "left_id", b: str = "right_id") -> set[tuple[str, str]]:
    return set(zip(table.column(a).to_pylist(), table.column(b).to_pylist(), strict=True))


def cluster_pairs(ids: list[str], keys: list[str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for i, k in zip(ids, keys, strict=True):
        groups.setdefault(k, []).append(i)
    return {tuple(sorted(p)) for g in groups.values() for p in combinations(g, 2)}  # type: ignore[misc]


def scores(found: set[tuple[str, str]], true: set[tuple[str, str]]) -> tuple[float, float, float]:
    tp = len(found & true)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
