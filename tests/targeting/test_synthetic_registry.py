"""The synthetic Banyuasin world: PMT survey and DTSEN-shaped registry."""

from __future__ import annotations

import csv
import io
import json
import tarfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from sinergi.stats.synthetic import generate_banyuasin_survey, synthetic_mark
from sinergi.targeting import synthetic
from sinergi.targeting.nik import check_nik
from sinergi.targeting.releases import validate_release

# Fault kinds planted by the generator -> the validator's (file, reason) rows per fault.
EXPECTED_REASONS = {
    "birth_date_mismatch": [("members", "nik_birth_date_mismatch", 1)],
    "sex_mismatch": [("members", "nik_sex_mismatch", 1)],
    "duplicate_nik": [("members", "duplicate_nik", 2)],  # both rows are reported
    "two_heads": [("members", "several_heads", 2)],
    "no_head": [("households", "no_head", 1)],
    "unknown_desa": [("households", "unknown_desa", 1)],
}


def _csv(package: Path, name: str) -> list[dict[str, str]]:
    with tarfile.open(package) as tar:
        member = tar.extractfile(f"package/data/{name}.csv")
        assert member is not None
        return list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")))


@pytest.fixture(scope="module")
def hierarchy(region_package: Path) -> tuple[list[str], list[str]]:
    """Banyuasin's real desa codes and every kecamatan code of the country."""
    desa = [r["code"] for r in _csv(region_package, "villages") if r["code"].startswith("16.07.")]
    kecamatan = [r["code"] for r in _csv(region_package, "districts")]
    assert len({d[:8] for d in desa}) == 21
    return desa, kecamatan


@pytest.fixture(scope="module")
def registry(hierarchy: tuple[list[str], list[str]]) -> tuple[pa.Table, pa.Table, float]:
    desa, kecamatan = hierarchy
    start = time.perf_counter()
    households, members = synthetic.generate_registry(desa, kecamatan_prefixes=kecamatan)
    return households, members, time.perf_counter() - start


def test_registry_has_the_demo_size_in_real_desa_and_is_fast(registry, hierarchy):
    households, members, seconds = registry
    desa, _kec = hierarchy
    assert households.num_rows == 230_000
    assert 820_000 <= members.num_rows <= 880_000
    used = set(households.column("desa_code").to_pylist())
    faults = synthetic.faults_of(households)
    unknown = pc.invert(pc.is_in(households.column("desa_code"), pa.array(desa)))
    assert pc.sum(unknown).as_py() == faults["unknown_desa"] > 0
    assert len({d[:8] for d in used & set(desa)}) == 21
    assert len(used & set(desa)) > 0.95 * len(desa)
    # Generous for a shared 2-core machine; alone it takes about 4 s.
    assert seconds < 20, f"generation took {seconds:.1f} s"


def test_registry_is_in_the_input_layout(registry):
    households, members, _s = registry
    assert households.column_names == [
        "household_id",
        "kk",
        "desa_code",
        "address",
        *synthetic.HOUSEHOLD_COLUMNS,
        "decile",
    ]
    assert members.column_names == [
        "household_id",
        "kk",
        "nik",
        "full_name",
        "sex",
        "birth_date",
        "relationship",
        "education",
        "work_sector",
    ]
    assert pc.all(pc.match_substring_regex(households.column("kk"), r"^\d{16}$")).as_py()
    assert pc.count_distinct(households.column("household_id")).as_py() == households.num_rows
    assert pc.count_distinct(households.column("kk")).as_py() == households.num_rows
    # Members carry their household's KK.
    kk_of = dict(
        zip(
            households.column("household_id").to_pylist(),
            households.column("kk").to_pylist(),
            strict=True,
        )
    )
    sample = members.slice(0, 5000)
    for hh, kk in zip(
        sample.column("household_id").to_pylist(), sample.column("kk").to_pylist(), strict=True
    ):
        assert kk_of[hh] == kk
    deciles = Counter(households.column("decile").to_pylist())
    assert sorted(deciles) == list(range(1, 11))
    names = members.column("full_name").to_pylist()
    assert all(name and name == name.strip() for name in names[:20000])
    single = sum(" " not in name for name in names) / len(names)
    assert 0.2 < single < 0.5  # single names are common


def test_registry_is_deterministic_by_seed(hierarchy):
    desa, kec = hierarchy
    a = synthetic.generate_registry(desa, n_households=3000, seed=5, kecamatan_prefixes=kec)
    b = synthetic.generate_registry(desa, n_households=3000, seed=5, kecamatan_prefixes=kec)
    c = synthetic.generate_registry(desa, n_households=3000, seed=6, kecamatan_prefixes=kec)
    assert a[0].equals(b[0]) and a[1].equals(b[1])
    assert not a[1].column("nik").equals(c[1].column("nik"))


