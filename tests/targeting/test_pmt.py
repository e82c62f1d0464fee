"""The PMT against an independent coding and statsmodels' WLS; scoring on DuckDB and Spark."""

from __future__ import annotations

from math import floor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import statsmodels.api as sm

from sinergi.stats import InputError
from sinergi.targeting import pmt, schema
from tests.stats._support import ENGINES

from ._pmt_data import make_survey

CATEGORIES = {
    "floor_material": schema.FLOOR_MATERIALS,
    "wall_material": schema.WALL_MATERIALS,
    "roof_material": schema.ROOF_MATERIALS,
    "drinking_water": schema.DRINKING_WATER,
    "sanitation": schema.SANITATION,
    "electricity": schema.ELECTRICITY,
    "cooking_fuel": schema.COOKING_FUEL,
}


@pytest.fixture(scope="module")
def survey() -> tuple[pa.Table, pa.Table]:
    return make_survey()


def design_matrix(hh: pa.Table, members: pa.Table) -> dict[str, np.ndarray]:
    """The coding written out by hand from the tables, sharing no code with pmt.py."""
    h = hh.to_pydict()
    m = members.to_pydict()
    n = len(h["household_id"])
    index = {hid: i for i, hid in enumerate(h["household_id"])}
    size, kids, old = np.zeros(n), np.zeros(n), np.zeros(n)
    head: dict[str, np.ndarray] = {
        "female": np.zeros(n),
        "age": np.zeros(n),
        "edu": np.empty(n, object),
        "sector": np.empty(n, object),
    }
    for hid, sex, age, rel, edu, sector in zip(
        m["household_id"],
        m["sex"],
        m["age"],
        m["relationship"],
        m["education"],
        m["work_sector"],
        strict=True,
    ):
        i = index[hid]
        size[i] += 1
        kids[i] += age < 15
        old[i] += age >= 65
        if rel == "head":
            head["female"][i] = sex == "F"
            head["age"][i] = age
            head["edu"][i] = edu
            head["sector"][i] = sector
    x: dict[str, np.ndarray] = {
        "log_floor_area_per_person": np.log(np.asarray(h["floor_area_m2"]) / size)
    }
    for column, codes in CATEGORIES.items():
        values = np.asarray(h[column])
        for code in codes[1:]:
            x[f"{column}={code}"] = (values == code).astype(float)
    for a in schema.ASSETS:
        x[a] = np.asarray(h[a], float)
    x["log1p_livestock_units"] = np.log1p(np.asarray(h["livestock_units"]))
    x["log1p_land_ha"] = np.log1p(np.asarray(h["land_ha"]))
    x["log_household_size"] = np.log(size)
    x["share_children"] = kids / size
    x["share_elderly"] = old / size
    x["head_female"] = head["female"]
    x["head_age"] = head["age"]
    x["head_age_squared_100"] = head["age"] ** 2 / 100
    for code in schema.EDUCATION[1:]:
        x[f"head_education={code}"] = (head["edu"] == code).astype(float)
    for code in schema.WORK_SECTORS[1:]:
        x[f"head_work_sector={code}"] = (head["sector"] == code).astype(float)
    kec = np.array([d[:8] for d in h["desa_code"]])
    for code in sorted(set(kec)):
        x[f"kecamatan={code}"] = (kec == code).astype(float)
    return x


def reference_fit(hh: pa.Table, members: pa.Table, rows: np.ndarray) -> dict[str, float]:
    """statsmodels WLS of ln(pcexp) on the hand coding; the group's first kecamatan is the base."""
    x = design_matrix(hh, members)
    kec = [d[:8] for d in np.asarray(hh["desa_code"])[rows]]
    regions = sorted(set(kec))
    names = [n for n in x if not n.startswith("kecamatan=")] + [
        f"kecamatan={r}" for r in regions[1:]
    ]
    X = sm.add_constant(np.column_stack([x[n][rows] for n in names]), has_constant="add")
    y = np.log(np.asarray(hh["pcexp"], float)[rows])
    w = np.asarray(hh["weight"], float)[rows]
    res = sm.WLS(y, X, weights=w).fit()
    return dict(zip(["intercept", *names], res.params, strict=True))


def test_coefficients_equal_statsmodels_wls(survey: tuple[pa.Table, pa.Table]) -> None:
    hh, members = survey
    model = pmt.fit(survey, weight="weight", holdout=0)
    expected = reference_fit(hh, members, np.ones(hh.num_rows, bool))
    got = model.coefficients[pmt.ALL]
    assert set(got) == set(expected)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=1e-8, rel=1e-8), name
    assert model.evaluation == {}


