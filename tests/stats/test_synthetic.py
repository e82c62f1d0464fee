"""The synthetic Banyuasin survey: deterministic, labelled, calibrated."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sinergi.stats import Design, Measure, estimate
from sinergi.stats.synthetic import KECAMATAN_CODES, TARGETS, generate_banyuasin_survey


@pytest.fixture(scope="module")
def survey() -> pa.Table:
    return generate_banyuasin_survey(year=2023, n_households=6000, seed=42)


def test_same_seed_same_table_other_seed_other_table(survey: pa.Table) -> None:
    assert generate_banyuasin_survey(year=2023, n_households=6000, seed=42).equals(survey)
    assert not generate_banyuasin_survey(year=2023, n_households=6000, seed=43).equals(survey)


def test_labelled_synthetic_with_real_codes(survey: pa.Table) -> None:
    meta = survey.schema.metadata
    assert meta[b"synthetic"] == b"true"
    assert b"SYNTHETIC" in meta[b"description"]
    assert tuple(f"16.07.{i:02d}" for i in range(1, 22)) == KECAMATAN_CODES
    assert set(survey.column("kecamatan_code").to_pylist()) == set(KECAMATAN_CODES)
    assert set(survey.column("regency_code").to_pylist()) == {"16.07"}
    # Strata are kecamatan x urban/rural, each with at least two PSUs.
    per_stratum = survey.group_by("stratum").aggregate([("psu", "count_distinct")])
    assert per_stratum.num_rows == 42
    assert pc.min(per_stratum.column("psu_count_distinct")).as_py() >= 2


def test_structure_of_persons(survey: pa.Table) -> None:
    age = survey.column("age")
    young = pc.less(age, 15)
    assert pc.sum(pc.and_(young, pc.equal(survey.column("in_labour_force"), 1))).as_py() == 0
    unemp_not_lf = pc.and_(
        pc.equal(survey.column("unemployed"), 1), pc.equal(survey.column("in_labour_force"), 0)
    )
    assert pc.sum(unemp_not_lf).as_py() == 0
    assert survey.column("haz").null_count == pc.sum(pc.greater_equal(age, 5)).as_py()
    urban_line = pc.max(pc.filter(survey.column("poverty_line"), pc.equal(survey["urban"], 1)))
    rural_line = pc.max(pc.filter(survey.column("poverty_line"), pc.equal(survey["urban"], 0)))
    assert urban_line.as_py() > rural_line.as_py()
    # Members of a household share its per-capita expenditure.
    per_hh = survey.group_by("household_id").aggregate([("pcexp", "count_distinct")])
    assert pc.max(per_hh.column("pcexp_count_distinct")).as_py() == 1


def test_regency_estimates_sit_on_the_published_figures(survey: pa.Table) -> None:
    t = TARGETS[2023]
    res = estimate(
        survey,
        [
            "fgt0",
            "gini",
            Measure("fgt0", "pcexp", poverty_line="extreme_poverty_line", name="extreme"),
            Measure("ratio", "unemployed", denominator="in_labour_force", name="tpt"),
            Measure("ratio", "stunted", denominator="under_five", name="stunting"),
        ],
        value="pcexp",
        poverty_line="poverty_line",
        design=Design(weight="weight", strata="stratum", psu="psu"),
    )
    assert res.get("fgt0").estimate == pytest.approx(t.poverty, abs=0.002)
    assert res.get("extreme").estimate == pytest.approx(t.extreme_poverty, abs=0.001)
    assert res.get("gini").estimate == pytest.approx(t.gini, abs=0.001)
    assert res.get("tpt").estimate == pytest.approx(t.unemployment, abs=0.002)
    assert res.get("stunting").estimate == pytest.approx(t.stunting, abs=0.005)
    assert t.poverty_line == 480_000 and t.extreme_poverty_line == 340_000


def test_unknown_year_needs_targets() -> None:
    with pytest.raises(ValueError, match="no calibration targets for 2019"):
        generate_banyuasin_survey(year=2019)
