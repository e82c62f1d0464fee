"""Survey estimates from sinergi.stats stored as indicator values (scale, SE, flags)."""

import pytest

from sinergi.stats import Design, Measure, estimate
from sinergi.stats.synthetic import generate_banyuasin_survey
from sinergi.web.indicators.demo_survey import MEASURE_MAP
from sinergi.web.indicators.estimates import EstimateStoreError, store_estimates
from sinergi.web.indicators.models import IndicatorValue

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def results():
    survey = generate_banyuasin_survey(n_households=3000, seed=7)
    return estimate(
        survey,
        [
            Measure("fgt0", "pcexp", poverty_line="poverty_line"),
            Measure("fgt2", "pcexp", poverty_line="poverty_line"),
            Measure("gini", "pcexp"),
            Measure("ratio", "unemployed", denominator="in_labour_force", name="tpt"),
        ],
        design=Design(weight="weight", strata="stratum", psu="psu"),
        by=["kecamatan_code"],
    )


def test_estimates_become_values_on_the_published_scale(results):
    report = store_estimates(
        results.to_dicts(),
        region_column="kecamatan_code",
        period="2023",
        source="synthetic test survey",
        measure_map=MEASURE_MAP,
        synthetic=True,
    )
    assert report.created == len(results) == 4 * 21
    betung = results.get("fgt0", kecamatan_code="16.07.05")
    stored = IndicatorValue.objects.get(
        indicator__code="poverty_rate", region="16.07.05", period="2023"
    )
    assert float(stored.value) == pytest.approx(betung.estimate * 100, abs=1e-6)
    assert stored.se == pytest.approx(betung.se * 100)
    assert (stored.ci_low, stored.ci_high) == pytest.approx(
        (betung.ci_low * 100, betung.ci_high * 100)
    )
    assert stored.rse == pytest.approx(betung.rse) and stored.quality_flag == betung.flag.value
    assert stored.sample_size == betung.n and stored.is_synthetic and stored.status == "preliminary"
    gini = IndicatorValue.objects.get(indicator__code="gini_ratio", region="16.07.05")
    assert float(gini.value) == pytest.approx(
        results.get("gini", kecamatan_code="16.07.05").estimate, abs=1e-6
    )
    flags = set(
        IndicatorValue.objects.filter(indicator__code="poverty_severity").values_list(
            "quality_flag", flat=True
        )
    )
    assert flags <= {"publish", "caution", "unreliable"} and flags
    again = store_estimates(
        results.to_dicts(),
        region_column="kecamatan_code",
        period="2023",
        source="synthetic test survey",
        measure_map=MEASURE_MAP,
        synthetic=True,
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 84)


def test_unknown_region_stops_everything(results):
    rows = results.to_dicts()
    rows[5]["kecamatan_code"] = "16.07.99"
    with pytest.raises(
        EstimateStoreError, match=r"row 7, column kecamatan_code: unknown region '16.07.99'"
    ):
        store_estimates(
            rows, region_column="kecamatan_code", period="2023", source="s", measure_map=MEASURE_MAP
        )
    assert not IndicatorValue.objects.exists()


def test_wrong_column_and_unknown_indicator(results):
    with pytest.raises(EstimateStoreError, match="no column 'desa'"):
        store_estimates(results.to_dicts(), region_column="desa", period="2023", source="s")
    with pytest.raises(EstimateStoreError, match="not in the indicator catalogue: nope"):
        store_estimates(
            results.to_dicts(),
            region_column="kecamatan_code",
            period="2023",
            source="s",
            measure_map={"fgt0": "nope"},
        )