def test_one_equation_per_group_as_statsmodels(survey: tuple[pa.Table, pa.Table]) -> None:
    hh, members = survey
    model = pmt.fit(survey, weight="weight", by="regency_code", holdout=0)
    regency = np.array([d[:5] for d in hh["desa_code"].to_pylist()])
    assert set(model.coefficients) == {"16.07", "16.08"}
    for group, coef in model.coefficients.items():
        expected = reference_fit(hh, members, regency == group)
        assert set(coef) == set(expected)
        for name, value in expected.items():
            assert coef[name] == pytest.approx(value, abs=1e-8, rel=1e-8), (group, name)
        assert model.groups[group]["kecamatan_reference"] == min(
            d[:8] for d, r in zip(hh["desa_code"].to_pylist(), regency, strict=True) if r == group
        )


def brute_deciles(score: np.ndarray, mass: np.ndarray, group: np.ndarray) -> np.ndarray:
    out = np.zeros(len(score), int)
    for i in range(len(score)):
        area = group == group[i]
        below = mass[area & (score < score[i])].sum()
        out[i] = 1 + floor(10 * below / mass[area].sum())
    return out


def test_holdout_evaluation_matches_an_independent_computation(
    survey: tuple[pa.Table, pa.Table],
) -> None:
    hh, members = survey
    model = pmt.fit(survey, weight="weight", by="regency_code", holdout=0.25, seed=7)
    ids = np.asarray(hh["household_id"].to_pylist(), dtype=object)
    # The documented split: households in id order, the first quarter of a seeded permutation.
    order = np.argsort(ids, kind="stable")
    test = np.zeros(len(ids), bool)
    test[order[np.random.default_rng(7).permutation(len(ids))[: round(0.25 * len(ids))]]] = True
    regency = np.array([d[:5] for d in hh["desa_code"].to_pylist()])
    for group in ("16.07", "16.08"):
        expected = reference_fit(hh, members, (regency == group) & ~test)
        for name, value in expected.items():
            assert model.coefficients[group][name] == pytest.approx(value, abs=1e-8, rel=1e-8)
    x = design_matrix(hh, members)
    yhat = np.array(
        [
            sum(
                c * (x[n][i] if n != "intercept" else 1.0)
                for n, c in model.coefficients[regency[i]].items()
            )
            for i in range(len(ids))
        ]
    )
    y = np.log(np.asarray(hh["pcexp"], float))
    w = np.asarray(hh["weight"], float)
    size = np.exp(x["log_household_size"])
    t = test
    resid = (w[t] * (y[t] - yhat[t]) ** 2).sum()
    total = (w[t] * (y[t] - np.average(y[t], weights=w[t])) ** 2).sum()
    poor = brute_deciles(y[t], w[t] * size[t], regency[t]) <= 4
    chosen = brute_deciles(yhat[t], w[t] * size[t], regency[t]) <= 4
    wt = w[t]
    ev = model.evaluation
    assert ev["households"] == t.sum()
    assert ev["r2"] == pytest.approx(1 - resid / total, rel=1e-9)
    assert ev["exclusion_error"] == pytest.approx(
        wt[poor & ~chosen].sum() / wt[poor].sum(), rel=1e-12
    )
    assert ev["inclusion_error"] == pytest.approx(
        wt[chosen & ~poor].sum() / wt[chosen].sum(), rel=1e-12
    )
    assert 0 < ev["exclusion_error"] < 1 and 0.2 < ev["r2"] < 0.9
    g = regency[t] == "16.08"
    group_ev = model.groups["16.08"]["evaluation"]
    assert group_ev["exclusion_error"] == pytest.approx(
        wt[g & poor & ~chosen].sum() / wt[g & poor].sum(), rel=1e-12
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_score_is_the_numpy_prediction_on_every_engine(
    engine: str, make_engine: Any, survey: tuple[pa.Table, pa.Table], tmp_path: Path
) -> None:
    hh, members = survey
    model = pmt.fit(survey, weight="weight", by="regency_code", holdout=0.2)
    # A stored release: extra columns, no expenditure or weight, in Parquet.
    release = tmp_path / "release"
    release.mkdir()
    pq.write_table(
        hh.drop_columns(["pcexp", "weight"]).append_column(
            "kk_hash", pa.array(["ab"] * hh.num_rows)
        ),
        release / "households.parquet",
    )
    pq.write_table(members, release / "members.parquet")
    scored = pmt.score(release, model, engine=make_engine(engine))
    x = design_matrix(hh, members)
    regency = [d[:5] for d in hh["desa_code"].to_pylist()]
    expected = {
        hid: sum(
            c * (x[n][i] if n != "intercept" else 1.0)
            for n, c in model.coefficients[regency[i]].items()
        )
        for i, hid in enumerate(hh["household_id"].to_pylist())
    }
    got = dict(zip(scored["household_id"].to_pylist(), scored["score"].to_pylist(), strict=True))
    assert set(got) == set(expected)
    for hid, value in expected.items():
        assert got[hid] == pytest.approx(value, rel=1e-12, abs=1e-12)


def test_json_round_trip_keeps_every_field_and_the_scores(
    survey: tuple[pa.Table, pa.Table],
) -> None:
    model = pmt.fit(survey, weight="weight", by="regency_code")
    text = model.to_json()
    again = pmt.PMTModel.from_json(text)
    assert again == model
    assert again.to_json() == text
    assert '"format": "sinergi.pmt/1"' in text
    assert '"floor_material=earth"' in text  # coefficients by name, readable
    assert again.coding["categorical"]["floor_material"]["reference"] == "ceramic"
    a = pmt.score(survey, model).sort_by("household_id")
    b = pmt.score(survey, again).sort_by("household_id")
    assert a.equals(b)
    assert model.version.startswith("pmt-") and len(model.version) > 20


def test_from_json_refuses_other_files() -> None:
    with pytest.raises(ValueError, match="not JSON"):
        pmt.PMTModel.from_json("hello")
    with pytest.raises(ValueError, match="expected format"):
        pmt.PMTModel.from_json('{"coefficients": {}}')


def test_csv_files_fit_as_the_tables_do(survey: tuple[pa.Table, pa.Table], tmp_path: Path) -> None:
    hh, members = survey
    pacsv.write_csv(hh, tmp_path / "hh.csv")
    pacsv.write_csv(members, tmp_path / "mem.csv")
    from_csv = pmt.fit((tmp_path / "hh.csv", tmp_path / "mem.csv"), weight="weight", holdout=0)
    from_tables = pmt.fit(survey, weight="weight", holdout=0)
    for name, value in from_tables.coefficients[pmt.ALL].items():
        assert from_csv.coefficients[pmt.ALL][name] == pytest.approx(value, rel=1e-10, abs=1e-12)


def test_household_level_input_with_member_summary(survey: tuple[pa.Table, pa.Table]) -> None:
    hh, members = survey
    x = design_matrix(hh, members)
    size = np.exp(x["log_household_size"])
    kids = x["share_children"] * size
    old = x["share_elderly"] * size
    m = members.to_pydict()
    heads = {h: i for i, h in enumerate(m["household_id"]) if m["relationship"][i] == "head"}
    ids = hh["household_id"].to_pylist()
    summary = hh.append_column("persons", pa.array(size))
    for name, values in {
        "children": kids,
        "elderly": old,
        "head_sex": [m["sex"][heads[h]] for h in ids],
        "head_age": [m["age"][heads[h]] for h in ids],
        "head_education": [m["education"][heads[h]] for h in ids],
        "head_work_sector": [m["work_sector"][heads[h]] for h in ids],
    }.items():
        summary = summary.append_column(name, pa.array(values))
    a = pmt.fit(summary, weight="weight", holdout=0)
    b = pmt.fit(survey, weight="weight", holdout=0)
    for name, value in b.coefficients[pmt.ALL].items():
        assert a.coefficients[pmt.ALL][name] == pytest.approx(value, rel=1e-10, abs=1e-12)


def test_bad_values_are_reported_by_column_with_examples(survey: tuple[pa.Table, pa.Table]) -> None:
    hh, members = survey
    floor = hh["floor_material"].to_pylist()
    floor[5] = "marble"
    bad = hh.set_column(
        hh.schema.get_field_index("floor_material"), "floor_material", pa.array(floor)
    )
    weight = bad["weight"].to_pylist()
    weight[9] = 0
    bad = bad.set_column(bad.schema.get_field_index("weight"), "weight", pa.array(weight))
    with pytest.raises(InputError) as err:
        pmt.fit((bad, members), weight="weight")
    message = str(err.value)
    assert "floor_material: 1 row with" in message and "S00005" in message
    assert "weight: 1 row with" in message and "S00009" in message


def test_a_household_without_a_head_is_reported(survey: tuple[pa.Table, pa.Table]) -> None:
    hh, members = survey
    rel = members["relationship"].to_pylist()
    first = members["household_id"].to_pylist().index("S00003")
    rel[first] = "child"
    broken = members.set_column(
        members.schema.get_field_index("relationship"), "relationship", pa.array(rel)
    )
    with pytest.raises(InputError) as err:
        pmt.fit((hh, broken), weight="weight")
    assert "(head)" in str(err.value) and "S00003" in str(err.value)
    model = pmt.fit(survey, weight="weight")
    with pytest.raises(InputError, match="S00003"):
        pmt.score((hh, broken), model)


def test_missing_columns_are_named(survey: tuple[pa.Table, pa.Table]) -> None:
    hh, members = survey
    with pytest.raises(InputError) as err:
        pmt.fit((hh.drop_columns(["sanitation"]), members), weight="wgt")
    assert "sanitation: no such column in the households" in str(err.value)
    assert "wgt: no such column" in str(err.value)


def test_score_refuses_an_area_without_an_equation(survey: tuple[pa.Table, pa.Table]) -> None:
    hh, members = survey
    regency = np.array([d[:5] for d in hh["desa_code"].to_pylist()])
    only = pa.array(regency == "16.07")
    model = pmt.fit(
        (
            hh.filter(only),
            members.filter(
                pa.array(
                    np.isin(
                        members["household_id"].to_pylist(),
                        hh.filter(only)["household_id"].to_pylist(),
                    )
                )
            ),
        ),
        weight="weight",
        by="regency_code",
    )
    with pytest.raises(
        InputError,
        match=r"regency_code: \d+ rows with an area the model has no equation for \(16.08\)",
    ):
        pmt.score(survey, model)


def test_synthetic_mark_travels_into_the_model(
    survey: tuple[pa.Table, pa.Table], tmp_path: Path
) -> None:
    hh, members = survey
    marked = hh.replace_schema_metadata(
        {"sinergi.synthetic": "true", "sinergi.description": "SYNTHETIC test survey"}
    )
    pq.write_table(marked, tmp_path / "households.parquet")
    pq.write_table(members, tmp_path / "members.parquet")
    assert pmt.fit(tmp_path, weight="weight").synthetic == "SYNTHETIC test survey"
    assert pmt.fit(survey, weight="weight").synthetic is None


@pytest.mark.parametrize("engine", ENGINES)
def test_score_and_rank_is_score_then_deciles(
    engine: str, make_engine: Any, survey: tuple[pa.Table, pa.Table], tmp_path: Path
) -> None:
    from sinergi.targeting.deciles import deciles

    hh, members = survey
    model = pmt.fit(survey, weight="weight", by="regency_code")
    release = tmp_path / "release"
    release.mkdir()
    pq.write_table(hh.drop_columns(["pcexp", "weight"]), release / "households.parquet")
    pq.write_table(members, release / "members.parquet")
    table = pmt.score_and_rank(release, model, by=["regency_code"], engine=make_engine(engine))
    written = pq.read_table(release / "scores.parquet")
    assert written.column_names == ["household_id", "score", "model_decile", "model_version"]
    assert written.sort_by("household_id").equals(table.sort_by("household_id"))
    assert set(written["model_version"].to_pylist()) == {model.version}
    # The same as scoring, then ranking the scores with the member counts.
    scored = pmt.score(release, model, keep=["persons", "regency_code"])
    ranked = deciles(
        scored, id="household_id", score="score", persons="persons", by=["regency_code"]
    )
    expected = dict(
        zip(ranked["household_id"].to_pylist(), ranked["decile"].to_pylist(), strict=True)
    )
    got = dict(
        zip(written["household_id"].to_pylist(), written["model_decile"].to_pylist(), strict=True)
    )
    assert got == expected
    assert sorted(p.name for p in release.iterdir()) == [
        "households.parquet",
        "members.parquet",
        "scores.parquet",
    ]


def test_score_and_rank_writes_nothing_on_bad_input(
    survey: tuple[pa.Table, pa.Table], tmp_path: Path
) -> None:
    hh, members = survey
    model = pmt.fit(survey, weight="weight")
    sanitation = hh["sanitation"].to_pylist()
    sanitation[0] = "septic"
    bad = hh.set_column(hh.schema.get_field_index("sanitation"), "sanitation", pa.array(sanitation))
    release = tmp_path / "release"
    release.mkdir()
    pq.write_table(bad, release / "households.parquet")
    pq.write_table(members, release / "members.parquet")
    with pytest.raises(InputError, match=r"sanitation: 1 row with .*S00000"):
        pmt.score_and_rank(release, model, by=())
    assert not (release / "scores.parquet").exists()
    assert sorted(p.name for p in release.iterdir()) == ["households.parquet", "members.parquet"]