def test_clean_registry_validates_without_a_single_error(tmp_path, hierarchy):
    desa, kec = hierarchy
    hh, mem = synthetic.write_registry(
        tmp_path, desa, n_households=20_000, seed=3, faults=False, kecamatan_prefixes=kec
    )
    report = validate_release(
        hh, mem, desa_codes=desa, kecamatan_prefixes=kec, reference_date=synthetic.REFERENCE_DATE
    )
    assert report.errors == [] and report.ok()
    assert report.households == 20_000 and report.valid_members == report.members
    # The NIK rule itself, person by person, on a sample (registry-core's check_nik).
    members = pq.read_table(mem)
    rng = np.random.default_rng(0)
    rows = members.take(pa.array(rng.choice(members.num_rows, 200, replace=False))).to_pylist()
    prefixes = {r["nik"][:6] for r in rows}
    assert any(not p.startswith("1607") for p in prefixes)  # some registered elsewhere
    for row in rows:
        assert (
            check_nik(
                row["nik"], birth_date=row["birth_date"], sex=row["sex"], kecamatan_prefixes=kec
            )
            == []
        ), row["full_name"]
    # Women's NIK day is the birth day + 40.
    women = [r for r in rows if r["sex"] == "F"]
    assert women and all(int(r["nik"][6:8]) == r["birth_date"].day + 40 for r in women)


def test_planted_faults_are_exactly_what_the_import_report_finds(tmp_path, hierarchy):
    desa, kec = hierarchy
    hh, mem = synthetic.write_registry(
        tmp_path, desa, n_households=60_000, seed=4, kecamatan_prefixes=kec
    )
    faults = synthetic.faults_of(pq.read_table(hh))
    assert faults == synthetic.faults_of(pq.read_table(mem))
    assert set(faults) == {*EXPECTED_REASONS, "nik_malformed"} and min(faults.values()) >= 5
    report = validate_release(
        hh, mem, desa_codes=desa, kecamatan_prefixes=kec, reference_date=synthetic.REFERENCE_DATE
    )
    found = Counter((e.file, e.reason) for e in report.errors)
    for kind, reasons in EXPECTED_REASONS.items():
        for file, reason, rows_per_fault in reasons:
            assert found.pop((file, reason)) == faults[kind] * rows_per_fault, kind
    # Malformed NIKs: a lost digit or a letter (not 16 digits) or month 13 (no date).
    assert (
        found.pop(("members", "nik_invalid")) + found.pop(("members", "nik_bad_birth_date"))
        == faults["nik_malformed"]
    )
    assert found == Counter()  # nothing else is wrong
    # A full-size demo registry has a few hundred faults.
    assert 200 <= sum(faults.values()) * 230_000 / 60_000 <= 600


def test_registry_files_are_labelled_synthetic(tmp_path, hierarchy):
    desa, _kec = hierarchy
    hh, mem = synthetic.write_registry(tmp_path, desa[:10], n_households=500, seed=1)
    for path in (hh, mem):
        assert pq.read_schema(path).metadata[b"sinergi.synthetic"] == b"true"
        assert synthetic_mark(path).startswith("SYNTHETIC")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["households.parquet", "members.parquet"]


def test_household_composition_is_plausible(registry):
    households, members, _s = registry
    faults = synthetic.faults_of(households)
    rel = members.column("relationship").to_numpy(zero_copy_only=False)
    heads = Counter(
        members.filter(pc.equal(members.column("relationship"), "head"))
        .column("household_id")
        .to_pylist()
    )
    assert sum(1 for c in heads.values() if c == 2) == faults["two_heads"]
    assert households.num_rows - len(heads) == faults["no_head"]
    ref = np.datetime64(synthetic.REFERENCE_DATE)
    age = (ref - members.column("birth_date").to_numpy().astype("datetime64[D]")).astype(
        int
    ) / 365.25
    assert age.min() >= 0 and age.max() < 101
    assert 25 < age[rel == "head"].mean() < 60 and age[rel == "child"].mean() < 20
    female_heads = (
        members.column("sex").to_numpy(zero_copy_only=False)[rel == "head"] == "F"
    ).mean()
    assert 0.08 < female_heads < 0.2


def test_pmt_survey_is_the_demo_survey_with_characteristics():
    survey = generate_banyuasin_survey(n_households=3000, seed=11)
    persons = synthetic.generate_pmt_survey(n_households=3000, seed=11)
    households = synthetic.generate_pmt_survey(n_households=3000, seed=11, level="household")
    assert persons.num_rows == survey.num_rows
    for name in (
        "household_id",
        "weight",
        "stratum",
        "psu",
        "pcexp",
        "sex",
        "age",
        "kecamatan_code",
    ):
        assert persons.column(name).equals(survey.column(name)), name
    assert households.num_rows == pc.count_distinct(survey.column("household_id")).as_py()
    assert pc.sum(households.column("persons")).as_py() == persons.num_rows
    # Household-level rows carry the same characteristics as their persons.
    first = persons.filter(pc.equal(persons.column("person_no"), 1))
    for name in synthetic.HOUSEHOLD_COLUMNS:
        assert first.column(name).equals(households.column(name)), name
    heads = Counter(
        persons.filter(pc.equal(persons.column("relationship"), "head"))
        .column("household_id")
        .to_pylist()
    )
    assert set(heads.values()) == {1} and len(heads) == households.num_rows
    assert persons.schema.metadata[b"sinergi.synthetic"] == b"true"
    assert households.schema.metadata[b"sinergi.synthetic"] == b"true"
    with pytest.raises(ValueError, match="level"):
        synthetic.generate_pmt_survey(level="desa")


