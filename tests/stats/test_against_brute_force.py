"""Estimates and SEs equal an independent numpy brute force (1e-9), domains included."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sinergi.stats import Design, DesignError, Measure, estimate

from ._support import bf_measure, make_survey

DESIGN = Design(weight="w", strata="stratum", psu="psu")
MEASURES = [
    "fgt0",
    "fgt1",
    "fgt2",
    "gini",
    "mean",
    "total",
    Measure("ratio", "u", denominator="x"),
]
KINDS = ["fgt0", "fgt1", "fgt2", "gini", "mean", "total", "ratio"]


@pytest.fixture(scope="module")
def survey() -> pa.Table:
    return make_survey(seed=11)


def _check(res_row: object, expected: tuple[float, float]) -> None:
    est, se = expected
    assert res_row.estimate == pytest.approx(est, rel=1e-9)  # type: ignore[attr-defined]
    assert res_row.se == pytest.approx(se, rel=1e-9)  # type: ignore[attr-defined]


def test_whole_population_matches_brute_force(survey: pa.Table) -> None:
    res = estimate(survey, MEASURES, value="y", poverty_line="z", design=DESIGN)
    for kind in KINDS:
        _check(res.get(kind), bf_measure(kind, survey))


@pytest.mark.parametrize("by", ["area", "region"])
def test_domains_keep_the_whole_design(survey: pa.Table, by: str) -> None:
    # "area" cuts across strata (urban PSUs sit in every stratum): PSUs of a
    # stratum with no record of the domain must enter the variance as zeros.
    res = estimate(survey, MEASURES, value="y", poverty_line="z", design=DESIGN, by=by)
    values = survey.column(by).to_numpy(zero_copy_only=False)
    for level in np.unique(values):
        mask = values == level
        for kind in KINDS:
            row = res.get(kind, **{by: level.item() if hasattr(level, "item") else level})
            _check(row, bf_measure(kind, survey, domain=mask))
            assert row.n == int(mask.sum())


def test_subsetting_a_cross_cutting_domain_would_give_another_se(survey: pa.Table) -> None:
    # Guards the domain rule itself: dropping the rest of the design changes the SE.
    full = estimate(survey, ["fgt0"], value="y", poverty_line="z", design=DESIGN, by="area")
    urban = survey.filter(pc.equal(survey.column("area"), "urban"))
    # The subset even loses PSUs: some strata keep a single one.
    lonely_ok = Design(weight="w", strata="stratum", psu="psu", lonely_psu="certainty")
    sub = estimate(urban, ["fgt0"], value="y", poverty_line="z", design=lonely_ok)
    kept = full.get("fgt0", area="urban")
    assert kept.estimate == pytest.approx(sub.get("fgt0").estimate, rel=1e-12)
    assert abs(kept.se - sub.get("fgt0").se) > 1e-6


def _with_lonely_stratum(table: pa.Table) -> pa.Table:
    # Keep only PSU 1 of strata S00 and S05.
    strat = table.column("stratum").to_pylist()
    psu = table.column("psu").to_pylist()
    keep = [not (s in ("S00", "S05") and p != 1) for s, p in zip(strat, psu, strict=True)]
    return table.filter(pa.array(keep))


def test_lonely_psu_is_an_error_naming_the_strata(survey: pa.Table) -> None:
    with pytest.raises(DesignError, match=r"2 stratum\(s\) of stratum.*'S00', 'S05'"):
        estimate(_with_lonely_stratum(survey), ["fgt0"], value="y", poverty_line="z", design=DESIGN)


@pytest.mark.parametrize("lonely", ["certainty", "adjust", "average"])
@pytest.mark.parametrize("kind", ["fgt0", "gini", "total"])
def test_lonely_psu_options_match_brute_force(survey: pa.Table, lonely: str, kind: str) -> None:
    data = _with_lonely_stratum(survey)
    design = Design(weight="w", strata="stratum", psu="psu", lonely_psu=lonely)  # type: ignore[arg-type]
    res = estimate(data, [kind], value="y", poverty_line="z", design=design, by="area")
    areas = data.column("area").to_numpy(zero_copy_only=False)
    for area in ("urban", "rural"):
        expected = bf_measure(kind, data, domain=areas == area, lonely=lonely)
        _check(res.get(kind, area=area), expected)


@pytest.mark.parametrize("mode", ["fraction", "count"])
def test_finite_population_correction(survey: pa.Table, mode: str) -> None:
    strata = sorted(set(survey.column("stratum").to_pylist()))
    fpc = {
        s: (0.05 + 0.02 * i if mode == "fraction" else 20.0 + 3 * i) for i, s in enumerate(strata)
    }
    data = survey.append_column(
        "fpc", pa.array([fpc[s] for s in survey.column("stratum").to_pylist()])
    )
    design = Design(weight="w", strata="stratum", psu="psu", fpc="fpc")
    res = estimate(data, ["fgt0", "gini"], value="y", poverty_line="z", design=design)
    for kind in ("fgt0", "gini"):
        _check(res.get(kind), bf_measure(kind, data, fpc=fpc))


def test_without_psu_each_record_is_a_psu_and_without_strata_one_stratum(survey: pa.Table) -> None:
    data = survey.drop(["psu"]).append_column("psu", pa.array(np.arange(survey.num_rows)))
    data = data.drop(["stratum"]).append_column("stratum", pa.array(["all"] * survey.num_rows))
    res = estimate(survey, ["fgt0", "gini"], value="y", poverty_line="z", design=Design(weight="w"))
    for kind in ("fgt0", "gini"):
        _check(res.get(kind), bf_measure(kind, data))
