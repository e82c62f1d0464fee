"""Linking a list to a registry: exact NIK stage, probabilistic stage, the result contract."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sinergi.linkage import LinkConfig, LinkResult, link_records
from sinergi.targeting.pseudonym import Pseudonymiser

from ._metrics import pair_set, scores
from .conftest import FAST

CMP = ["cmp_nik", "cmp_full_name", "cmp_birth_date", "cmp_sex", "cmp_address", "cmp_region_code"]


@pytest.fixture(scope="module")
def linked(link_data: tuple[pa.Table, pa.Table, pa.Table]) -> LinkResult:
    left, right, _truth = link_data
    return link_records(left, right, id_column="id", config=FAST)


def test_precision_and_recall_on_the_synthetic_list(
    linked: LinkResult, link_data: tuple[pa.Table, pa.Table, pa.Table]
) -> None:
    precision, recall, f1 = scores(pair_set(linked.accepted), pair_set(link_data[2]))
    assert precision >= 0.995, precision
    assert recall >= 0.98, recall
    assert f1 >= 0.99


def test_outsiders_stay_unmatched(
    linked: LinkResult, link_data: tuple[pa.Table, pa.Table, pa.Table]
) -> None:
    left, _right, truth = link_data
    outsiders = set(left.column("id").to_pylist()) - set(truth.column("left_id").to_pylist())
    assert len(outsiders) == 60
    wrongly = outsiders & set(linked.accepted.column("left_id").to_pylist())
    assert len(wrongly) <= 1


def test_result_contract(linked: LinkResult) -> None:
    assert linked.accepted.schema.names == ["left_id", "right_id", "match_probability", "stage"]
    assert linked.accepted.schema.field("match_probability").type == pa.float64()
    assert set(linked.accepted.column("stage").to_pylist()) == {"exact_nik", "probabilistic"}
    assert linked.review.schema.names == ["left_id", "right_id", "match_probability", *CMP]
    # best_only: one accepted right record per left id.
    left_ids = linked.accepted.column("left_id").to_pylist()
    assert len(left_ids) == len(set(left_ids))
    probabilities = linked.accepted.column("match_probability").to_numpy()
    assert (probabilities >= 0.95).all() and (probabilities <= 1).all()
    for key in ("records_left", "records_right", "pairs_compared", "seconds", "pairs_per_second"):
        assert key in linked.stats
    assert linked.stats["records_left"] == 600 and linked.stats["records_right"] == 3000
    assert linked.stats["pairs_compared"] > 0


def test_exact_nik_pairs_have_probability_one(
    linked: LinkResult, link_data: tuple[pa.Table, pa.Table, pa.Table]
) -> None:
    left, right, _truth = link_data
    left_nik = dict(zip(left.column("id").to_pylist(), left.column("nik").to_pylist(), strict=True))
    right_nik = dict(
        zip(right.column("id").to_pylist(), right.column("nik").to_pylist(), strict=True)
    )
    exact = linked.accepted.filter(pc.equal(linked.accepted.column("stage"), "exact_nik"))
    assert exact.num_rows == linked.stats["exact_nik_pairs"] > 300
    for row in exact.to_pylist():
        assert row["match_probability"] == 1.0
        assert left_nik[row["left_id"]] == right_nik[row["right_id"]]
    # Nearly every left record whose NIK is in the registry is matched by NIK; the
    # others are mistyped NIKs that belong to someone else (see the next test).
    registry = set(right_nik.values())
    with_nik = {i for i, n in left_nik.items() if n in registry}
    matched = set(exact.column("left_id").to_pylist())
    assert matched <= with_nik
    assert len(with_nik - matched) <= 0.02 * len(with_nik)


def test_an_equal_nik_the_records_contradict_is_not_accepted_at_once() -> None:
    nik = "1607054107900001"
    left = pa.table(
        {
            "id": ["a", "b"],
            "nik": [nik, "1607051204900003"],
            "full_name": ["Siti Aminah", "Budi Santoso"],
            "birth_date": ["1990-07-01", "1990-04-12"],
        }
    )
    right = pa.table(
        {
            "id": ["x", "y"],
            # x holds a's NIK but is someone else: no name in common, another birth date.
            "nik": [nik, "1607051204900003"],
            "full_name": ["Wagiman", "Budi Santoso"],
            "birth_date": ["1985-02-03", "1990-04-12"],
        }
    )
    res = link_records(left, right, config=FAST)
    exact = res.accepted.filter(pc.equal(res.accepted.column("stage"), "exact_nik"))
    assert pair_set(exact) == {("b", "y")}
    assert ("a", "x") not in pair_set(res.accepted)


def test_review_pairs_lie_between_the_thresholds(
    link_data: tuple[pa.Table, pa.Table, pa.Table],
) -> None:
    left, right, _ = link_data
    # A very high accept threshold pushes probable pairs to review.
    res = link_records(left, right, config=replace(FAST, accept=0.999999, review=0.01))
    assert res.review.num_rows > 0
    p = res.review.column("match_probability").to_numpy()
    assert ((p >= 0.01) & (p < 0.999999)).all()
    for name in CMP:
        assert set(res.review.column(name).to_pylist()) <= {
            "exact",
            "close",
            "different",
            "missing",
        }
    # best_only: a left id with an accepted pair is not also in review.
    accepted = set(res.accepted.column("left_id").to_pylist())
    assert not accepted & set(res.review.column("left_id").to_pylist())


def test_same_seed_same_result_whatever_the_row_order(
    linked: LinkResult, link_data: tuple[pa.Table, pa.Table, pa.Table]
) -> None:
    left, right, _ = link_data
    rng = np.random.default_rng(5)
    shuffled_left = left.take(pa.array(rng.permutation(left.num_rows)))
    shuffled_right = right.take(pa.array(rng.permutation(right.num_rows)))
    again = link_records(shuffled_left, shuffled_right, config=FAST)
    assert pair_set(again.accepted) == pair_set(linked.accepted)


def test_a_trained_model_can_be_applied_again(
    linked: LinkResult, link_data: tuple[pa.Table, pa.Table, pa.Table]
) -> None:
    left, right, _ = link_data
    again = link_records(left, right, config=replace(FAST, model=linked.model))
    assert again.accepted.to_pylist() == linked.accepted.to_pylist()
    assert "train" not in again.stats["step_seconds"]


def test_absent_columns_are_missing_comparisons(
    link_data: tuple[pa.Table, pa.Table, pa.Table],
) -> None:
    left, right, truth = link_data
    res = link_records(
        left.drop_columns(["address", "nik"]),
        right.drop_columns(["address"]),
        config=replace(FAST, accept=0.999999, review=0.05),
    )
    assert res.stats["exact_nik_pairs"] == 0
    assert set(res.review.column("cmp_address").to_pylist()) <= {"missing"}
    assert set(res.review.column("cmp_nik").to_pylist()) <= {"missing"}
    found = pair_set(res.accepted) | pair_set(res.review)
    _p, recall, _f = scores(found, pair_set(truth))
    assert recall > 0.95  # names, birth dates and regions still find nearly all


def test_nik_hash_lists_match_a_clear_nik_registry(
    link_data: tuple[pa.Table, pa.Table, pa.Table],
) -> None:
    left, right, _ = link_data
    p = Pseudonymiser(b"h" * 32, b"e" * 32)
    hashed = left.append_column(
        "nik_hash", pa.array(p.hash_many(left.column("nik").to_pylist()), pa.string())
    ).drop_columns(["nik"])
    res = link_records(hashed, right, config=replace(FAST, hash_nik=p.hash_many))
    plain = link_records(left, right, config=FAST)
    assert res.stats["exact_nik_pairs"] == plain.stats["exact_nik_pairs"]


def test_thresholds_are_checked() -> None:
    with pytest.raises(ValueError, match="review"):
        LinkConfig(accept=0.5, review=0.9)


def test_an_empty_list_links_to_nothing(link_data: tuple[pa.Table, pa.Table, pa.Table]) -> None:
    left, right, _ = link_data
    res = link_records(left.slice(0, 0), right, config=FAST)
    assert res.accepted.num_rows == 0 and res.review.num_rows == 0