def _design_matrix(t: pa.Table) -> np.ndarray:
    cols = [np.ones(t.num_rows)]
    persons = t.column("persons").to_numpy().astype(float)
    cols += [np.log(t.column("floor_area_m2").to_numpy() / persons), np.log(persons)]
    cols += [np.log1p(t.column(c).to_numpy()) for c in ("livestock_units", "land_ha")]
    cols += [
        t.column(c).to_numpy().astype(float)
        for c in synthetic.HOUSEHOLD_COLUMNS
        if c.startswith("has_")
    ]
    cols += [t.column(c).to_numpy() / persons for c in ("children", "elderly", "workers")]
    cols += [
        t.column("head_age").to_numpy().astype(float),
        t.column("urban").to_numpy().astype(float),
    ]
    for c in (
        "floor_material",
        "wall_material",
        "roof_material",
        "drinking_water",
        "sanitation",
        "electricity",
        "cooking_fuel",
        "head_education",
        "head_work_sector",
        "head_sex",
        "kecamatan_code",
    ):
        values = np.array(t.column(c).to_pylist())
        for code in sorted(set(values))[1:]:
            cols.append((values == code).astype(float))
    return np.column_stack(cols)


def test_a_pmt_on_the_survey_has_a_realistic_r_squared():
    """Weighted least squares of log pcexp on the characteristics: holdout R² 0.4-0.6."""
    t = synthetic.generate_pmt_survey(level="household")
    x, y = _design_matrix(t), np.log(t.column("pcexp").to_numpy())
    w = t.column("weight").to_numpy() * t.column("persons").to_numpy()
    train = np.random.default_rng(1).random(len(y)) < 0.8
    root = np.sqrt(w[train])
    beta = np.linalg.lstsq(x[train] * root[:, None], y[train] * root, rcond=None)[0]
    test = ~train
    resid = y[test] - x[test] @ beta
    mean = np.average(y[test], weights=w[test])
    r2 = 1 - np.average(resid**2, weights=w[test]) / np.average(
        (y[test] - mean) ** 2, weights=w[test]
    )
    assert 0.4 <= r2 <= 0.6, r2
    # Better housing goes with higher expenditure (ceramic floor, owning a car).
    floor = np.array(t.column("floor_material").to_pylist())
    assert np.median(y[floor == "ceramic"]) > np.median(y[floor == "earth"])
    car = t.column("has_car").to_numpy() == 1
    assert np.median(y[car]) > np.median(y[~car])


def test_next_quarter_release_adds_removes_moves_and_changes(tmp_path, hierarchy):
    from sinergi.targeting.compare import compare_releases
    from sinergi.targeting.pseudonym import Pseudonymiser
    from sinergi.targeting.releases import write_release

    desa, kec = hierarchy
    q2 = synthetic.generate_registry(desa, n_households=20_000, seed=8, faults=False)
    q3 = synthetic.evolve_registry(*q2, desa, seed=9, kecamatan_prefixes=kec)
    changes = json.loads(q3[0].schema.metadata[b"sinergi.changes"])
    assert changes == {"removed": 200, "moved": 100, "changed": 600, "added": 300}
    assert q3[0].num_rows == 20_100 and synthetic_mark(q3[1]).startswith("SYNTHETIC")
    keys = Pseudonymiser(b"\x01" * 32, b"\x02" * 32)
    dirs = []
    for name, (h, m), ref in (("q2", q2, synthetic.REFERENCE_DATE), ("q3", q3, date(2025, 9, 30))):
        pq.write_table(h, tmp_path / f"{name}-h.parquet")
        pq.write_table(m, tmp_path / f"{name}-m.parquet")
        # Valid as a whole (no NIK or KK of an added household collides with an old one).
        write_release(
            tmp_path / f"{name}-h.parquet",
            tmp_path / f"{name}-m.parquet",
            tmp_path / name,
            name=name,
            reference_date=ref,
            pseudonymiser=keys,
            desa_codes=desa,
            kecamatan_prefixes=kec,
        )
        dirs.append(tmp_path / name)
    got = compare_releases(*dirs)
    assert (got.added, got.removed, got.moved) == (300, 200, 100)
    assert 400 < got.decile_changed <= 600
