"""The synthetic persons and their dirty copies."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sinergi.linkage.synthetic import DEFAULT_RATES, corrupt, dedupe_set, generate_persons, link_set
from sinergi.stats.synthetic import KECAMATAN_CODES
from sinergi.targeting.nik import check_nik


def test_persons_have_valid_unique_niks_in_banyuasin() -> None:
    persons = generate_persons(3000, seed=4)
    rows = persons.to_pylist()
    assert len({r["nik"] for r in rows}) == 3000
    for r in rows[:500]:
        assert (
            check_nik(
                r["nik"],
                birth_date=date.fromisoformat(r["birth_date"]),
                sex=r["sex"],
                kecamatan_prefixes=KECAMATAN_CODES,
            )
            == []
        )
        assert r["region_code"].startswith("16.07.") and r["nik"][:6] == r["region_code"][
            :8
        ].replace(".", "")
    single = sum(1 for r in rows if " " not in r["full_name"])
    assert 0.15 < single / len(rows) < 0.35  # mononyms are common


def test_generation_is_deterministic() -> None:
    assert generate_persons(300, seed=9).equals(generate_persons(300, seed=9))
    assert not generate_persons(300, seed=9).equals(generate_persons(300, seed=10))


def test_corrupt_returns_the_true_pairs_and_changes_the_records() -> None:
    persons = generate_persons(2000, seed=5)
    dirty, truth = corrupt(persons, np.random.default_rng(3))
    assert dirty.num_rows == truth.num_rows == 2000
    original = {r["id"]: r for r in persons.to_pylist()}
    copies = {r["id"]: r for r in dirty.to_pylist()}
    pairs = list(
        zip(truth.column("left_id").to_pylist(), truth.column("right_id").to_pylist(), strict=True)
    )
    assert sorted(r for _l, r in pairs) == sorted(original)
    changed = {
        k: 0 for k in ("nik_missing", "nik_typo", "name", "birth_missing", "address_missing")
    }
    for left, right in pairs:
        a, b = copies[left], original[right]
        if a["nik"] is None:
            changed["nik_missing"] += 1
        elif a["nik"] != b["nik"]:
            changed["nik_typo"] += 1
            assert sum(x != y for x, y in zip(a["nik"], b["nik"], strict=True)) <= 2
        changed["name"] += a["full_name"] != b["full_name"]
        changed["birth_missing"] += a["birth_date"] is None
        changed["address_missing"] += a["address"] is None
    assert 200 < changed["nik_missing"] < 400  # 15 %
    assert 30 < changed["nik_typo"] < 100  # 3 %
    assert changed["name"] > 600  # capitals, Muhammad forms, titles, typos ...
    assert 60 < changed["birth_missing"] < 150
    assert 300 < changed["address_missing"] < 500


def test_corrupt_rejects_unknown_rates() -> None:
    with pytest.raises(ValueError, match="unknown corruption rates: typos"):
        corrupt(generate_persons(10), np.random.default_rng(1), {"typos": 0.5})
    assert "nik_digit" in DEFAULT_RATES


def test_link_and_dedupe_sets() -> None:
    _lst, reg, truth = link_set(1000, 200, seed=2)
    assert truth.num_rows == 180
    assert set(truth.column("right_id").to_pylist()) <= set(reg.column("id").to_pylist())
    records, clusters = dedupe_set(500, seed=2)
    assert records.num_rows == clusters.num_rows == 500 + 100 + 10
    assert records.schema.metadata[b"sinergi.synthetic"] == b"true"
